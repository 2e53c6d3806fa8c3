"""Recovering deleted rows in the admin: the "Recover deleted …" list, a preview, and a POST that
brings one back (``editorial.revisions.recover``)."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from reversion.models import Version

from editorial.revisions import (
    RecoverError,
    deleted_version,
    deleted_version_ids,
    deletion_of,
    display_value,
    python_value,
    recover,
    recovery_plan,
    stored_fields,
    version_fields,
)


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
