"""Revisions in the admin: every save lands in one revision; history, compare and revert.

``RevisionBlockMixin`` records every admin save (forms, inlines, actions) in a revision with its
user and change message. ``RevisionHistoryMixin`` adds the history of revisions, a readable
comparison of any two and a revert (itself a new revision).
"""

from contextlib import contextmanager

import reversion
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from editorial.revisions import (
    RevertError,
    compare,
    revert,
    versions_of,
)


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
