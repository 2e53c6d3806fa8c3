"""Unsaved drafts of admin forms: autosaved to the server, restored on return, never a revision.

``AutosaveAdminMixin`` makes an admin's add and change forms post what they hold, a few seconds
after each change, to ``…/autosave/`` (``static/editorial/autosave.js``, loaded as the admin's
media: no inline script). The server keeps one ``DraftBuffer`` per person and row; it touches
neither the row, nor its revisions, nor the admin log. Back at the form, a notice offers the
draft: "You have unsaved changes from 10:42 — Restore / Discard". Restoring renders the form
with the draft's values (server side, so autocompletes show their labels) and with the lock
version the draft was loaded from: if someone saved since, saving the restored form is refused
as stale like any other, and the conflict view (``editorial.conflict``) shows both versions.
A real save deletes the draft.

``DraftRestoreMixin`` is the restoring half, which the conflict view uses too (its merged form
is a draft): ``?_restore=draft`` on a change or add form fills it from the person's draft.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError, transaction
from django.forms.utils import pretty_name
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from editorial.locking import LOCK_FIELD, LockVersionField, saved_by
from editorial.models import DraftBuffer

RESTORE_PARAM = "_restore"
RESTORE_VALUE = "draft"
#: Names a form posts that are no field's value: never kept in a draft.
NOT_KEPT = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_saveasnew"}
#: The longest name of a form input a draft keeps (inline rows: "credits-12-character_0").
MAX_NAME = 200


class DraftError(ValueError):
    """A draft that cannot be kept as sent: the message says why, for the editor."""


# What a form posts, and what it means for its fields -----------------------------------------


def input_names(form_class, name):
    """The input names a field of an admin form posts: ``publish_at_0`` and ``_1`` for a split
    date and time, the field's own name otherwise."""
    widget = form_class.base_fields[name].widget
    widget = getattr(widget, "widget", widget)  # the admin's related-field wrapper
    if isinstance(widget, forms.MultiWidget):
        return [f"{name}{suffix}" for suffix in widget.widgets_names]
    return [name]


def as_data(pairs):
    data = MultiValueDict()
    for name, value in pairs:
        data.appendlist(name, value)
    return data


def pairs_of(querydict):
    """A posted form as ``[name, value]`` pairs, without the token and the submit buttons."""
    return [
        [name, value]
        for name, values in querydict.lists()
        if name not in NOT_KEPT and not name.startswith("_keep_") and not name.startswith("_conf")
        for value in values
    ]


def held_fields(form_class, names):
    """The fields of ``form_class`` whose inputs are among ``names`` (those the page had)."""
    names = set(names)
    return [
        name
        for name in form_class.base_fields
        if any(each in names for each in input_names(form_class, name))
    ]


def field_value(field, data, name):
    return field.widget.value_from_datadict(data, MultiValueDict(), name)


def restored_initial(form_class, draft):
    """The initial values that show the draft's values in an unbound form of ``form_class``."""
    data = as_data(draft.data)
    return {
        name: field_value(form_class.base_fields[name], data, name)
        for name in draft.fields
        if name in form_class.base_fields
    }


def _same_text(value):
    # Browsers post CRLF line ends, scripts LF: not a change anybody made.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def changed_fields(form, draft):
    """The fields of unbound ``form`` (as the page shows the row now) that the draft changes."""
    data = as_data([[name, _same_text(value)] for name, value in draft.data])
    changed = []
    for name in draft.fields:
        field = form.fields.get(name)
        if field is None or name == LOCK_FIELD or field.disabled:
            continue
        initial = _same_text(form.get_initial_for_field(field, name))
        if field.has_changed(initial, field_value(field, data, name)):
            changed.append(name)
    return changed


def moment(value):
    """A draft's time as the desk reads it: "10:42" today, "2 Dec 2026, 10:42" before."""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j M Y, H:i")


# Keeping a draft --------------------------------------------------------------------------------


def store_draft(user, model, object_id, *, data, fields, base_version):
    """Keep ``data`` as the one draft of ``user`` for the row (None: a new one); return when.

    No revision, no log entry, and the row itself is not touched.
    """
    values = {
        "data": data,
        "fields": fields,
        "base_version": base_version,
        "saved_at": timezone.now(),
    }
    drafts = DraftBuffer.objects.of(user, model, object_id)
    # Two autosaves at once (two tabs) may both find none: the second then updates the first's.
    for _attempt in range(2):
        if drafts.update(**values):
            return values["saved_at"]
        try:
            with transaction.atomic():
                DraftBuffer.objects.create(
                    user=user,
                    content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
                    object_id=None if object_id is None else str(object_id),
                    **values,
                )
            return values["saved_at"]
        except IntegrityError:
            continue
    raise DraftError("The draft could not be kept; try again.")


