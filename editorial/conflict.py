"""A stale save you can resolve: both versions side by side, field by field, then a merged form.

When a change form is refused because someone saved the row after it was loaded
(``editorial.locking``), ``ConflictAdminMixin`` answers with the fields where their saved values
and the refused form differ, each with "keep mine / keep theirs", instead of the bare refusal.
Long texts (a body) show as a readable diff. Everything the person posted rides along in the page
as hidden inputs, and is kept as their draft too (``editorial.autosave``), so closing the page
loses nothing. "Build the merged form" keeps the choices as the person's draft, with the lock
version of the row as the page showed it, and opens the change form restored from it: saving
that goes through unless yet another save came in between, which is refused (and resolved) the
same way. Nothing is saved until the person saves the merged form.

Refusals that are not a plain conflict stay as they were: a form that says no version (tampered),
a row deleted since, and a form whose inline rows were changed too (the merged form restores the
main form's fields; the refused form, which keeps the inline rows, is the safer place for those).
"""

import contextlib
import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from editorial.autosave import (
    RESTORE_PARAM,
    RESTORE_VALUE,
    DraftError,
    DraftRestoreMixin,
    held_fields,
    input_names,
    last_saved,
    pairs_of,
    store_draft,
)
from editorial.locking import LOCK_FIELD, LockVersionField
from editorial.revisions import paragraph_diff

KEEP = "_keep_"
MERGE = "_conflict_merge"
VERSION = "_conflict_version"
MINE, THEIRS = "mine", "theirs"
EMPTY = "(empty)"
#: Characters past which a text is shown as a diff of the two versions.
LONG_TEXT = 300


@dataclass
class Difference:
    name: str
    label: str
    theirs: str
    mine: str
    diff: str = ""
    choice: str = ""
    error: str = ""
    inputs: list = dataclass_field(default_factory=list)

    @property
    def choice_name(self):
        return f"{KEEP}{self.name}"


