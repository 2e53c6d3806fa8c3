"""The sitemap of every app's public pages, as ``sitemap.xml`` lists them."""

from django.urls import reverse

from films.sitemaps import FilmSitemap, FranchiseSitemap, PersonSitemap
from pagemeta.seo import SiteSitemap
from reviews.sitemaps import AuthorSitemap, ReviewSitemap, TagSitemap
from soundtracks.sitemaps import FilmMusicSitemap, SoundtrackSitemap, ThemeSitemap


class SectionSitemap(SiteSitemap):
    """The front page and the indexes."""

    def items(self):
        return [
            "sitewide:home",
            "reviews:review_list",
            "films:film_list",
            "soundtracks:soundtrack_list",
            "films:person_list",
            "films:composer_list",
        ]

    def location(self, name):
        return reverse(name)


sitemaps = {
    "sections": SectionSitemap,
    "reviews": ReviewSitemap,
    "films": FilmSitemap,
    "soundtracks": SoundtrackSitemap,
    "music": FilmMusicSitemap,
    "themes": ThemeSitemap,
    "people": PersonSitemap,
    "franchises": FranchiseSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
