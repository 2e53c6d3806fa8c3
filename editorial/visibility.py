"""What a user may see of rows that not everyone may see, wherever the admin would name them.

A model whose default manager has ``visible_to(user)`` (reviews: ``reviews.workflow.can_see`` as
a filter) is limited to it by its own admin's change view, and here everywhere else: the selects
and autocompletes that point at it (``VisibleRelationsMixin``) and the "view on site" redirect
(``view_on_site``).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404, HttpResponseRedirect


def has_visibility_rule(model):
    return callable(getattr(model._default_manager, "visible_to", None))


def _ruled_relation(model, name):
    """The relation field ``name`` of ``model`` if it points at rows with a visibility rule."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.is_relation and field.related_model and has_visibility_rule(field.related_model):
        return field
    return None


def _keeping_unseen_values(form_class):
    """``form_class``, offering a related row the user may not see only as it is, unnamed.

    An editor may have chosen a review a writer may not see for the writer's own note. Left out of
    the choices, it would come back empty and be cleared without anyone having seen it; shown, it
    would name another writer's draft. So it stays a choice, labelled as unseen: kept unless the
    writer clears it, and never replaced by another row they may not see.
    """

    class KeepingUnseenValues(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, field in self.fields.items():
                single = isinstance(field, forms.ModelChoiceField) and not isinstance(
                    field, forms.ModelMultipleChoiceField
                )
                if single and has_visibility_rule(field.queryset.model):
                    _offer_unseen_value(field, getattr(self.instance, f"{name}_id", None))

    KeepingUnseenValues.__name__ = form_class.__name__
    return KeepingUnseenValues


def _offer_unseen_value(field, current):
    model = field.queryset.model
    if current is None or field.queryset.filter(pk=current).exists():
        return
    field.queryset = field.queryset | model._default_manager.filter(pk=current)
    unseen = f"A {model._meta.verbose_name} you may not see (kept unless you clear it)"
    label = field.label_from_instance
    field.label_from_instance = lambda obj: unseen if obj.pk == current else label(obj)
    widget = field.widget
    while hasattr(widget, "widget"):  # the admin's related-object wrapper
        widget = widget.widget
        widget.choices = field.choices


class VisibleRelationsMixin:
    """For model admins and inlines whose model points at rows not everyone may see.

    Every select and autocomplete for such a relation offers, accepts and shows only what the
    user may see (another writer's draft is refused like any invalid choice, and never named);
    a read-only page leaves such relations out, since it cannot tell which rows are seen.
    """

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        model = db_field.remote_field.model
        if not has_visibility_rule(model):
            return queryset
        if queryset is None:
            queryset = model._default_manager.using(db).all()
        return queryset.visible_to(request.user)

    def _editable(self, request, obj):
        parent_model = getattr(self, "parent_model", None)
        if parent_model is not None:
            parent = self.admin_site.get_model_admin(parent_model)
            parent_editable = (
                parent.has_change_permission(request, obj)
                if obj is not None
                else parent.has_add_permission(request)
            )
            return parent_editable and self.has_change_permission(request, obj)
        if obj is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._editable(request, obj):
            return fields
        return [name for name in fields if _ruled_relation(self.model, name) is None]

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _keeping_unseen_values(super().get_form(request, obj, change, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _keeping_unseen_values(formset.form)
        return formset


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect (``/admin/r/<type>/<id>/``), for what the user may see.

    Django's own sends any staff member to any object's public address, which for a draft names
    its slug. Here the object is looked up through its admin, as its change view would (so a
    writer finds only their own reviews); a model without an admin needs its view or change
    permission. Anything else, or an id that is not one, is a 404 that names nothing.
    """
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        model = None
    if model is None:
        raise Http404("No such object.")
    try:
        model_admin = admin.site.get_model_admin(model)
    except NotRegistered:
        model_admin = None
    if model_admin is not None:
        obj = model_admin.get_object(request, unquote(object_id))
        allowed = obj is not None and model_admin.has_view_or_change_permission(request, obj)
    else:
        opts = model._meta
        allowed = request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or (
            request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )
        obj = _get_or_none(model, unquote(object_id)) if allowed else None
    if not allowed or obj is None or not hasattr(obj, "get_absolute_url"):
        raise Http404("No such object.")
    return HttpResponseRedirect(obj.get_absolute_url())


def _get_or_none(model, object_id):
    try:
        return model._default_manager.get(pk=model._meta.pk.to_python(object_id))
    except (model.DoesNotExist, ValidationError, ValueError, OverflowError):
        return None
