"""The catalogue's pages with their reviews: this layer knows reviews, so it composes them.

``films`` renders a film without albums or reviews; ``soundtracks`` extends it with its music
(``soundtracks.catalogue``) and renders an album without reviews; neither reaches up. These views
extend the most extended ones below with the published reviews and citations, and are the views
the URLs route to (``reviews.urls``). Reviews arrive in the queries the old pages made, so every
pinned query count holds.
"""

from django.db.models import Prefetch

from reviews.models import Review
from soundtracks.catalogue import FilmWithMusicView
from soundtracks.views import SoundtrackDetailView


class FilmWithReviewsView(FilmWithMusicView):
    """A film's page with its music, the reviews of it and those that discuss it among others."""

    template_name = "films/film_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Review.objects.published().for_listing()
        context["reviews"] = published.filter(film=self.object)
        context["mentions"] = published.filter(other_films=self.object)
        return context


class SoundtrackWithReviewsView(SoundtrackDetailView):
    """An album's page with the reviews of it and, on each track, the reviews that cite it."""

    template_name = "soundtracks/soundtrack_detail.html"

    def fragment_prefetches(self):
        published = Review.objects.published()
        return [
            *super().fragment_prefetches(),
            Prefetch("tracks__citing_reviews", queryset=published, to_attr="cited_in"),
            Prefetch("reviews", queryset=published.for_listing(), to_attr="published_reviews"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = self.prepared(lambda: self.object.published_reviews)
        return context
