from pagemeta.seo import SiteSitemap
from reviews.models import Author, Review, Tag


class ReviewSitemap(SiteSitemap):
    def items(self):
        return Review.objects.published().order_by("pk")

    def lastmod(self, review):
        return review.updated_at


class TagSitemap(SiteSitemap):
    """Only tags and bylines with a published review have a page."""

    def items(self):
        return Tag.objects.filter(pk__in=Review.objects.published().values("tags")).order_by("pk")


class AuthorSitemap(SiteSitemap):
    def items(self):
        visible = Review.objects.published().values("authors")
        return Author.objects.filter(pk__in=visible).order_by("pk")
