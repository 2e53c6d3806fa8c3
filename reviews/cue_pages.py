"""The film's music page and the cue page with their reviews: this layer knows reviews.

``soundtracks.music`` renders a cue sheet and a cue without reviews and never reaches up for
them; these views add, on each cue, the published reviews that cite it (``Review.cited_cues``)
and, on the cue page, the published reviews its facts come from (``Review.cues_sourced``). Each
is one more query however many cues and reviews there are. ``reviews/urls.py`` passes these
views to ``soundtrack_urlpatterns()``.
"""

from django.db.models import Prefetch

from reviews.models import Review
from soundtracks.music import CueDetailView, FilmMusicView


def published_citing():
    """The published reviews citing a cue, as ``cue.cited_in``: headlines and links only."""
    return Prefetch(
        "citing_reviews",
        queryset=Review.objects.published().only("pk", "slug", "headline", "publish_at"),
        to_attr="cited_in",
    )


class FilmMusicWithReviewsView(FilmMusicView):
    """The film's cue sheet with, on each cue, the published reviews that cite it."""

    def get_cues(self):
        return super().get_cues().prefetch_related(published_citing())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The "Cited in" column, when any cue is cited.
        context["cited"] = any(cue.cited_in for cue in context["cues"])
        return context


class CueWithReviewsView(CueDetailView):
    """A cue's page with the published reviews that cite it and those its facts come from."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                published_citing(),
                Prefetch(
                    "source_reviews",
                    queryset=Review.objects.published().only(
                        "pk", "slug", "headline", "publish_at"
                    ),
                    to_attr="published_sources",
                ),
            )
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(sources=self.object.published_sources, **kwargs)
