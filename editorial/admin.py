"""Admin plumbing the content apps share for editorial work: audit stamps, revisions, locking.

``EditorialAdmin`` is all of it together. Its parts live by concern: ``admin_history``
(revision blocks, history, compare, revert), ``admin_recovery`` (recover deleted rows),
``admin_deletion`` (deletes refused while published pages rely on them), ``admin_input``
(bad input as form errors), ``autosave`` (drafts autosaved and restored), ``conflict`` (a stale
save resolved field by field); this module keeps the audit stamps and the lock-version fields, and
re-exports the mixins so ``from editorial.admin import …`` names every one of them.

``AuditedAdminMixin`` stamps who created and last changed a row and shows it. ``RevisionBlockMixin``
records every admin save (forms, inlines, actions) in a revision with its user and change
message. ``RevisionHistoryMixin`` adds the history of revisions, a readable comparison of any two
and a revert (itself a new revision). Forms built on ``editorial.locking.OptimisticLockForm`` get
their hidden version field placed in the form.
"""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets

from editorial.admin_deletion import GuardedDeleteMixin, GuardedInlineFormSet, reliance_html
from editorial.admin_history import RevisionBlockMixin, RevisionHistoryMixin
from editorial.admin_recovery import RecoverDeletedMixin
from editorial.autosave import AutosaveAdminMixin, DraftRestoreMixin
from editorial.conflict import ConflictAdminMixin
from editorial.locking import LOCK_FIELD, OptimisticLockForm

AUDIT_FIELDS = ("created_by", "created_at", "updated_by", "updated_at")


def stamp(obj, user):
    """Record ``user`` as the creator of a new row and the last to change any row."""
    if obj.pk is None and hasattr(obj, "created_by_id"):
        obj.created_by = user
    if hasattr(obj, "updated_by_id"):
        obj.updated_by = user


def _with_lock_field(fieldsets, form):
    if LOCK_FIELD not in getattr(form, "declared_fields", {}):
        return fieldsets
    if LOCK_FIELD in flatten_fieldsets(fieldsets):
        return fieldsets
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": (*options["fields"], LOCK_FIELD)}), *rest]


class LockedInlineMixin:
    """Inline rows of a ``LockVersionModel``: each row carries and checks its loaded version.

    A row changed or deleted by someone else since the form loaded is refused on that row; rows
    this person left alone are not written and not checked.
    """

    form = OptimisticLockForm
    formset = GuardedInlineFormSet

    def get_fieldsets(self, request, obj=None):
        return _with_lock_field(list(super().get_fieldsets(request, obj)), self.form)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.lock_unchanged = False  # a class of its own, made for this request
        return formset


class LockedAdminMixin(ConflictAdminMixin):
    """The admin of a ``LockVersionModel``: its add and change forms refuse a stale save, and
    show the refused and the saved values side by side to resolve it (``editorial.conflict``)."""

    form = OptimisticLockForm

    def get_fieldsets(self, request, obj=None):
        return _with_lock_field(list(super().get_fieldsets(request, obj)), self.form)


class AuditedAdminMixin:
    audit_fields = AUDIT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly + tuple(name for name in self.audit_fields if name not in readonly)

    def get_fieldsets(self, request, obj=None):
        fieldsets = _with_lock_field(list(super().get_fieldsets(request, obj)), self.form)
        shown = flatten_fieldsets(fieldsets)
        record = tuple(name for name in self.audit_fields if name not in shown)
        if record:
            fieldsets.append(("Record", {"fields": record, "classes": ("collapse",)}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        stamp(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.has_changed():
                stamp(inline_form.instance, request.user)
        super().save_formset(request, form, formset, change)


class EditorialAdmin(
    RecoverDeletedMixin,
    GuardedDeleteMixin,
    AuditedAdminMixin,
    ConflictAdminMixin,
    RevisionHistoryMixin,
    admin.ModelAdmin,
):
    """A model editors write: audited, versioned, with history, compare and revert,
    recovery once deleted, deletes refused while published pages rely on it, and a stale save
    resolved field by field. ``AutosaveAdminMixin`` before it adds autosaved drafts."""


__all__ = [
    "AUDIT_FIELDS",
    "AuditedAdminMixin",
    "AutosaveAdminMixin",
    "ConflictAdminMixin",
    "DraftRestoreMixin",
    "EditorialAdmin",
    "GuardedDeleteMixin",
    "GuardedInlineFormSet",
    "LockedAdminMixin",
    "LockedInlineMixin",
    "RecoverDeletedMixin",
    "RevisionBlockMixin",
    "RevisionHistoryMixin",
    "reliance_html",
    "stamp",
]
