from django.db.models import Prefetch
from django.urls import reverse
from django.views.generic import DetailView

from pagemeta import seo
from pagemeta.pages import PageMixin
from soundtracks.models import Soundtrack, Track


def published_reviews():
    """The reviews a reader may see. Reviews sit above this app and are never imported here; the
    relation they declare on Track names their model, whose manager owns the visibility rule."""
    review = Track._meta.get_field("citing_reviews").related_model
    return review.objects.published()


class SoundtrackDetailView(PageMixin, DetailView):
    def get_queryset(self):
        return (
            Soundtrack.objects.with_tracklist()
            .with_running_time()
            .prefetch_related(
                Prefetch("tracks__citing_reviews", queryset=published_reviews()),
                Prefetch("reviews", queryset=published_reviews().for_listing()),
            )
        )

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
        return [seo.music_album(self.request, self.object)]
