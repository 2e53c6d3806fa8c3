"""The cue sheet in the admin: the film's cues inline, a cue's own page, themes.

Editors edit cues and themes; writers see them (the groups' permissions are granted by
reviews' ``0016_cue_sheet_roles``). Choosers that may only offer rows of one film (a cue's
album tracks, a theme's cues) are autocompletes whose requests carry the film:
``ScopedAutocompleteSelect`` adds ``?film=…`` (or ``?franchise=…``) to the autocomplete URL,
and ``scoped_results`` honours it in the chosen model's admin for that one field. The form
refuses a row of another film whatever the chooser offered (``CueTrack.clean``,
``ThemeAppearance.clean``, and ``ParentCheckForm`` while the parent is still unsaved).
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.text import capfirst, slugify

from editorial.admin import (
    EditorialAdmin,
    GuardedInlineFormSet,
    LockedAdminMixin,
    LockedInlineMixin,
)
from editorial.admin_input import (
    InputSafeAdminMixin,
    InputSafeInlineMixin,
    SafeAutocompleteSelect,
    is_value_of,
)
from editorial.locking import OptimisticLockForm
from films.models import Credit, Film, Franchise
from soundtracks.durations import DurationFormField, format_duration
from soundtracks.models import Cue, CueTrack, Theme, ThemeAppearance

#: The latest a timecode may be when the film's runtime is not known (no cut runs longer).
LATEST_TIMECODE = 24 * 3600


class TimecodeField(DurationFormField):
    """A cue's in or out, ``m:ss`` or ``h:mm:ss``; an error names the field it is about."""

    def to_python(self, value):
        try:
            seconds = super().to_python(value)
        except ValidationError as error:
            raise ValidationError(
                f"{capfirst(self.label)}: {' '.join(error.messages)}", code="invalid"
            ) from error
        if seconds is not None and seconds > LATEST_TIMECODE:
            raise ValidationError(
                f"{capfirst(self.label)}: {format_duration(seconds)} is more than "
                f"{format_duration(LATEST_TIMECODE)}, longer than any film.",
                code="max_value",
            )
        return seconds


class CueForm(OptimisticLockForm):
    class Meta:
        model = Cue
        fields = "__all__"
        field_classes = {"start": TimecodeField, "end": TimecodeField, "duration": TimecodeField}


# Choosers limited to one film ------------------------------------------------------------------


class ScopedAutocompleteSelect(SafeAutocompleteSelect):
    """An autocomplete whose requests name its scope, e.g. ``?film=12``."""

    scope = {}

    def get_url(self):
        url = super().get_url()
        return f"{url}?{urlencode(self.scope)}" if self.scope else url


def _by_film(lookup):
    return lambda queryset, film: queryset.filter(**{lookup: film})


#: The scoped autocompletes, by (app, model, field) of the chooser: each query parameter the
#: scope may name, the model whose id it holds, and how it limits the chosen rows.
SCOPES = {
    ("soundtracks", "cuetrack", "track"): {"film": (Film, _by_film("soundtrack__film"))},
    ("soundtracks", "themeappearance", "cue"): {
        "film": (Film, _by_film("film")),
        "franchise": (Franchise, _by_film("film__franchise")),
    },
    ("soundtracks", "themeappearance", "theme"): {
        "film": (Film, lambda themes, film: themes.filter(Q(film=film) | Q(franchise__films=film)))
    },
}


