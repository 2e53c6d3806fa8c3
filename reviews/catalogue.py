"""The catalogue's pages with their reviews: this layer knows reviews, so it composes them.

``films`` renders a film without albums or reviews; ``soundtracks`` extends it with its music
(``soundtracks.catalogue``) and renders an album without reviews; neither reaches up. These views
extend the most extended ones below with the published reviews and citations, and are the views
the URLs route to (``reviews.urls``). Reviews arrive in the queries the old pages made, so every
pinned query count holds.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from reviews import discussed, feeds
from reviews.models import Review
from soundtracks.catalogue import FilmWithMusicView, FranchiseWithMusicView, PersonWithAlbumsView
from soundtracks.views import SoundtrackDetailView

#: How many of the reviews discussing a person or a franchise their page shows; the rest are on
#: the page of all of them (``reviews.views.PersonReviewsView``, ``FranchiseReviewsView``).
DISCUSSED_SHOWN = 6


def newest_discussing(reviews, url):
    """``{"reviews", "more", "url"}``: the newest ``DISCUSSED_SHOWN`` of ``reviews``, whether
    there are more (one more is read to tell) and the page of them all. Read when the template
    first asks: inside a fragment, only when it renders."""

    def read():
        rows = list(reviews.for_listing()[: DISCUSSED_SHOWN + 1])
        return {"reviews": rows[:DISCUSSED_SHOWN], "more": len(rows) > DISCUSSED_SHOWN, "url": url}

    return SimpleLazyObject(read)


class FilmWithReviewsView(FilmWithMusicView):
    """A film's page with its music, the reviews of it and those that discuss it among others."""

    template_name = "films/film_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Review.objects.published().for_listing()
        context["reviews"] = published.filter(film=self.object)
        context["mentions"] = published.filter(other_films=self.object)
        context["feeds"] = feeds.alternates(
            feeds.FilmReviewsFeed, feeds.FilmReviewsAtomFeed, self.object, self.request
        )
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


class PersonWithReviewsView(PersonWithAlbumsView):
    """A person's or group's page with its albums and the newest reviews that discuss them
    (``reviews.discussed``), inside the page's article fragment: one query for the reviews and
    one for their bylines, and none while the fragment is served from the cache."""

    template_name = "films/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        context["discussed"] = newest_discussing(
            discussed.discussing_person(person),
            reverse("reviews:person_reviews", args=[person.slug]),
        )
        context["feeds"] = feeds.alternates(
            feeds.PersonReviewsFeed, feeds.PersonReviewsAtomFeed, person, self.request
        )
        return context


class FranchiseWithReviewsView(FranchiseWithMusicView):
    """A franchise's page with its films' music and the newest reviews of its films and albums."""

    template_name = "films/franchise_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        franchise = self.object
        context["discussed"] = newest_discussing(
            discussed.discussing_franchise(franchise),
            reverse("reviews:franchise_reviews", args=[franchise.slug]),
        )
        return context
