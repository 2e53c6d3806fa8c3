"""The album page. How the film uses each track is derived here from the cue sheet's links
(``CueTrack``), never typed a second time; reviews sit above this app and extend the page with
them (``reviews.catalogue``), which is the view the URLs route to."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView

from pagecache import keys
from pagemeta import fragments, seo
from pagemeta.pages import PageMixin
from soundtracks import structured_data
from soundtracks.models import Cue, CueTrack, Soundtrack, Track

Extent = CueTrack.Extent


@dataclass(frozen=True)
class TrackUsage:
    """How the film uses one album track.

    ``state`` is ``"heard"`` (in at least one cue), ``"absent"`` (the film's cue sheet is marked
    complete and the track is in none of its cues) or ``"unknown"`` (no cue data, or a cue sheet
    not known to be complete: a track in none of its cues may still play). ``extent`` is the
    track's extent when heard, ``""`` when not known; ``links`` are its ``CueTrack`` rows in film
    order, each with its cue.
    """

    state: str
    extent: str = ""
    links: tuple = ()

    @property
    def is_heard(self):
        return self.state == "heard"

    @property
    def label(self):
        if self.state == "absent":
            return "Not in the film"
        if self.state == "unknown":
            return "In the film: not known"
        if not self.extent:
            return "In the film (extent not known)"
        return f"In the film: {Extent(self.extent).label.lower()}"

    @property
    def extents_differ(self):
        """Whether the cues use the track differently, so each cue's extent is worth naming."""
        return len({link.extent for link in self.links}) > 1


def track_extent(extents):
    """The track's extent from its cues' extents: whole if any cue plays it whole; not known if
    any cue's extent is not known (that cue may play it whole); edited if every cue plays an
    edit; otherwise in part."""
    extents = set(extents)
    if Extent.WHOLE in extents:
        return Extent.WHOLE
    if "" in extents:
        return ""
    if extents == {Extent.EDITED}:
        return Extent.EDITED
    return Extent.PART


def track_usage(track, cue_sheet_complete):
    """A track's ``TrackUsage`` from its prefetched ``cue_links``; a track in no cue is absent
    only from a film whose cue sheet is complete."""
    links = tuple(track.cue_links.all())
    if links:
        return TrackUsage("heard", track_extent(link.extent for link in links), links)
    return TrackUsage("absent" if cue_sheet_complete else "unknown")


@dataclass(frozen=True)
class AlbumUsage:
    """How much of an album the film uses: its tracks' ``TrackUsage`` counted."""

    track_count: int
    heard_count: int
    film_has_cues: bool
    complete: bool = False

    @property
    def summary(self):
        if not self.track_count:
            return ""
        if not self.film_has_cues:
            return "Which of these tracks the film uses is not known: it has no cue sheet here yet."
        tracks = "track" if self.track_count == 1 else "tracks"
        if not self.heard_count and self.complete:
            if self.track_count == 1:
                return "Its one track is not heard in the film."
            return f"None of the {self.track_count} {tracks} is heard in the film."
        verb = "is" if self.heard_count == 1 else "are"
        heard = f"{self.heard_count} of {self.track_count} {tracks} {verb} heard in the film"
        if not self.complete:
            return f"{heard}, as far as its cue sheet goes: it is not complete yet."
        return f"{heard}."


class SoundtrackListView(PageMixin, ListView):
    """Every album, by title, with its film, artist, kind and length."""

    paginate_by = 50
    template_name = "soundtracks/soundtrack_list.html"

    def get_queryset(self):
        keys.add_list(Soundtrack)  # an album added anywhere joins it
        return (
            Soundtrack.objects.select_related("film", "cover")
            .with_running_time()
            .order_by("title", "release_date", "pk")
        )

    def get_meta(self):
        return {
            "title": "Soundtracks",
            "description": "Every soundtrack album Cuesheet covers, scores and songs, from A to "
            "Z: tracklists, durations and where each track plays in its film.",
        }

    def get_breadcrumbs(self):
        return [("Soundtracks", reverse("soundtracks:soundtrack_list"))]


class SoundtrackDetailView(PageMixin, DetailView):
    """An album's page, each track with how the film uses it; without its reviews. Its article
    and JSON-LD are fragments (``pagemeta.fragments``): the tracklist, its notes and cue links
    are read, and each track's usage derived, only when one renders (``prepare_fragments``)."""

    def get_queryset(self):
        return (
            Soundtrack.objects.select_related("film", "cover")
            .with_running_time()
            .annotate(film_has_cues=Exists(Cue.objects.filter(film=OuterRef("film"))))
        )

    def fragment_prefetches(self):
        links = CueTrack.objects.select_related("cue__film").order_by(
            "cue__order", "cue__start", "cue__pk"
        )
        return [
            "artists",
            Prefetch("tracks", queryset=Track.objects.prefetch_related("notes")),
            Prefetch("tracks__cue_links", queryset=links),
        ]

    def prepare_fragments(self):
        if getattr(self, "_usage", None) is not None:
            return
        soundtrack = self.object
        prefetch_related_objects([soundtrack], *self.fragment_prefetches())
        heard = 0
        for track in soundtrack.tracks.all():
            track.film_usage = track_usage(track, soundtrack.film.cue_sheet_complete)
            heard += track.film_usage.is_heard
        self._usage = AlbumUsage(
            soundtrack.track_count,
            heard,
            soundtrack.film_has_cues,
            soundtrack.film.cue_sheet_complete,
        )

    def prepared(self, read):
        """``read()`` after the fragments' data is there, when the template first asks."""

        def value():
            self.prepare_fragments()
            return read()

        return SimpleLazyObject(value)

    def get_context_data(self, **kwargs):
        soundtrack = self.object
        pk = soundtrack.pk
        fragments.preload(self.request, f"soundtrack-article:{pk}", f"soundtrack-json-ld:{pk}")
        context = {
            "album_usage": self.prepared(lambda: self._usage),
            "prepare_fragments": self.prepare_fragments,
        }
        if soundtrack.film_has_cues:
            context["film_music_url"] = reverse(
                "soundtracks:film_music", args=[soundtrack.film.slug]
            )
        return super().get_context_data(**context, **kwargs)

    def get_meta(self):
        soundtrack = self.object
        return {
            "title": f"{soundtrack.title}: tracklist and cue notes",
            "description": seo.describe(
                f"{soundtrack.title} by {soundtrack.artist_credit}, for {soundtrack.film}: "
                f"{soundtrack.track_count} tracks with durations, the scenes they score and "
                "the reviews that cite them."
            ),
            "og_type": "music.album",
            "image": seo.preview_image(self.request, soundtrack.cover),
        }

    def get_breadcrumbs(self):
        film = self.object.film
        return [
            ("Films", reverse("films:film_list")),
            (str(film), film.get_absolute_url()),
            (self.object.title, self.object.get_absolute_url()),
        ]

    def get_structured_data(self):
        return [
            fragments.JsonLd(
                f"soundtrack-json-ld:{self.object.pk}",
                lambda: structured_data.music_album(self.request, self.object),
                self.prepare_fragments,
                self.request,
            )
        ]