def scoped_results(request, queryset):
    """``queryset`` limited to the scope a scoped autocomplete asked for; else as it is.

    A scope that is not an id gives nothing, never everything; one naming no row, nothing too.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "autocomplete":
        return queryset
    if not queryset.ordered:
        # The autocomplete pages its results (an annotated admin queryset drops the model's
        # ordering): in a stable order, or a row could show on two pages and another on none.
        queryset = queryset.order_by(*queryset.model._meta.ordering, "pk")
    query = request.GET
    scopes = SCOPES.get((query.get("app_label"), query.get("model_name"), query.get("field_name")))
    for name, (model, limit) in (scopes or {}).items():
        if name not in query:
            continue
        value = query[name]
        if not is_value_of(model._meta.pk, value):
            return queryset.none()
        queryset = limit(queryset, model._meta.pk.to_python(value))
    return queryset


class ScopedChooserInline(InputSafeInlineMixin, LockedInlineMixin, admin.TabularInline):
    """An inline whose ``scoped_field`` autocomplete offers only rows of the parent's scope."""

    scoped_field = None
    extra = 0

    def chooser_scope(self, obj):
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.scoped_field:
            kwargs["widget"] = ScopedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get(self.scoped_field)
        if field is not None and obj is not None and obj.pk is not None:
            widget = field.widget
            while hasattr(widget, "widget"):  # the admin's related-object wrapper
                widget = widget.widget
            if isinstance(widget, ScopedAutocompleteSelect):
                scope = self.chooser_scope(obj)
                widget.scope = {name: value for name, value in scope.items() if value}
        return formset


class ParentCheckForm(OptimisticLockForm):
    """The row's own ``clean()`` checks it against its parent once both are saved; before the
    parent is (an add page), this asks the same question of the parent as typed."""

    parent, chosen = None, None

    def clean(self):
        cleaned_data = super().clean()
        parent = cleaned_data.get(self.parent)  # the inline's parent, saved or not
        chosen = cleaned_data.get(self.chosen)
        if parent is not None and parent.pk is None and chosen is not None:
            problem = self.problem(parent, chosen)
            if problem:
                self.add_error(self.chosen, problem)
        return cleaned_data


class CueTrackForm(ParentCheckForm):
    parent, chosen = "cue", "track"

    def problem(self, cue, track):
        album = track.soundtrack
        if cue.film_id and album.film_id != cue.film_id:
            return f"“{track.title}” is on {album.title}, an album of {album.film}, not this film."
        return None


class AppearanceForm(ParentCheckForm):
    def problem(self, parent, chosen):
        theme, cue = (parent, chosen) if self.parent == "theme" else (chosen, parent)
        if cue.film_id and (theme.film_id or theme.franchise_id) and not theme.admits(cue):
            return f"“{cue}” is in {cue.film}, not in {theme.film or theme.franchise}."
        return None


class ThemeAppearanceOfThemeForm(AppearanceForm):
    parent, chosen = "theme", "cue"


class ThemeAppearanceOfCueForm(AppearanceForm):
    parent, chosen = "cue", "theme"


class CueTrackInline(ScopedChooserInline):
    model = CueTrack
    form = CueTrackForm
    fields = ("track", "extent")
    autocomplete_fields = ("track",)
    scoped_field = "track"
    verbose_name_plural = "album tracks it became (none: unreleased)"

    def chooser_scope(self, cue):
        return {"film": cue.film_id}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("track__soundtrack")


class CueAppearanceInline(ScopedChooserInline):
    model = ThemeAppearance
    form = ThemeAppearanceOfCueForm
    fields = ("theme", "note")
    autocomplete_fields = ("theme",)
    scoped_field = "theme"
    verbose_name_plural = "themes it carries"

    def chooser_scope(self, cue):
        return {"film": cue.film_id}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme")


class ThemeAppearanceInline(ScopedChooserInline):
    model = ThemeAppearance
    form = ThemeAppearanceOfThemeForm
    fields = ("cue", "note")
    autocomplete_fields = ("cue",)
    scoped_field = "cue"
    verbose_name_plural = "appearances"

    def chooser_scope(self, theme):
        return {"film": theme.film_id, "franchise": theme.franchise_id}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cue__film")


# The film's cue sheet, inline on the film -------------------------------------------------------


