"""A film's music for readers: the cue sheet page, one cue's page, and a theme's page.

These pages know no reviews: the reviews layer extends ``FilmMusicView`` and ``CueDetailView``
with the published reviews that cite each cue and that its facts come from
(``reviews.cue_pages``), and the URLs route to those. Each page names its joins and runs a fixed
number of queries however many cues the film has (pinned in ``tests/test_music_pages.py``).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView

from films.models import Film
from pagemeta import seo
from pagemeta.pages import PageMixin
from soundtracks import structured_data
from soundtracks.durations import format_duration
from soundtracks.models import Cue, CueTrack, ThemeAppearance, Track
from soundtracks.models import Theme as ThemeModel
from soundtracks.timeline import build_timeline, is_timed


def with_cue_details(cues):
    """``cues`` with what a cue sheet row shows: people, album tracks (with their albums) and
    themes, a query each, however many cues."""
    return cues.prefetch_related(
        "composers",
        "performers",
        Prefetch(
            "track_links",
            queryset=CueTrack.objects.select_related("track__soundtrack").order_by(
                "track__soundtrack__release_date",
                "track__soundtrack_id",
                "track__disc",
                "track__position",
            ),
        ),
        Prefetch(
            "theme_appearances",
            queryset=ThemeAppearance.objects.select_related("theme").order_by("theme__name"),
        ),
    )


def scored_seconds(cues):
    """Seconds of the running time during which at least one of the timed ``cues`` plays."""
    total, reach = 0, None
    for start, end in sorted((cue.start, cue.end) for cue in cues):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


@dataclass
class CueSheetSummary:
    """What the top of the music page says about the whole cue sheet."""

    cue_count: int
    timed_count: int
    music_seconds: int
    scored_seconds: int
    runtime_seconds: int | None
    released_count: int
    album_track_count: int
    not_in_film: list = field(default_factory=list)

    @property
    def unreleased_count(self):
        return self.cue_count - self.released_count

    @property
    def music_minutes(self):
        return round(self.music_seconds / 60)

    @property
    def music_display(self):
        return format_duration(self.music_seconds)

    @property
    def scored_share(self):
        """The per cent of the running time scored, or None without timecodes or a runtime."""
        if not self.timed_count or not self.runtime_seconds:
            return None
        return round(100 * self.scored_seconds / self.runtime_seconds)


def summarise(film, cues, albums, not_in_film):
    timed = [cue for cue in cues if is_timed(cue)]
    return CueSheetSummary(
        cue_count=len(cues),
        timed_count=len(timed),
        music_seconds=sum(cue.length for cue in timed),
        scored_seconds=scored_seconds(timed),
        runtime_seconds=film.runtime * 60 if film.runtime else None,
        released_count=sum(1 for cue in cues if cue.track_links.all()),
        album_track_count=sum(album.track_count for album in albums),
        not_in_film=not_in_film,
    )


def themes_of(cues):
    """The themes the cues carry, each once, in the order they first appear."""
    themes = {}
    for cue in cues:
        for appearance in cue.theme_appearances.all():
            themes.setdefault(appearance.theme.pk, appearance.theme)
    return list(themes.values())


def music_breadcrumbs(film):
    return [
        ("Films", reverse("films:film_list")),
        (str(film), film.get_absolute_url()),
        ("Music", reverse("soundtracks:film_music", args=[film.slug])),
    ]


class FilmMusicView(PageMixin, DetailView):
    """The film's cue sheet in film order, its timeline, and what the albums hold.

    A film without a cue sheet still has this page, which says so and lists its albums; it is
    left out of the sitemap and asks search engines not to index it until cues arrive.
    """

    template_name = "soundtracks/film_music.html"
    context_object_name = "film"

    def get_queryset(self):
        return Film.objects.all()

    def get_cues(self):
        """The film's cues with their details; the reviews layer adds the reviews citing them."""
        return with_cue_details(self.object.cues.in_film_order())

    def get_context_data(self, **kwargs):
        film = self.object
        self.cues = cues = list(self.get_cues())
        albums = list(
            film.soundtracks.annotate(track_count=Count("tracks")).order_by("release_date", "title")
        )
        not_in_film = []
        if cues:
            linked = CueTrack.objects.filter(track=OuterRef("pk"))
            not_in_film = list(
                Track.objects.filter(soundtrack__film=film)
                .exclude(Exists(linked))
                .select_related("soundtrack")
                .order_by("soundtrack__release_date", "soundtrack_id", "disc", "position")
            )
        return super().get_context_data(
            cues=cues,
            albums=albums,
            summary=summarise(film, cues, albums, not_in_film),
            timeline=build_timeline(film, cues, albums),
            themes=themes_of(cues),
            **kwargs,
        )

    def get_meta(self):
        film = self.object
        if not self.cues:
            return {
                "title": f"The music of {film}",
                "description": f"{film} has no cue sheet on Cuesheet yet: its albums, and where "
                "its music plays once the cues are in.",
            }
        count = len(self.cues)
        return {
            "title": f"The music of {film}: cue sheet and timeline",
            "description": seo.describe(
                f"The cue sheet of {film}: {count} cue{'s' if count != 1 else ''} in film order "
                "with where each plays, who wrote it, the album track it became or whether it is "
                "unreleased, and its themes."
            ),
        }

    def get_breadcrumbs(self):
        return music_breadcrumbs(self.object)

    def get_structured_data(self):
        return structured_data.cue_recordings(self.request, self.cues)


