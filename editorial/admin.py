"""Admin plumbing the content apps share for editorial work: audit stamps, revisions, locking.

``AuditedAdminMixin`` stamps who created and last changed a row and shows it. ``RevisionBlockMixin``
records every admin save (forms, inlines, actions) in a revision with its user and change
message. ``RevisionHistoryMixin`` adds the history of revisions, a readable comparison of any two
and a revert (itself a new revision). Forms built on ``editorial.locking.OptimisticLockForm`` get
their hidden version field placed in the form.
"""

from contextlib import contextmanager

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from reversion.models import Version

from editorial.locking import LOCK_FIELD, LockedInlineFormSet, OptimisticLockForm
from editorial.models import reliances
from editorial.revisions import (
    RecoverError,
    RevertError,
    compare,
    deleted_version,
    deleted_version_ids,
    deletion_of,
    display_value,
    python_value,
    recover,
    recovery_plan,
    revert,
    stored_fields,
    version_fields,
    versions_of,
)

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


class GuardedInlineFormSet(LockedInlineFormSet):
    """Rows marked for deletion that published pages rely on are refused, naming them."""

    def clean(self):
        super().clean()
        relied_on = reliances(form.instance for form in self.deleted_forms if form.instance.pk)
        if relied_on:
            raise ValidationError(
                [
                    ValidationError(format_html("Not deleted: {}", reliance_html(reliance)))
                    for reliance in relied_on
                ],
                code="relied_on",
            )


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


class LockedAdminMixin:
    """The admin of a ``LockVersionModel``: its add and change forms refuse a stale save."""

    form = OptimisticLockForm

    def get_fieldsets(self, request, obj=None):
        return _with_lock_field(list(super().get_fieldsets(request, obj)), self.form)


def reliance_html(reliance):
    """One line of a refused delete: what would go, and a link to what relies on it."""
    dependent = reliance.dependent
    opts = dependent._meta
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(dependent.pk)]
        )
    except NoReverseMatch:
        url = dependent.get_absolute_url()
    return format_html(
        '{} “{}”: {} <a href="{}">“{}”</a>. Change that first.',
        capfirst(reliance.obj._meta.verbose_name),
        reliance.obj,
        reliance.reason,
        url,
        dependent,
    )


class GuardedDeleteMixin:
    """Deleting refuses, naming them, what published pages rely on (``editorial.models.reliances``).

    The delete page, the changelist's "delete selected" action and the model's own guard agree:
    the pages ask first and refuse politely; a delete racing past them is refused by the guard
    and reported, not answered with an error page.
    """

    delete_confirmation_template = "admin/editorial/delete_confirmation.html"

    def get_deleted_objects(self, objs, request):
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not protected:
            protected = [reliance_html(reliance) for reliance in reliances(objs)]
        return to_delete, counts, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ProtectedError as error:
            return self._refused(request, error)

    def _refused(self, request, error):
        self.message_user(request, error.args[0], messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


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


class RevisionBlockMixin:
    """Every save through this admin, inlines and actions included, lands in one revision."""

    @contextmanager
    def revision(self, request):
        with reversion.create_revision():
            reversion.set_user(request.user)
            yield

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with self.revision(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        with self.revision(request):
            return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        # The revision a delete keeps (editorial.revisions) names who deleted.
        with self.revision(request):
            return super().delete_view(request, object_id, extra_context)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message() or "Created.")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message() or "Saved with no changes.")
        return entry


class RevisionHistoryMixin(RevisionBlockMixin):
    """History of revisions, a comparison of any two, and revert."""

    #: Fields a revert leaves as they are.
    revert_keeps = ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/revert/",
                view(self.revert_view),
                name="{}_{}_revert".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, name, *args):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_{}".format(*info, name), args=args)

    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id, or not yours to see.")
        return obj

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "opts": self.opts,
            "object": obj,
            "app_label": self.opts.app_label,
            "change_url": self._url("change", quote(obj.pk)),
            "history_url": self._url("history", quote(obj.pk)),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(versions_of(obj))
        rows = [
            {
                "number": number,
                "version": version,
                "revert_url": self._url("revert", quote(obj.pk), version.pk),
            }
            for number, version in enumerate(versions, start=1)
        ]
        rows.reverse()
        context = self._context(
            request,
            obj,
            f"History of {self.opts.verbose_name} “{obj}”",
            rows=rows,
            compare_url=self._url("compare", quote(obj.pk)),
            can_revert=self.has_change_permission(request, obj),
            **(extra_context or {}),
        )
        return TemplateResponse(request, "admin/revisions/history.html", context)

    def compare_view(self, request, object_id):
        obj = self._object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = versions_of(obj)
        try:
            ids = {int(request.GET["a"]), int(request.GET["b"])}
        except (KeyError, ValueError):
            return HttpResponseRedirect(self._url("history", quote(obj.pk)))
        # An id past the database's integers names no revision (and would not fit a query).
        in_range = [pk for pk in ids if 0 < pk < 2**63]
        chosen = sorted(versions.filter(pk__in=in_range), key=lambda version: version.pk)
        if len(chosen) != len(ids) or len(chosen) < 2:
            messages.warning(request, "Choose two different revisions to compare.")
            return HttpResponseRedirect(self._url("history", quote(obj.pk)))
        old, new = chosen
        context = self._context(
            request,
            obj,
            f"Changes to {self.opts.verbose_name} “{obj}”",
            old=old,
            new=new,
            changes=compare(self.model, old, new),
        )
        return TemplateResponse(request, "admin/revisions/compare.html", context)

    def revert_view(self, request, object_id, version_id):
        obj = self._object_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(versions_of(obj), pk=version_id)
        if request.method == "POST":
            try:
                changed, warnings = self.revert_object(request, obj, version)
            except RevertError as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(self._url("history", quote(obj.pk)))
            if changed:
                messages.success(
                    request,
                    f"Restored the revision of {version.revision.date_created:%d %b %Y, %H:%M}; "
                    "the revert is kept as a new revision.",
                )
            else:
                messages.info(request, "That revision matches what is there now: nothing changed.")
            for warning in warnings:
                messages.warning(request, warning)
            return HttpResponseRedirect(self._url("change", quote(obj.pk)))
        latest = versions_of(obj).last()
        context = self._context(
            request,
            obj,
            f"Revert {self.opts.verbose_name} “{obj}”",
            version=version,
            changes=compare(self.model, latest, version) if latest != version else [],
            keeps=[self.opts.get_field(name).verbose_name for name in self.revert_keeps],
        )
        return TemplateResponse(request, "admin/revisions/revert.html", context)

    def revert_object(self, request, obj, version):
        """Restore ``version``; subclasses add what a revert means for their model."""
        return revert(obj, version, user=request.user, keep=self.revert_keeps)


