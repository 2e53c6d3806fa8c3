"""The catalogue's pages with their music: this layer knows albums, cues and themes, so adds them.

``films`` renders a film, a person and a franchise without knowing soundtracks; these views
extend them with the albums, the link to the film's cue sheet and the franchise's themes, and the
reviews layer extends these in turn (``reviews.catalogue``). Each addition rides in a query the
page already made or in one query of its own, so the page's query count does not grow with what
it shows.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from films.views import FilmDetailView, FranchiseDetailView, PersonDetailView
from soundtracks.models import Cue, Soundtrack, Theme


def cue_count():
    """The number of the film's cues, as a subquery for an annotation on films."""
    counted = (
        Cue.objects.filter(film=OuterRef("pk"))
        .order_by()
        .values("film")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class FilmWithMusicView(FilmDetailView):
    """A film's page with its albums and, when it has a cue sheet, the link to its music page."""

    template_name = "films/film_detail.html"

    def get_queryset(self):
        return super().get_queryset().annotate(cue_count=cue_count())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        film = self.object
        # Through the relation, with each cover in the same query.
        context["soundtracks"] = film.soundtracks.select_related("cover")
        if film.cue_count:
            context["music_url"] = reverse("soundtracks:film_music", args=[film.slug])
            context["cue_count"] = film.cue_count
        return context


class PersonWithAlbumsView(PersonDetailView):
    """A person's page with their albums, and the albums of the groups they belong to."""

    template_name = "films/person_detail.html"

    def fragment_prefetches(self):
        albums = Soundtrack.objects.select_related("film")
        # Read by the template as ``group.album_list``, beside the group's credits.
        return [
            *super().fragment_prefetches(),
            Prefetch("groups__albums", queryset=albums, to_attr="album_list"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # One query for the albums with their films and covers.
        context["albums"] = self.object.albums.select_related("film", "cover")
        return context


class FranchiseWithMusicView(FranchiseDetailView):
    """A franchise's page with each film's albums and the themes that run through it."""

    template_name = "films/franchise_detail.html"

    def get_queryset(self):
        albums = Soundtrack.objects.prefetch_related("artists")
        # Read by the template as ``film.album_list``.
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("films__soundtracks", queryset=albums, to_attr="album_list"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        franchise = self.object
        place = {film.pk: index for index, film in enumerate(franchise.films.all())}
        themes = Theme.objects.filter(
            Q(franchise=franchise) | Q(film__franchise=franchise)
        ).select_related("film")
        # The franchise's own themes first, then each film's in the franchise's order.
        context["themes"] = sorted(
            themes,
            key=lambda theme: (theme.film_id is not None, place.get(theme.film_id, 0), theme.name),
        )
        return context