class CueDetailView(PageMixin, DetailView):
    """Everything about one cue: where it plays, who wrote it, its album tracks and themes."""

    template_name = "soundtracks/cue_detail.html"
    context_object_name = "cue"

    def get_queryset(self):
        return with_cue_details(Cue.objects.select_related("film"))

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.get_queryset(), film__slug=self.kwargs["film"], slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        cue = self.object
        # The film's other cues, slim, for the previous and next links: one query.
        order = list(
            cue.film.cues.in_film_order().values_list("pk", "slug", "code", "title", named=True)
        )
        place = next(n for n, row in enumerate(order) if row.pk == cue.pk)

        def neighbour(n):
            if not 0 <= n < len(order):
                return None
            row = order[n]
            return {
                "name": f"{row.code} {row.title}" if row.code else row.title,
                "url": reverse("soundtracks:cue_detail", args=[cue.film.slug, row.slug]),
            }

        return super().get_context_data(
            place=place + 1,
            cue_count=len(order),
            previous_cue=neighbour(place - 1),
            next_cue=neighbour(place + 1),
            **kwargs,
        )

    def get_meta(self):
        cue = self.object
        parts = [f"“{cue.title}”, a cue of {cue.film}"]
        if cue.usage:
            parts.append(cue.get_usage_display().lower())
        if cue.scene and not cue.scene_is_spoiler:
            parts.append(f"under {cue.scene}")
        return {
            "title": f"{cue}: a cue of {cue.film}",
            "description": seo.describe(
                ", ".join(parts) + ": where it plays, who wrote it and the album track it became."
            ),
            "og_type": "music.song",
        }

    def get_breadcrumbs(self):
        return [
            *music_breadcrumbs(self.object.film),
            (str(self.object), self.object.get_absolute_url()),
        ]

    def get_structured_data(self):
        return structured_data.cue_recordings(self.request, [self.object])


class ThemeDetailView(PageMixin, DetailView):
    """A theme and every cue that carries it, across its film or its franchise's films."""

    template_name = "soundtracks/theme_detail.html"
    context_object_name = "theme"

    def get_queryset(self):
        appearances = (
            ThemeAppearance.objects.select_related("cue__film")
            .prefetch_related(
                Prefetch(
                    "cue__track_links",
                    queryset=CueTrack.objects.select_related("track__soundtrack").order_by(
                        "track__soundtrack__release_date",
                        "track__soundtrack_id",
                        "track__disc",
                        "track__position",
                    ),
                )
            )
            .order_by(
                F("cue__film__franchise_order").asc(nulls_last=True),
                "cue__film__release_date",
                "cue__film__title",
                "cue__film_id",
                "cue__order",
                F("cue__start").asc(nulls_last=True),
                "cue_id",
            )
        )
        return ThemeModel.objects.select_related("film", "franchise").prefetch_related(
            Prefetch("appearances", queryset=appearances)
        )

    def get_context_data(self, **kwargs):
        appearances = list(self.object.appearances.all())
        films = {appearance.cue.film_id for appearance in appearances}
        return super().get_context_data(appearances=appearances, film_count=len(films), **kwargs)

    def get_meta(self):
        theme = self.object
        home = theme.film or theme.franchise
        return {
            "title": f"{theme.name}: a theme of {home}",
            "description": seo.describe(
                theme.description,
                f"{theme.name}, a musical theme of {home}: every cue that carries it, in film "
                "order, with its variant and instrumentation.",
            ),
        }

    def get_breadcrumbs(self):
        theme = self.object
        if theme.film:
            trail = music_breadcrumbs(theme.film)
        else:
            trail = [(str(theme.franchise), theme.franchise.get_absolute_url())]
        return [*trail, (theme.name, theme.get_absolute_url())]

    def get_structured_data(self):
        return [structured_data.theme(self.request, self.object)]
