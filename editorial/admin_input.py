"""Admin views that take whatever a URL or a form sends, and answer it with a 4xx or a form error.

Django's admin trusts some input it has not validated, and answers 500 to it:

- an autocomplete shows a submitted value again by looking it up, unchecked: ``abc``, or an id
  beyond 64 bits, in a form sent back or in an add form's ``?film=`` (``SafeAutocompleteSelect``);
- an add form takes initial values from the query string as they come: ``?publish_at=-1``
  reaches a date widget as text (``get_changeform_initial_data``);
- the date hierarchy builds a date from ``?publish_at__year=``: a year past 9999 or beyond
  64 bits overflows (``get_changelist``);
- a many-to-many field looks up an id beyond 64 bits that SQLite cannot take
  (``SafeModelMultipleChoiceField``).

``InputSafeAdminMixin`` is in every model admin and ``InputSafeInlineMixin`` in every inline
(``tests/test_url_sweep.py`` checks both, and sweeps every URL with hostile values).
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms import ModelMultipleChoiceField


def is_value_of(field, value):
    """Whether ``value`` (as a form or a URL sends it) is a value of model ``field`` at all."""
    try:
        python = field.to_python(value)
        for validator in field.validators:  # integer fields: the database's range
            validator(python)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def _target_field(relation):
    """The field of the related model that ``relation`` stores (its primary key, or to_field)."""
    opts = relation.remote_field.model._meta
    return opts.get_field(getattr(relation.remote_field, "field_name", None) or opts.pk.name)


class _ShowsOnlyRealIds:
    #: ``{str(pk): row}``: rows the form already holds (an inline row's related object, read
    #: with the inline's queryset), shown as selected without a query per row of their own.
    known = None

    def optgroups(self, name, value, attr=None):
        target = _target_field(self.field)
        value = [item for item in value if is_value_of(target, item)]
        selected = {str(item) for item in value if str(item) not in self.choices.field.empty_values}
        known = self.known or {}
        if selected and not self.allow_multiple_selected and selected <= known.keys():
            return self._known_optgroups(name, [known[pk] for pk in sorted(selected)], selected)
        return super().optgroups(name, value, attr)

    def _known_optgroups(self, name, rows, selected):
        """What Django's ``optgroups`` returns for ``rows``, without reading them again."""
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        to_field = _target_field(self.field).attname
        for row in rows:
            label = self.choices.field.label_from_instance(row)
            options.append(
                self.create_option(name, getattr(row, to_field), label, selected, len(options))
            )
        return [(None, options, 0)]


class SafeAutocompleteSelect(_ShowsOnlyRealIds, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ShowsOnlyRealIds, AutocompleteSelectMultiple):
    pass


class SafeModelMultipleChoiceField(ModelMultipleChoiceField):
    def _check_values(self, value):
        opts = self.queryset.model._meta
        target = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for pk in value if isinstance(value, list | tuple) else ():
            if not is_value_of(target, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class _SafeFormfields:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        # Django catches the ValueError of an impossible date, not the OverflowError of a huge
        # year, nor the ValueError of stepping past year 9999.
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


def _is_initial_value(field, value):
    if field.many_to_many:
        target = _target_field(field)
        return all(is_value_of(target, item) for item in value)
    if field.is_relation:
        return is_value_of(_target_field(field), value)
    formfield = field.formfield()
    if formfield is None:
        return True
    try:
        formfield.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class InputSafeAdminMixin(_SafeFormfields):
    """For every model admin: autocompletes, initial data and the date hierarchy take any input.

    ``sanitised_fields`` maps a field whose text is sanitised when shown (a review's Markdown
    body) to a function that names what sanitising leaves out of a text, as sentences; after a
    save that changed the field, the editor is warned of each. The text is saved as typed.
    """

    sanitised_fields = {}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for name, removed in self.sanitised_fields.items():
            if name not in form.changed_data:
                continue
            sentences = removed(form.cleaned_data.get(name) or "")
            if sentences:
                label = form.fields[name].label or name
                self.message_user(
                    request,
                    f"{label} (saved as you typed it): readers won’t see all of it. "
                    + " ".join(sentences)
                    + " Use Markdown for formatting.",
                    messages.WARNING,
                )

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def get_changeform_initial_data(self, request):
        """The query string's initial values that are values of their field; the rest left out."""
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not _is_initial_value(field, value):
                del initial[name]
        return initial


class _KnownRelatedRows:
    """An inline formset whose rows' autocompletes show the related rows the inline's queryset
    read already (``select_related``), instead of reading each row's again: one query per row
    per autocomplete, otherwise."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        instance = form.instance
        for name, formfield in form.fields.items():
            widget = getattr(formfield.widget, "widget", formfield.widget)  # the admin's wrapper
            if not isinstance(widget, SafeAutocompleteSelect):
                continue
            try:
                field = instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_one and field.is_cached(instance):
                related = field.get_cached_value(instance)
                if related is not None:
                    widget.known = {str(getattr(related, _target_field(field).attname)): related}
        return form


class InputSafeInlineMixin(_SafeFormfields):
    """For every inline: its autocompletes take any value a form sends back, and show what
    its rows hold without a query per row."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (_KnownRelatedRows, formset), {})
