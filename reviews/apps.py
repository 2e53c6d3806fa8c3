from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from pagecache import versions as pagecache
        from reviews import citations, guards
        from reviews.models import Review

        # A scheduled review goes live with no write; the page cache must know when.
        pagecache.register_schedule(Review.objects.next_scheduled_publish)
        # Bodies rendered again when what they cite changes below them, or arrives by loaddata.
        citations.connect_signals()
        # Nothing a published review relies on is deleted from under it.
        guards.protect_what_published_reviews_rely_on()