class CueSheetFormSet(GuardedInlineFormSet):
    """A film's cues as one form: cue codes and slugs unique among the rows typed together too
    (the database's constraints would refuse them only when saving)."""

    def clean(self):
        super().clean()
        rows = [
            form
            for form in self.forms
            if form.is_valid() and form.has_changed() and not self._should_delete_form(form)
        ]
        codes = {}
        for form in self.forms:
            code = form.cleaned_data.get("code") if form.is_valid() else None
            if code and not self._should_delete_form(form):
                codes.setdefault(code, []).append(form)
        for code, forms_with_code in codes.items():
            for form in forms_with_code[1:]:
                form.add_error("code", f"Another cue in this cue sheet has the cue code {code}.")
        self._unique_new_slugs(rows)

    def _unique_new_slugs(self, rows):
        taken = {form.instance.slug for form in self.forms if form.instance.pk}
        for form in rows:
            cue = form.instance
            if cue.pk is not None:
                continue
            if cue.slug in taken:
                base, number = slugify(cue.code or cue.title)[:90] or "cue", 2
                while (
                    f"{base}-{number}" in taken
                    or Cue.objects.filter(
                        film_id=self.instance.pk, slug=f"{base}-{number}"
                    ).exists()
                ):
                    number += 1
                cue.slug = f"{base}-{number}"
            taken.add(cue.slug)


class CueInline(InputSafeInlineMixin, LockedInlineMixin, admin.TabularInline):
    model = Cue
    form = CueForm
    formset = CueSheetFormSet
    fields = (
        *("order", "code", "title", "start", "end", "duration"),
        *("usage", "scene", "scene_is_spoiler"),
    )
    extra = 0
    show_change_link = True
    verbose_name_plural = "cue sheet (in film order; a new cue’s composers: the film’s)"

    def get_queryset(self, request):
        return super().get_queryset(request).in_film_order()


def give_film_composers(film, cues):
    """New ``cues`` with no composers get the film's composer credits, in billing order."""
    composers = list(
        Credit.objects.filter(film=film, role=Credit.Role.COMPOSER)
        .order_by("billing_order", "pk")
        .values_list("person_id", flat=True)
    )
    through = Cue.composers.through
    rows = [through(cue=cue, person_id=person) for cue in cues for person in composers]
    through.objects.bulk_create(rows, ignore_conflicts=True)


# A cue's own page, and themes -------------------------------------------------------------------


@admin.register(Cue)
class CueAdmin(InputSafeAdminMixin, LockedAdminMixin, EditorialAdmin):
    form = CueForm
    list_display = ("title", "code", "film", "order", "in_at", "out_at", "usage", "album_tracks")
    list_filter = (("film", admin.RelatedOnlyFieldListFilter), "usage", "known_from")
    list_select_related = ("film",)
    search_fields = ("title", "code", "scene", "film__title")
    ordering = ("film__title", "film_id", "order", "start", "pk")
    autocomplete_fields = ("film", "composers", "performers")
    inlines = (CueTrackInline, CueAppearanceInline)
    fieldsets = (
        (None, {"fields": ("film", "order", "code", "title", "slug")}),
        (
            "Where it plays",
            {"fields": ("start", "end", "duration", "usage", "scene", "scene_is_spoiler")},
        ),
        ("Who", {"fields": ("composers", "performers")}),
        ("How it is known", {"fields": ("known_from", "source_detail")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_album_tracks=Count("track_links"))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return scoped_results(request, queryset), duplicates

    @admin.display(description="in", ordering="start")
    def in_at(self, obj):
        return obj.start_display or "—"

    @admin.display(description="out", ordering="end")
    def out_at(self, obj):
        return obj.end_display or "—"

    @admin.display(description="album tracks", ordering="_album_tracks")
    def album_tracks(self, obj):
        return obj._album_tracks or "unreleased"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.cleaned_data.get("composers"):
            give_film_composers(form.instance.film, [form.instance])


@admin.register(Theme)
class ThemeAdmin(InputSafeAdminMixin, LockedAdminMixin, EditorialAdmin):
    list_display = ("name", "film", "franchise", "appearance_count")
    list_filter = ("franchise", ("film", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("film", "franchise")
    search_fields = ("name", "description", "film__title", "franchise__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("film", "franchise")
    inlines = (ThemeAppearanceInline,)
    fieldsets = ((None, {"fields": ("name", "slug", "film", "franchise", "description")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_appearances=Count("appearances"))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return scoped_results(request, queryset), duplicates

    @admin.display(description="appearances", ordering="_appearances")
    def appearance_count(self, obj):
        return obj._appearances
