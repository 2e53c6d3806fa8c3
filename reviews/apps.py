from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from pagecache import versions as pagecache
        from reviews.models import Review

        # A scheduled review goes live with no write; the page cache must know when.
        pagecache.register_schedule(Review.objects.next_scheduled_publish)
