from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from pagecache import keys
from pagemeta.seo import absolute_url
from reviews.models import Review

FEED_LENGTH = 20


class LatestReviewsFeed(Feed):
    """Every link in the feed is on ``SITE_URL``: syndication would take the request's host."""

    title = f"{settings.SITE_NAME}: latest reviews"
    description = "New reviews of film scores and soundtracks on Cuesheet."
    url_name = "reviews:feed"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed generator writes the XML piece by piece, some 700 pieces, and a WSGI server
        # sends each as a packet of its own: joined, the feed serves ten times faster.
        response.content = response.content
        return response

    def link(self):
        return absolute_url(reverse("reviews:review_list"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def items(self):
        keys.add_list(Review)  # the latest reviews, whichever they are
        return Review.objects.published().for_listing()[:FEED_LENGTH]

    def item_link(self, review):
        return absolute_url(review.get_absolute_url())

    def item_title(self, review):
        return review.headline

    def item_description(self, review):
        return review.dek

    def item_author_name(self, review):
        return ", ".join(author.name for author in review.authors.all())

    def item_pubdate(self, review):
        return review.first_published_at or review.publish_at

    def item_updateddate(self, review):
        return review.updated_at

    def item_categories(self, review):
        return [review.film.title] if review.film else []


class LatestReviewsAtomFeed(LatestReviewsFeed):
    feed_type = Atom1Feed
    subtitle = LatestReviewsFeed.description
    url_name = "reviews:atom_feed"
