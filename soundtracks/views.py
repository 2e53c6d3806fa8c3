from django.urls import reverse
from django.views.generic import DetailView

from pagemeta import seo
from pagemeta.pages import PageMixin
from soundtracks import structured_data
from soundtracks.models import Soundtrack


class SoundtrackDetailView(PageMixin, DetailView):
    """An album's page without its reviews; reviews sit above this app and extend it with them
    (``reviews.catalogue``), which is the view the URLs route to."""

    def get_queryset(self):
        return Soundtrack.objects.with_tracklist().with_running_time()

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
        return [structured_data.music_album(self.request, self.object)]
