"""Pasting a cue sheet into a film and a tracklist into an album, and exporting a cue sheet.

Each paste is a preview, then a save: the editor pastes text, sees every row as it would be
saved with the errors named by row and column, and saves only when no row has one. The save
reads and checks the same text again, inside a transaction that holds the film (or album) row,
so nothing is trusted from the preview page; a hidden digest of the previewed text only makes
sure that what is saved is what the editor saw. Reading the text is ``soundtracks.pasting``'s;
this module does its lookups (one query each for the film's cues, its credits and the people a
paste names) and the writes, in bulk, with one revision.
"""

import hashlib

import reversion
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from editorial.admin import stamp
from films.models import Credit, Film, Person
from pagecache import keys as page_keys
from soundtracks import pasting
from soundtracks.models import Cue, Soundtrack, Track

PASTE_CSS = "admin/css/paste.css"


def digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class PasteForm(forms.Form):
    """The pasted text, and the digest of the text last previewed (set by the view)."""

    text = forms.CharField(
        strip=False,
        # No max_length: a browser would cut a longer paste short without a word. The limit is
        # checked on the server, with a message.
        widget=forms.Textarea(
            attrs={"rows": 14, "cols": 100, "spellcheck": "false", "wrap": "off"}
        ),
    )
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own NUL check speaks of "null characters"; pasting says what to do instead.
        self.fields["text"].validators = []
        self.rows = []

    @property
    def row_errors(self):
        return [message for row in self.rows for message in row.messages]

    def mark_previewed(self):
        """Show the text's digest in the form: saving then means saving what was previewed."""
        self.data = self.data.copy()
        self.data[self.add_prefix("previewed")] = digest(self.cleaned_data["text"])

    @property
    def is_previewed(self):
        return self.cleaned_data.get("previewed") == digest(self.cleaned_data["text"])

    def refuse_rows(self, noun):
        failed = [row.number for row in self.rows if row.errors]
        if failed:
            shown = ", ".join(str(number) for number in failed[:20])
            more = f" and {len(failed) - 20:,} more" if len(failed) > 20 else ""
            raise ValidationError(
                f"{len(failed):,} of {len(self.rows):,} {noun}{'s' if len(self.rows) != 1 else ''} "
                f"{'has an error' if len(failed) == 1 else 'have errors'} ({noun} {shown}{more}), "
                f"shown below. Nothing is saved until every {noun} is valid."
            )


class CueSheetPasteForm(PasteForm):
    text = forms.CharField(
        label="Cue sheet",
        strip=False,
        widget=PasteForm.base_fields["text"].widget,
        help_text=(
            "Copy the table from a spreadsheet (tab-separated) or paste CSV. The first row names "
            "the columns: Cue (or Cue #, No.), Title, Composer, Performer, Usage (BI, BV, VI, VV, "
            "MT, ET or the words), In, Out and Duration (m:ss or h:mm:ss), Scene, Spoiler. Only "
            "Title is needed; other columns are ignored. Rows are numbered as in the "
            "spreadsheet: the header is row 1. An empty Composer means the film's composers. "
            f"At most {pasting.MAX_ROWS:,} rows at a time."
        ),
    )
    known_from = forms.ChoiceField(
        label="Known from",
        choices=[("", "Not known"), *Cue.Source.choices],
        initial=Cue.Source.CUE_SHEET,
        required=False,
        help_text="For every pasted cue.",
    )
    source_detail = forms.CharField(
        label="Source",
        max_length=Cue._meta.get_field("source_detail").max_length,
        required=False,
        help_text="Which cue sheet, or a web address, for every pasted cue.",
    )

    field_order = ("text", "known_from", "source_detail", "previewed")

    def __init__(self, *args, film, **kwargs):
        super().__init__(*args, **kwargs)
        self.film = film
        self.columns, self.ignored = {}, []

    def clean(self):
        cleaned = super().clean()
        if "text" not in cleaned:
            return cleaned
        try:
            table = pasting.read_table(cleaned["text"])
            self.columns, self.ignored = pasting.map_columns(table.header, pasting.CUE_COLUMNS)
            if "title" not in self.columns:
                found = ", ".join(f"“{name[:40]}”" for name in table.header[:8])
                raise pasting.PasteError(
                    "The first row must name the columns, with one called Title (and Cue, "
                    f"Composer, Usage, In, Out, Duration as you have them); it holds {found}."
                )
            if not table.rows:
                raise pasting.only_a_header(table)
            names = pasting.names_to_look_up(table, self.columns)
        except pasting.PasteError as error:
            raise ValidationError({"text": str(error)}) from error
        self.sheet = cue_sheet_of(self.film, names)
        self.rows = pasting.check_cue_rows(table, self.columns, self.sheet)
        self.refuse_rows("row")
        return cleaned


