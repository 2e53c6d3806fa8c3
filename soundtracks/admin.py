from django.contrib import admin
from django.db.models import Count, Sum

from editorial.admin import (
    EditorialAdmin,
    GuardedDeleteMixin,
    LockedAdminMixin,
    LockedInlineMixin,
    RecoverDeletedMixin,
    RevisionBlockMixin,
    stamp,
)
from editorial.admin_input import InputSafeAdminMixin, InputSafeInlineMixin
from editorial.filters import year_filter
from editorial.locking import OptimisticLockForm
from editorial.revisions import stored_fields
from films.admin import FilmAdmin
from films.models import Film
from images.admin import IMAGES_CSS, image_columns
from soundtracks.admin_cues import CueInline, give_film_composers, scoped_results
from soundtracks.admin_paste import PasteCueSheetMixin, PasteTracklistMixin
from soundtracks.durations import format_duration
from soundtracks.models import Cue, Soundtrack, Track, TrackNote


def _label_row(form, row):
    """Name each input of a tabular row: its only label is the column's heading."""
    for formfield in form.fields.values():
        if not formfield.widget.is_hidden:
            formfield.widget.attrs["aria-label"] = f"{formfield.label}, {row}"
    return form


class _LabelledRows:
    def _construct_form(self, i, **kwargs):
        return _label_row(super()._construct_form(i, **kwargs), f"row {i + 1}")

    @property
    def empty_form(self):
        return _label_row(super().empty_form, "new row")


class TrackInline(InputSafeInlineMixin, LockedInlineMixin, admin.TabularInline):
    model = Track
    fields = ("disc", "position", "title", "duration", "artist_credit", "is_vocal")
    extra = 0
    show_change_link = True

    class Media:
        css = {"all": ("soundtracks/track_inline.css",)}
        js = ("soundtracks/track_inline.js",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (_LabelledRows, formset), {})


@admin.register(Soundtrack)
class SoundtrackAdmin(PasteTracklistMixin, InputSafeAdminMixin, LockedAdminMixin, EditorialAdmin):
    list_display = (
        "title",
        "cover_thumbnail",
        "film",
        "kind",
        "release_date",
        "track_count",
        "running_time",
    )
    list_filter = ("kind", "film__franchise", year_filter("release_date", "release year"))
    list_select_related = ("film", "cover")
    search_fields = ("title", "artist_credit", "film__title")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("film", "artists", "cover")
    readonly_fields = ("cover_preview",)
    inlines = (TrackInline,)
    fieldsets = (
        (None, {"fields": ("title", "slug", "film", "kind")}),
        ("Release", {"fields": ("artist_credit", "artists", "label", "release_date")}),
        ("Cover", {"fields": ("cover_preview", "cover")}),
        ("Text", {"fields": ("description",)}),
    )

    class Media:
        css = {"all": (IMAGES_CSS,)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_track_count=Count("tracks"), _running_time=Sum("tracks__duration"))
        )

    @admin.display(description="tracks", ordering="_track_count")
    def track_count(self, obj):
        return obj._track_count

    @admin.display(description="running time", ordering="_running_time")
    def running_time(self, obj):
        return format_duration(obj._running_time) or "—"

    cover_thumbnail, cover_preview = image_columns("cover")


CHANGE_ANY_NOTE = "soundtracks.change_any_tracknote"


def may_edit_note(user, note):
    """Writers edit the notes they created; editors any (the change_any_tracknote permission)."""
    return user.has_perm(CHANGE_ANY_NOTE) or note.pk is None or note.created_by_id == user.pk


class TrackNoteForm(OptimisticLockForm):
    class Meta:
        model = TrackNote
        fields = "__all__"


class TrackNoteInline(InputSafeInlineMixin, LockedInlineMixin, admin.StackedInline):
    model = TrackNote
    form = TrackNoteForm
    fields = ("text", "author")
    autocomplete_fields = ("author",)
    extra = 0


@admin.register(Track)
class TrackAdmin(
    InputSafeAdminMixin,
    LockedAdminMixin,
    RecoverDeletedMixin,
    GuardedDeleteMixin,
    RevisionBlockMixin,
    admin.ModelAdmin,
):
    list_display = ("title", "soundtrack", "disc", "position", "length", "is_vocal", "note_count")
    list_filter = ("is_vocal", "soundtrack__film__franchise", "soundtrack__kind")
    list_select_related = ("soundtrack",)
    search_fields = ("title", "artist_credit", "soundtrack__title")
    autocomplete_fields = ("soundtrack",)
    inlines = (TrackNoteInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_note_count=Count("notes"))

    def get_search_results(self, request, queryset, search_term):
        # A cue's album-track chooser offers only tracks of its film's albums.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return scoped_results(request, queryset), duplicates

    @admin.display(description="duration", ordering="duration")
    def length(self, obj):
        return obj.duration_display or "—"

    @admin.display(description="notes", ordering="_note_count")
    def note_count(self, obj):
        return obj._note_count

    def save_formset(self, request, form, formset, change):
        for note_form in formset.forms:
            note = note_form.instance
            if note_form.has_changed() and note.author_id is None and note.pk is None:
                note.author = request.user
            if note_form.has_changed():
                stamp(note, request.user)
        super().save_formset(request, form, formset, change)


@admin.register(TrackNote)
class TrackNoteAdmin(InputSafeAdminMixin, EditorialAdmin):
    list_display = ("track", "album", "author", "updated_at")
    list_filter = ("track__soundtrack__film__franchise",)
    list_select_related = ("track__soundtrack", "author")
    search_fields = ("text", "track__title", "track__soundtrack__title")
    autocomplete_fields = ("track", "author")
    fields = ("track", "text", "author")
    form = TrackNoteForm

    @admin.display(description="album", ordering="track__soundtrack__title")
    def album(self, obj):
        return obj.track.soundtrack

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        if not request.user.has_perm(CHANGE_ANY_NOTE):
            queryset = queryset.filter(created_by=request.user)
        return queryset

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_edit_note(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_edit_note(request.user, obj))

    def may_recover(self, request, version):
        """Writers recover only the notes they created."""
        mine = stored_fields(version).get("created_by") == [request.user.get_username()]
        return request.user.has_perm(CHANGE_ANY_NOTE) or mine

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not request.user.has_perm(CHANGE_ANY_NOTE):
            # A writer's notes are theirs: the author is whoever adds the note.
            readonly = ("author", *readonly)
        return readonly

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


# The film's cue sheet ----------------------------------------------------------------------
# Cues live in this app, above films: this layer extends the film's admin with them.

admin.site.unregister(Film)


@admin.register(Film)
class FilmWithCueSheetAdmin(PasteCueSheetMixin, FilmAdmin):
    inlines = (*FilmAdmin.inlines, CueInline)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Cue and formset.new_objects:
            give_film_composers(form.instance, formset.new_objects)
