from django.contrib.sitemaps import Sitemap

from films.models import Film, Franchise, Person


class FilmSitemap(Sitemap):
    def items(self):
        return Film.objects.order_by("pk")


class PersonSitemap(Sitemap):
    def items(self):
        return Person.objects.order_by("pk")


class FranchiseSitemap(Sitemap):
    def items(self):
        return Franchise.objects.order_by("pk")
