from films.models import Film, Franchise, Person
from pagemeta.seo import SiteSitemap


class FilmSitemap(SiteSitemap):
    def items(self):
        return Film.objects.order_by("pk")


class PersonSitemap(SiteSitemap):
    def items(self):
        return Person.objects.order_by("pk")


class FranchiseSitemap(SiteSitemap):
    def items(self):
        return Franchise.objects.order_by("pk")