def _same_text(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _shown(field, value):
    """A field's Python value as an editor reads it."""
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return EMPTY
    if isinstance(value, models.Model):
        label = getattr(field, "label_from_instance", str)
        return label(value)
    if isinstance(value, models.QuerySet | list | tuple):
        shown = [_shown(field, item) for item in value]
        return ", ".join(shown) if shown else EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    choices = getattr(field, "flatchoices", None) or getattr(field, "choices", None)
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and choices:
        return str({str(key): label for key, label in choices}.get(str(value), value))
    return str(value)


def _theirs(field, value):
    if isinstance(field, forms.ModelMultipleChoiceField):
        rows = [item for item in value or () if isinstance(item, models.Model)]
        pks = [item for item in value or () if not isinstance(item, models.Model)]
        return rows + list(field.queryset.filter(pk__in=pks)) if pks else rows
    if isinstance(field, forms.ModelChoiceField) and value not in (None, ""):
        if isinstance(value, models.Model):
            return value
        return field.queryset.filter(pk=value).first() or value
    return value


def _mine(field, raw):
    """What the person posted, cleaned if it is valid, as they typed it otherwise."""
    try:
        return field.clean(raw)
    except (ValidationError, ValueError, TypeError, OverflowError):
        if isinstance(raw, list | tuple):
            return " ".join(str(part) for part in raw if part)
        return raw


def _is_long_text(field, *values):
    """A text of paragraphs (a body), read better as a diff than as two texts side by side."""
    widget = getattr(field.widget, "widget", field.widget)
    texts = [value for value in values if isinstance(value, str)]
    return isinstance(widget, forms.Textarea) and any(
        len(text) > LONG_TEXT or "\n" in text.strip() for text in texts
    )


def differences(form, theirs_form):
    """The fields where the posted ``form`` and the row as saved (``theirs_form``) differ."""
    found = []
    for name, field in form.fields.items():
        if name == LOCK_FIELD or field.disabled or isinstance(field, forms.FileField):
            continue
        theirs = theirs_form.get_initial_for_field(theirs_form.fields[name], name)
        raw = form[name].data
        if not field.has_changed(_same_text(theirs), _same_text(raw)):
            continue
        label = str(field.label or name)
        difference = Difference(
            name=name,
            label=label,
            theirs=_shown(field, _theirs(field, theirs)),
            mine=_shown(field, _mine(field, raw)),
            inputs=input_names(type(form), name),
        )
        if _is_long_text(field, theirs, raw):
            difference.diff = paragraph_diff(_same_text(theirs or ""), _same_text(raw or ""))
        found.append(difference)
    return found


def has_changed_inlines(inline_admin_formsets):
    return any(
        form.has_changed() for inline in inline_admin_formsets for form in inline.formset.forms
    )


def is_plain_conflict(form):
    """A refusal because the row moved on since the (versioned) form loaded it."""
    return (
        form.is_bound
        and form.has_error(NON_FIELD_ERRORS, "stale")
        and form.cleaned_data.get(LOCK_FIELD) is not None
    )


class ConflictAdminMixin(DraftRestoreMixin):
    """A change form refused as stale shows both versions and builds a merged form."""

    conflict_template = "admin/editorial/conflict.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None and MERGE in request.POST:
            return self.merge_view(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if (
            request.method == "POST"
            and change
            and obj is not None
            and is_plain_conflict(form)
            and not has_changed_inlines(context.get("inline_admin_formsets", ()))
        ):
            current = self.get_object(request, str(obj.pk))
            if current is not None:
                self.keep_as_draft(request, current, form, form.cleaned_data.get(LOCK_FIELD))
                return self.conflict_response(request, form, current)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def keep_as_draft(self, request, obj, form, version):
        with contextlib.suppress(DraftError):  # the page below still holds every value
            store_draft(
                request.user,
                self.model,
                obj.pk,
                data=pairs_of(request.POST),
                fields=held_fields(type(form), request.POST.keys() | set(form.fields)),
                base_version=version,
            )

    def conflict_response(self, request, form, current, choices=None, errors=()):
        theirs_form = type(form)(instance=current)
        rows = differences(form, theirs_form)
        for row in rows:
            row.choice = (choices or {}).get(row.name, "")
            if row.name in errors:
                row.error = f"Choose whose “{row.label}” to keep."
        who, when = last_saved(current)
        change_url = self._form_url(current)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Both of you changed this {self.opts.verbose_name}",
            "subtitle": str(current),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "object": current,
            "original": current,
            "has_view_permission": True,
            "who": who,
            "when": when,
            "rows": rows,
            "errors": bool(errors),
            "hidden": pairs_of(request.POST),
            "version": current.lock_version,
            "version_name": VERSION,
            "merge_name": MERGE,
            "change_url": change_url,
            "restore_url": f"{change_url}?{RESTORE_PARAM}={RESTORE_VALUE}",
            "media": self.media,
            "is_popup": False,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.conflict_template, context)

    def merge_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id, or not yours to change.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = LockVersionField().clean(request.POST.get(VERSION, ""))
        if version is None:
            return HttpResponseBadRequest("This merge does not say which version it was built on.")
        form_class = self.get_form(request, obj, change=True)
        choices = {
            name[len(KEEP) :]: value
            for name, value in request.POST.items()
            if name.startswith(KEEP)
        }
        unknown = sorted(set(choices) - set(form_class.base_fields) - {LOCK_FIELD})
        if unknown or any(value not in (MINE, THEIRS) for value in choices.values()):
            return HttpResponseBadRequest(
                "This merge names fields the form does not have, or a choice other than "
                "“mine” and “theirs”."
            )
        # Bound to a copy of its own: validating a form writes the posted values into its row.
        form = form_class(request.POST, request.FILES, instance=self.get_object(request, obj.pk))
        if version != obj.lock_version:
            # Someone saved again since the conflict page: show it again, against theirs.
            form.is_valid()
            messages.warning(
                request,
                f"This {self.opts.verbose_name} was saved again while you chose: here are the "
                "differences with what is saved now.",
            )
            return self.conflict_response(request, form, obj, choices)
        rows = differences(form, form_class(instance=obj))
        missing = {row.name for row in rows if row.name not in choices}
        if missing:
            return self.conflict_response(request, form, obj, choices, errors=missing)
        theirs = {row.name for row in rows if choices[row.name] == THEIRS}
        data = [
            [name, str(version) if name == LOCK_FIELD else value]
            for name, value in pairs_of(request.POST)
        ]
        if not any(name == LOCK_FIELD for name, _ in data):
            data.append([LOCK_FIELD, str(version)])
        posted = request.POST.keys() | set(form_class.base_fields)
        fields = [name for name in held_fields(form_class, posted) if name not in theirs]
        store_draft(
            request.user, self.model, obj.pk, data=data, fields=fields, base_version=version
        )
        kept_mine = [row.label for row in rows if row.name not in theirs]
        kept_theirs = [row.label for row in rows if row.name in theirs]
        messages.success(request, self.merged_message(kept_mine, kept_theirs))
        return HttpResponseRedirect(f"{self._form_url(obj)}?{RESTORE_PARAM}={RESTORE_VALUE}")

    def merged_message(self, kept_mine, kept_theirs):
        parts = []
        if kept_mine:
            parts.append("yours for " + ", ".join(f"“{label}”" for label in kept_mine))
        if kept_theirs:
            parts.append("theirs for " + ", ".join(f"“{label}”" for label in kept_theirs))
        what = " and ".join(parts) or "no differences left"
        return format_html(
            "Merged: {}. Check the form below and save it: nothing is saved yet.", what
        )


__all__ = ["ConflictAdminMixin", "differences"]