def cue_sheet_of(film, names):
    """What a paste is checked against, in three queries: the film's cues, its credits, and
    every person a composer or performer cell may name."""
    existing = list(Cue.objects.filter(film=film).values_list("code", "title", "slug", "order"))
    credits = list(Credit.objects.filter(film=film).select_related("person"))
    persons = []
    if names:
        lowered = {name.lower() for name in names}
        slugs = {slugify(name) for name in names} | {name for name in names if len(name) <= 50}
        persons = Person.objects.annotate(lowered=Lower("name")).filter(
            Q(lowered__in=lowered) | Q(slug__in=slugs)
        )
    composers = [credit.person for credit in credits if credit.role == Credit.Role.COMPOSER]
    return pasting.CueSheet(
        runtime=film.runtime * 60 if film.runtime else None,
        codes={code.casefold(): title for code, title, _, _ in existing if code},
        people=pasting.People.of(persons, preferred={credit.person_id for credit in credits}),
        default_composers=composers,
        slugs={slug for _, _, slug, _ in existing},
        last_order=max((order for *_, order in existing), default=0),
    )


def save_pasted_cues(film, form, user):
    """Append the form's cues to the film, after its cues in film order, in bulk inserts, and
    move the page cache's version on (bulk inserts send no signals). The caller keeps the cues
    in a revision."""
    rows, sheet = form.rows, form.sheet
    slugs = pasting.unique_slugs(
        (row.values["code"] or row.values["title"] for row in rows), sheet.slugs
    )
    cues = []
    for number, (row, slug) in enumerate(zip(rows, slugs, strict=True), start=1):
        values = row.values
        cue = Cue(
            film=film,
            order=sheet.last_order + number,
            code=values["code"],
            title=values["title"],
            slug=slug,
            start=values["start"],
            end=values["end"],
            duration=values["duration"],
            usage=values["usage"],
            scene=values["scene"],
            scene_is_spoiler=values["spoiler"],
            known_from=form.cleaned_data["known_from"],
            source_detail=form.cleaned_data["source_detail"],
            lock_version=1,  # as a first save() makes it
        )
        stamp(cue, user)
        cues.append(cue)
    using = router.db_for_write(Cue)
    Cue.objects.bulk_create(cues)
    if any(cue.pk is None for cue in cues):  # a backend that returns no ids from a bulk insert
        ids = dict(Cue.objects.filter(film=film, slug__in=slugs).values_list("slug", "pk"))
        for cue in cues:
            cue.pk = ids[cue.slug]
    for name in ("composers", "performers"):
        through = getattr(Cue, name).through
        through.objects.bulk_create(
            through(cue_id=cue.pk, person_id=person.pk)
            for cue, row in zip(cues, rows, strict=True)
            for person in row.values[name]
        )
    # Bulk inserts send no signals: the page cache and the front cache are told here.
    page_keys.purge(set().union(*(page_keys.for_change(cue, using) for cue in cues)), using)
    return cues


class _PasteViews:
    """URLs, permission and object lookup shared by both pastes."""

    def _paste_url(self, name, obj):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_{}".format(*info, name), args=[quote(obj.pk)])

    def _paste_object(self, request, object_id, *, change=True):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_or_change_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def _paste_context(self, request, obj, title, form, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "opts": self.opts,
            "object": obj,
            "app_label": self.opts.app_label,
            "change_url": self._paste_url("change", obj),
            "form": form,
            "media": self.media + form.media,
            "paste_css": PASTE_CSS,
            **extra,
        }

    def _paste(self, request, obj, form, save):
        """Check the posted form; save it when asked and it holds what was previewed. Return a
        redirect once saved, else ``None`` (the page shows the preview)."""
        if not form.is_valid():
            return None
        if "save" in request.POST and form.is_previewed:
            try:
                with transaction.atomic():
                    saved = save()
            except IntegrityError:
                # Where the row lock does not serialise pastes (SQLite), another save can take
                # a code or a position between this one's check and its insert.
                messages.error(
                    request,
                    "Someone else changed this while you saved, and nothing was saved: check "
                    "this preview again, then save.",
                )
                return None
            messages.success(request, saved)
            return HttpResponseRedirect(self._paste_url("change", obj))
        if "save" in request.POST:
            messages.warning(
                request, "The text changed since its preview: check this preview, then save."
            )
        form.mark_previewed()
        return None

    def _log_paste(self, request, obj, message, follow=()):
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.add_to_revision(obj)
            for each in follow:
                reversion.add_to_revision(each)
            self.log_change(request, obj, message)
            reversion.set_comment(message)


