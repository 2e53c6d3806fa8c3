from django.db.models import Exists, OuterRef
from django.urls import reverse

from films.models import Film
from pagemeta.seo import SiteSitemap
from soundtracks.models import Cue, Soundtrack, Theme


class SoundtrackSitemap(SiteSitemap):
    def items(self):
        return Soundtrack.objects.order_by("pk")


class FilmMusicSitemap(SiteSitemap):
    """The music pages of films with a cue sheet; a film without cues has a page saying so,
    which is no page for a search engine."""

    def items(self):
        return Film.objects.filter(Exists(Cue.objects.filter(film=OuterRef("pk")))).order_by("pk")

    def location(self, film):
        return reverse("soundtracks:film_music", args=[film.slug])


class ThemeSitemap(SiteSitemap):
    def items(self):
        return Theme.objects.order_by("pk")