class RecoverDeletedMixin:
    """ "Recover deleted …": the deleted rows of a versioned model, who deleted them and when, a
    preview of what comes back, and a POST that brings one back (``editorial.revisions.recover``),
    recorded as a new revision, then its change form, its history intact.

    Only users who may add and change the model see it; ``may_recover`` narrows it per row
    (a writer's own reviews).
    """

    change_list_template = "admin/editorial/change_list.html"
    recover_per_page = 50

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("recover/", view(self.recover_list_view), name="{}_{}_recover_list".format(*info)),
            path(
                "recover/<int:version_id>/",
                view(self.recover_view),
                name="{}_{}_recover".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_recover_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def may_recover(self, request, version):
        """Whether this user may see and recover this deleted row; all of them by default."""
        return True

    def changelist_view(self, request, extra_context=None):
        if self.has_recover_permission(request):
            extra_context = {
                **(extra_context or {}),
                "recover_url": self._recover_url("recover_list"),
            }
        return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if self.has_recover_permission(request):
            extra_context = {
                **(extra_context or {}),
                "recover_url": self._recover_url("recover_list"),
            }
        return super().delete_view(request, object_id, extra_context)

    def _recover_url(self, name, *args):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_{}".format(*info, name), args=args)

    def _recover_context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "list_url": self._recover_url("recover_list"),
            **extra,
        }

    def recover_list_view(self, request):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_recover_permission(request):
            raise PermissionDenied
        ids = deleted_version_ids(self.model)
        narrowed = type(self).may_recover is not RecoverDeletedMixin.may_recover
        if narrowed:
            versions = Version.objects.filter(pk__in=ids).select_related("revision")
            ids = [
                v.pk for v in sorted(versions, key=lambda v: -v.pk) if self.may_recover(request, v)
            ]
        page = Paginator(ids, self.recover_per_page).get_page(request.GET.get("p"))
        versions = Version.objects.filter(pk__in=list(page.object_list)).select_related(
            "revision__user"
        )
        rows = []
        for version in sorted(versions, key=lambda version: -version.pk):
            deleted_by, deleted_at = deletion_of(version)
            rows.append(
                {
                    "version": version,
                    "deleted_by": deleted_by,
                    "deleted_at": deleted_at,
                    "url": self._recover_url("recover", version.pk),
                }
            )
        context = self._recover_context(
            request,
            f"Recover deleted {self.opts.verbose_name_plural}",
            rows=rows,
            page=page,
            changelist_url=self._recover_url("changelist"),
        )
        return TemplateResponse(request, "admin/revisions/recover_list.html", context)

    def recover_view(self, request, version_id):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_recover_permission(request):
            raise PermissionDenied
        version = deleted_version(self.model, version_id)
        if version is None or not self.may_recover(request, version):
            raise Http404(f"No deleted {self.opts.verbose_name} with this id, or not yours.")
        if request.method == "POST":
            try:
                obj, warnings = self.recover_object(request, version)
            except RecoverError as error:
                messages.error(request, f"“{version.object_repr}” cannot be recovered. {error}")
                return HttpResponseRedirect(self._recover_url("recover_list"))
            self.log_change(request, obj, "Recovered after it was deleted.")
            messages.success(
                request,
                f"Recovered the {self.opts.verbose_name} “{obj}”, with its history; the "
                "recovery is kept as a new revision.",
            )
            for warning in warnings:
                messages.warning(request, warning)
            return HttpResponseRedirect(self._recover_url("change", quote(obj.pk)))
        deleted_by, deleted_at = deletion_of(version)
        plan = recovery_plan(version)
        stored = stored_fields(version)
        fields = [
            (
                capfirst(field.verbose_name),
                display_value(field, python_value(field, stored[field.name])),
            )
            for field in version_fields(self.model)
            if field.editable and field.name in stored
        ]
        context = self._recover_context(
            request,
            f"Recover {self.opts.verbose_name} “{version.object_repr}”",
            version=version,
            deleted_by=deleted_by,
            deleted_at=deleted_at,
            fields=fields,
            followed=[
                (capfirst(other._model._meta.verbose_name), other.object_repr) for other in plan[1:]
            ],
        )
        return TemplateResponse(request, "admin/revisions/recover.html", context)

    def recover_object(self, request, version):
        """Bring the row back; subclasses add what recovering means for their model."""
        return recover(version, user=request.user)


class EditorialAdmin(
    RecoverDeletedMixin,
    GuardedDeleteMixin,
    AuditedAdminMixin,
    RevisionHistoryMixin,
    admin.ModelAdmin,
):
    """A model editors write: audited, versioned, with history, compare and revert,
    recovery once deleted, and deletes refused while published pages rely on it."""
