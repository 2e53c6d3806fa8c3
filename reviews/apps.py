from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from pagecache import keys, versions
        from permalinks import tracking as permalinks
        from reviews import citations, guards
        from reviews.models import AlbumRating, Author, Badge, Correction, Review, ShareLink, Tag

        # How reviews appear on public pages, for the surrogate keys that purge them: a review
        # is listed on its film's page; a share link's page is never cached, and is the review's.
        keys.register(
            Review,
            parents=["film"],
            placement=["status", "publish_at", "first_published_at"],
            # A withdrawal, an unpublish or a later publish time takes a review out of view:
            # purged hard, never served again from the front cache.
            visibility=["status", "publish_at"],
            related=[
                "other_films",
                "soundtracks",
                "cited_tracks",
                "cited_cues",
                "cues_sourced",
                "notes_sourced",
                "authors",
                "tags",
            ],
        )
        keys.register(Author)
        keys.register(Tag)
        keys.register(ShareLink, via="review")
        # Shown as part of their review, wherever it is (its page, its cards, the feeds): a
        # rating or a correction saved purges the review's pages; a badge renamed, those of
        # the reviews wearing it.
        keys.register(AlbumRating, via="review")
        keys.register(Correction, via="review")
        keys.register(Badge)
        # Their pages keep their old addresses when a slug changes (a 301 to the new one).
        permalinks.track(Review, Author, Tag)
        # A scheduled review goes live with no write; the page caches must know when.
        versions.register_schedule(Review.objects.next_scheduled_change)
        # Bodies rendered again when what they cite changes below them, or arrives by loaddata.
        citations.connect_signals()
        # Nothing a published review relies on is deleted from under it.
        guards.protect_what_published_reviews_rely_on()