def parse_draft(body, form_class, *, max_chars, max_inputs):
    """The pairs and held fields of an autosave's JSON body, or DraftError.

    The body is ``{"data": [[name, value], …], "names": [every input name of the form]}``.
    A value is at most its field's ``max_length``, or ``max_chars`` (the longest text the site
    takes, e.g. a review's body); a form has at most ``max_inputs`` inputs.
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise DraftError("The draft is not JSON.") from error
    if not isinstance(payload, dict):
        raise DraftError("The draft is not a JSON object.")
    pairs, names = payload.get("data"), payload.get("names")
    if not isinstance(pairs, list) or not isinstance(names, list):
        raise DraftError("The draft needs its data and the form's input names, as lists.")
    if len(pairs) > max_inputs or len(names) > max_inputs:
        raise DraftError(f"A form has at most {max_inputs:,} inputs.")
    if not all(isinstance(name, str) and len(name) <= MAX_NAME for name in names):
        raise DraftError("An input name is not a short text.")
    limits = _limits(form_class, max_chars)
    kept = []
    for pair in pairs:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
            and len(pair[0]) <= MAX_NAME
        ):
            raise DraftError("Each value of the draft is a pair of texts: its name and value.")
        name, value = pair
        if name in NOT_KEPT:
            continue
        limit, label = limits.get(name, (max_chars, name))
        if len(value) > limit:
            raise DraftError(
                f"Not autosaved: {label} is {len(value):,} characters long, and can be at most "
                f"{limit:,}. Shorten it to keep autosaving."
            )
        kept.append(pair)
    return kept, held_fields(form_class, names)


def _limits(form_class, max_chars):
    limits = {}
    for name, field in form_class.base_fields.items():
        limit = getattr(field, "max_length", None) or max_chars
        label = f"“{field.label or pretty_name(name)}”"
        for each in input_names(form_class, name):
            limits[each] = (min(limit, max_chars), label)
    return limits


def base_version_of(pairs):
    for name, value in pairs:
        if name == LOCK_FIELD:
            return LockVersionField().clean(value)
    return None


# The admin ----------------------------------------------------------------------------------


class DraftRestoreMixin:
    """``?_restore=draft`` fills the add or change form from this person's draft, keeping the
    lock version the draft was loaded from; the save that follows deletes the draft."""

    def _draft_url(self, name, obj):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        if obj is None:
            return reverse("{}:{}_{}_add_{}".format(*info, name))
        return reverse("{}:{}_{}_{}".format(*info, name), args=[quote(obj.pk)])

    def _form_url(self, obj):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        if obj is None:
            return reverse("{}:{}_{}_add".format(*info))
        return reverse("{}:{}_{}_change".format(*info), args=[quote(obj.pk)])

    def drafts_of(self, request, obj):
        return DraftBuffer.objects.of(request.user, self.model, None if obj is None else obj.pk)

    def is_restoring(self, request):
        return request.GET.get(RESTORE_PARAM) == RESTORE_VALUE

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if request.method != "GET" or not self.is_restoring(request):
            return form
        if not hasattr(request, "_restored_draft"):  # get_form runs more than once a request
            request._restored_draft = self.drafts_of(request, obj).first()
        draft = request._restored_draft
        if draft is None:
            return form
        initial = restored_initial(form, draft)

        class RestoredForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if not self.is_bound:
                    self.initial.update(initial)

        RestoredForm.__name__ = form.__name__
        return RestoredForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "GET" and self.is_restoring(request):
            draft = getattr(request, "_restored_draft", None)
            if draft is None:
                messages.info(
                    request, "There is no unsaved draft to restore: this is the form as saved."
                )
            else:
                messages.warning(request, self.restored_message(draft, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def restored_message(self, draft, obj):
        message = (
            f"Restored your unsaved changes from {moment(draft.saved_at)}. They are not saved "
            "until you save the form."
        )
        if obj is not None and draft.base_version != obj.lock_version:
            who, when = last_saved(obj)
            message += (
                f" {who} saved this {self.opts.verbose_name}{when} since you opened it: saving "
                "shows you both versions, to choose between them field by field."
            )
        return message

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if self.forgets_drafts_on_save(request):
            self.forget_drafts(request, obj, change)

    def forgets_drafts_on_save(self, request):
        # Only a restored form had a draft (a query on every save of every admin otherwise).
        return self.is_restoring(request)

    def forget_drafts(self, request, obj, change):
        self.drafts_of(request, obj).delete()
        if not change:
            self.drafts_of(request, None).delete()


def last_saved(obj):
    """Who saved ``obj`` last and " at <when>", as far as the row says."""
    user = getattr(obj, "updated_by", None) if hasattr(obj, "updated_by_id") else None
    at = getattr(obj, "updated_at", None)
    when = f" at {date_format(timezone.localtime(at), 'DATETIME_FORMAT')}" if at else ""
    return saved_by(user), when


class AutosaveAdminMixin(DraftRestoreMixin):
    """Autosave the add and change forms into one draft per person and row; offer it back."""

    #: The longest value a draft keeps for a field without a ``max_length`` of its own: the
    #: longest text the site takes (a review's body, ``reviews.markdown.MAX_LENGTH``).
    autosave_max_chars = 100_000
    #: The most inputs a form posts (Django's own limit for a form).
    autosave_max_inputs = 1_000
    #: The largest request an autosave takes, in bytes.
    autosave_max_bytes = 2_500_000

    @property
    def media(self):
        return super().media + forms.Media(
            js=["editorial/autosave.js"], css={"all": ["editorial/drafts.css"]}
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "add/autosave/", view(self.autosave_view), name="{}_{}_add_autosave".format(*info)
            ),
            path(
                "add/draft/discard/",
                view(self.discard_draft_view),
                name="{}_{}_add_discard".format(*info),
            ),
            path(
                "<path:object_id>/autosave/",
                view(self.autosave_view),
                name="{}_{}_autosave".format(*info),
            ),
            path(
                "<path:object_id>/draft/discard/",
                view(self.discard_draft_view),
                name="{}_{}_discard".format(*info),
            ),
            *super().get_urls(),
        ]

    def _draft_object(self, request, object_id):
        """The row a draft belongs to (None: a new one), if this person may change it."""
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id, or not yours to change.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def autosave_view(self, request, object_id=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._draft_object(request, object_id)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.autosave_max_bytes:
            return _refused(f"Not autosaved: a draft is at most {self.autosave_max_bytes:,} bytes.")
        try:
            body = request.body
        except RequestDataTooBig:
            return _refused("Not autosaved: the draft is too large.")
        if len(body) > self.autosave_max_bytes:
            return _refused(f"Not autosaved: a draft is at most {self.autosave_max_bytes:,} bytes.")
        form_class = self.get_form(request, obj, change=obj is not None)
        try:
            pairs, fields = parse_draft(
                body,
                form_class,
                max_chars=self.autosave_max_chars,
                max_inputs=self.autosave_max_inputs,
            )
            saved_at = store_draft(
                request.user,
                self.model,
                None if obj is None else obj.pk,
                data=pairs,
                fields=fields,
                base_version=base_version_of(pairs) if obj is not None else None,
            )
        except DraftError as error:
            return _refused(str(error))
        at = date_format(timezone.localtime(saved_at), "H:i:s")
        return JsonResponse(
            {
                "saved_at": saved_at.isoformat(),
                "message": f"Autosaved at {at} (a draft: not saved yet, and not in the history).",
            }
        )

    def discard_draft_view(self, request, object_id=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._draft_object(request, object_id)
        count, _ = self.drafts_of(request, obj).delete()
        if count:
            messages.success(request, "Discarded your unsaved changes.")
        else:
            messages.info(request, "There were no unsaved changes to discard.")
        return HttpResponseRedirect(self._form_url(obj))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        popup = IS_POPUP_VAR in request.GET
        if request.method == "GET" and not popup and not self.is_restoring(request):
            draft = self.drafts_of(request, obj).first()
            if draft is not None:
                form = context["adminform"].form
                changed = changed_fields(form, draft)
                if changed:
                    labels = [str(form.fields[name].label or pretty_name(name)) for name in changed]
                    messages.warning(request, self.draft_notice(request, draft, obj, labels))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def draft_notice(self, request, draft, obj, labels):
        since = ""
        if obj is not None and draft.base_version != obj.lock_version:
            who, when = last_saved(obj)
            since = format_html(
                " {} saved this {}{} after you opened it: restoring brings your version back, "
                "and saving it then shows both, to choose between them.",
                who,
                self.opts.verbose_name,
                when,
            )
        restore = f"{self._form_url(obj)}?{RESTORE_PARAM}={RESTORE_VALUE}"
        return format_html(
            '<span class="draft-notice">You have unsaved changes from {} ({}).{} '
            '<a class="button" href="{}">Restore</a> '
            '<form class="draft-discard" method="post" action="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit" class="button">Discard</button></form></span>',
            moment(draft.saved_at),
            format_html_join(", ", "{}", ((label,) for label in labels)),
            since,
            restore,
            self._draft_url("discard", obj),
            get_token(request),
        )

    def forgets_drafts_on_save(self, request):
        # Saved: the draft is what was saved, or what the person chose to leave behind.
        return True


def _refused(message):
    return JsonResponse({"error": message}, status=400)


__all__ = [
    "AutosaveAdminMixin",
    "DraftError",
    "DraftRestoreMixin",
    "changed_fields",
    "parse_draft",
    "restored_initial",
    "store_draft",
]
