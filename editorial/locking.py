"""Optimistic locking for admin forms: a stale save is refused, never silently applied.

A locked model has a ``lock_version`` that its ``save()`` moves on by one. The form carries the
version it was loaded from in a hidden field; if the row has moved on since, or has been deleted,
the form is invalid, names who saved in between and when, and keeps what this person typed so
they can copy it. Nothing is written, so the first person's edit stays whole.

Inline rows are checked when they are changed or marked for deletion (an unchanged row is not
written, so someone else's edit to it is no conflict). A row someone else deleted since the form
loaded is refused on that row, never silently re-created.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.formats import date_format

LOCK_FIELD = "loaded_version"
#: The largest version a form may name; anything else is a tampered or broken form.
MAX_VERSION = 2**31 - 1


def saved_by(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


class LockVersionField(forms.CharField):
    """The hidden version a form was loaded from. Never a change in itself; garbage reads None."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        number = int(value)
        return number if number <= MAX_VERSION else None

    def has_changed(self, initial, data):
        return False


def _stale_message(model, current):
    name = model._meta.verbose_name
    user_id, moment = current.get("updated_by_id"), current.get("updated_at")
    user = get_user_model()._default_manager.filter(pk=user_id).first() if user_id else None
    when = f" at {date_format(timezone.localtime(moment), 'DATETIME_FORMAT')}," if moment else ""
    return (
        f"{saved_by(user)} saved this {name}{when} after you opened it. Your changes "
        f"have not been saved, so theirs are safe. Your text is still in the form below: "
        f"copy what you need, reload the page to see their version, and make your changes "
        f"again."
    )


def _deleted_message(model):
    return (
        f"Someone deleted this {model._meta.verbose_name} after you opened the form. Your "
        f"changes to it have not been saved. Copy what you need and reload the page; to bring "
        f"it back, use “Recover deleted {model._meta.verbose_name_plural}” on its list."
    )


def _unversioned_message(model):
    return (
        f"This form does not say which version of the {model._meta.verbose_name} it was loaded "
        "from, so saving it could overwrite someone else’s work. Copy your changes, reload the "
        "page and make them again."
    )


def stale_error(instance, loaded):
    """The ValidationError for saving ``instance`` loaded at version ``loaded``, or None.

    Locks the row until the transaction ends (on PostgreSQL), so no save slips in between this
    check and ours. No join: FOR UPDATE refuses nullable outer joins.
    """
    model = type(instance)
    rows = model._default_manager.all()
    if transaction.get_connection(rows.db).in_atomic_block:
        rows = rows.select_for_update()
    names = {field.attname for field in model._meta.concrete_fields}
    columns = ["lock_version", *(name for name in ("updated_by_id", "updated_at") if name in names)]
    current = rows.filter(pk=instance.pk).values(*columns).first()
    if current is None:
        return ValidationError(_deleted_message(model), code="deleted")
    if loaded == current["lock_version"]:
        return None
    if loaded is None:
        return ValidationError(_unversioned_message(model), code="stale")
    return ValidationError(_stale_message(model, current), code="stale")


class OptimisticLockForm(forms.ModelForm):
    loaded_version = LockVersionField()

    #: False for inline rows: an unchanged row is not saved, so it is not checked.
    lock_unchanged = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[LOCK_FIELD].initial = self.instance.lock_version if self.instance.pk else None

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            if self.lock_unchanged or self.has_changed():
                error = stale_error(self.instance, cleaned_data.get(LOCK_FIELD))
                if error is not None:
                    raise error
        elif self.is_bound and self.data.get(self.add_prefix(LOCK_FIELD)):
            # A row that was loaded (it carries a version) but is gone: deleted since.
            self._forget_missing_row_errors()
            raise ValidationError(_deleted_message(self._meta.model), code="deleted")
        return cleaned_data

    def _forget_missing_row_errors(self):
        # "Select a valid choice" on the hidden id says the same thing, unreadably.
        self._errors.pop(self._meta.model._meta.pk.name, None)


class LockedInlineFormSet(BaseInlineFormSet):
    """Rows marked for deletion skip form validation, and rows deleted since the form loaded are
    not shown again (the admin lists the rows that exist): both are refused here, at the top of
    the inline, with what the person had in a vanished row so they can copy it."""

    def clean(self):
        super().clean()
        # A row's own clean() ran the check (a deletion mark is a change) and left the error on
        # the row; a row marked for deletion does not count unless the formset says so.
        refused = [
            str(form.instance)
            for form in self.deleted_forms
            if form.has_error(NON_FIELD_ERRORS, "stale")
        ]
        gone = [
            _typed(form)
            for form in self.initial_forms
            if form not in self.deleted_forms and form.has_error(NON_FIELD_ERRORS, "deleted")
        ]
        errors = []
        if refused:
            errors.append(
                ValidationError(
                    "Not deleted, because someone changed it after you opened the form: "
                    + "; ".join(refused)
                    + ". Reload the page to see their version.",
                    code="stale",
                )
            )
        name = self.model._meta.verbose_name
        for typed in gone:
            errors.append(
                ValidationError(
                    f"Someone deleted this {name} after you opened the form, so nothing has "
                    f"been saved. What your form held for it: {typed}. Reload the page to see "
                    "what is there now.",
                    code="deleted",
                )
            )
        if errors:
            raise ValidationError(errors)


def _typed(form):
    """A vanished row's values as this person's form held them, for them to copy."""
    data = getattr(form, "cleaned_data", {})
    shown = [
        f"{field.label or name}: {data[name]}"
        for name, field in form.fields.items()
        if name != "DELETE" and not field.widget.is_hidden and data.get(name) not in ("", None)
    ]
    return "; ".join(shown) or "nothing"