class PasteCueSheetMixin(_PasteViews):
    """On the film's admin: paste a cue sheet (CSV or tab-separated), export it as CSV."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/cue-sheet/paste/",
                view(self.paste_cue_sheet_view),
                name="{}_{}_paste_cue_sheet".format(*info),
            ),
            path(
                "<path:object_id>/cue-sheet/export/",
                view(self.export_cue_sheet_view),
                name="{}_{}_export_cue_sheet".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            context["export_cue_sheet_url"] = self._paste_url("export_cue_sheet", obj)
            if self.has_change_permission(request, obj):
                context["paste_cue_sheet_url"] = self._paste_url("paste_cue_sheet", obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def paste_cue_sheet_view(self, request, object_id):
        film = self._paste_object(request, object_id)
        form = CueSheetPasteForm(film=film)
        if request.method == "POST":
            form = CueSheetPasteForm(request.POST, film=film)
            with transaction.atomic():
                # One paste at a time into a film: the next one is checked against this one's cues.
                Film.objects.select_for_update().filter(pk=film.pk).first()
                done = self._paste(
                    request, film, form, lambda: self._save_cues(request, film, form)
                )
            if done:
                return done
        columns = _cue_preview_columns(form.columns)
        context = self._paste_context(
            request,
            film,
            f"Paste a cue sheet into “{film}”",
            form,
            rows=[_cue_preview(row, columns) for row in form.rows],
            column_labels=[label for _, label in columns],
            ignored=form.ignored,
            can_save=form.is_bound and form.is_valid(),
            export_url=self._paste_url("export_cue_sheet", film),
            runtime=pasting.format_duration(film.runtime * 60) if film.runtime else "",
        )
        return TemplateResponse(request, "admin/soundtracks/paste_cue_sheet.html", context)

    def _save_cues(self, request, film, form):
        cues = save_pasted_cues(film, form, request.user)
        # Each new cue's revision reads its album links (none yet), composers and performers;
        # prefetched, that is three queries for them all. The serializer takes prefetched
        # people as they are, so they are ordered as it would order them (name, then id).
        in_order = Person.objects.order_by("name", "pk")
        prefetch_related_objects(
            cues,
            "track_links",
            Prefetch("composers", queryset=in_order),
            Prefetch("performers", queryset=in_order),
        )
        count = len(cues)
        message = f"Pasted {count} cue{'s' if count != 1 else ''} from a cue sheet."
        self._log_paste(request, film, message, follow=cues)
        return f"{message} They follow the film's other cues, in the cue sheet below."

    def export_cue_sheet_view(self, request, object_id):
        film = self._paste_object(request, object_id, change=False)
        cues = film.cues.in_film_order().prefetch_related("composers", "performers")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{film.slug}-cue-sheet.csv"
        )
        # The byte order mark makes spreadsheets read the file as UTF-8; a paste ignores it.
        response.write("\ufeff" + pasting.cue_sheet_csv(cues))
        return response


CUE_PREVIEW_COLUMNS = {
    "code": "Cue",
    "title": "Title",
    "composers": "Composers",
    "performers": "Performers",
    "usage": "Usage",
    "start": "In",
    "end": "Out",
    "duration": "Length",
    "scene": "Scene",
    "spoiler": "Spoiler",
}
#: Always shown: the composers default to the film's, and in, out and length derive each other.
_ALWAYS = {"title", "composers", "start", "end", "duration"}


def _cue_preview_columns(columns):
    return [
        (key, label)
        for key, label in CUE_PREVIEW_COLUMNS.items()
        if key in columns or key in _ALWAYS or (key == "usage" and "usage" in columns)
    ]


def _cue_preview(row, columns):
    cells = {key: row.display(key) for key, _ in columns}
    if row.values.get("usage"):
        cells["usage"] = Cue.Usage(row.values["usage"]).label
    return {
        "number": row.number,
        "cells": [cells[key] for key, _ in columns],
        "errors": row.messages,
        "notes": row.notes,
    }


class TracklistPasteForm(PasteForm):
    text = forms.CharField(
        label="Tracklist",
        strip=False,
        widget=PasteForm.base_fields["text"].widget,
        help_text=(
            "One track a line: “1. Init 3:15”, “1-07 I Know You Can Feel It 4:02” (disc 1, "
            "track 7), “7 Title” (no duration). A line “Disc 2” sets the disc of the lines after "
            "it; ♪ or “(vocal)” marks a song. From a spreadsheet, copy the columns track number, "
            "title, duration (tab-separated), or add a header row naming Disc, Track, Title, "
            f"Duration, Artist, Vocal. At most {pasting.MAX_ROWS:,} lines at a time."
        ),
    )

    def __init__(self, *args, album, **kwargs):
        super().__init__(*args, **kwargs)
        self.album = album

    def clean(self):
        cleaned = super().clean()
        if "text" not in cleaned:
            return cleaned
        existing = Track.objects.filter(soundtrack=self.album).values_list(
            "disc", "position", "title"
        )
        tracklist = pasting.Tracklist({(disc, pos): title for disc, pos, title in existing})
        try:
            self.rows = pasting.read_tracklist(cleaned["text"], tracklist)
        except pasting.PasteError as error:
            raise ValidationError({"text": str(error)}) from error
        self.refuse_rows("line")
        return cleaned


class PasteTracklistMixin(_PasteViews):
    """On the album's admin: paste a tracklist."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/tracklist/paste/",
                self.admin_site.admin_view(self.paste_tracklist_view),
                name="{}_{}_paste_tracklist".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and self.has_change_permission(request, obj):
            context["paste_tracklist_url"] = self._paste_url("paste_tracklist", obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def paste_tracklist_view(self, request, object_id):
        album = self._paste_object(request, object_id)
        form = TracklistPasteForm(album=album)
        if request.method == "POST":
            form = TracklistPasteForm(request.POST, album=album)
            with transaction.atomic():
                Soundtrack.objects.select_for_update().filter(pk=album.pk).first()
                done = self._paste(
                    request, album, form, lambda: self._save_tracks(request, album, form)
                )
            if done:
                return done
        show_artist = any(row.values.get("artist") for row in form.rows)
        context = self._paste_context(
            request,
            album,
            f"Paste a tracklist into “{album}”",
            form,
            rows=[_track_preview(row, show_artist) for row in form.rows],
            columns=[
                "Disc",
                "Track",
                "Title",
                "Duration",
                *(["Artist"] if show_artist else []),
                "Vocal",
            ],
            can_save=form.is_bound and form.is_valid(),
        )
        return TemplateResponse(request, "admin/soundtracks/paste_tracklist.html", context)

    def _save_tracks(self, request, album, form):
        tracks = [
            Track(
                soundtrack=album,
                disc=row.values["disc"],
                position=row.values["position"],
                title=row.values["title"],
                duration=row.values["duration"],
                artist_credit=row.values["artist"],
                is_vocal=row.values["vocal"],
                lock_version=1,
            )
            for row in form.rows
        ]
        Track.objects.bulk_create(tracks)
        # Bulk inserts send no signals: the page cache and the front cache are told here.
        using = router.db_for_write(Track)
        page_keys.purge(set().union(*(page_keys.for_change(t, using) for t in tracks)), using)
        # The album's revision follows its tracks, and each track its notes: prefetched, they
        # cost two queries for the whole album.
        album = Soundtrack.objects.prefetch_related("tracks__notes").get(pk=album.pk)
        count = len(tracks)
        message = f"Pasted {count} track{'s' if count != 1 else ''} from a tracklist."
        self._log_paste(request, album, message)
        return message


def _track_preview(row, show_artist):
    keys = ("disc", "position", "title", "duration", *(("artist",) if show_artist else ()))
    cells = [row.display(key) for key in keys]
    cells.append("yes" if row.values.get("vocal") else "")
    return {"number": row.number, "cells": cells, "errors": row.messages}
