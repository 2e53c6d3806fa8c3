"""What the site asks of reviews: the one visibility rule, listings, related reviews, search."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """The one visibility rule: published, and its publish time has come."""
        return self.filter(status=self.model.Status.PUBLISHED, publish_at__lte=timezone.now())

    def scheduled(self, now=None):
        """Published with a publish time still to come: they go live by themselves."""
        return self.filter(status=self.model.Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def next_scheduled_change(self, now):
        """``(when, keys)``: when the next scheduled reviews go live and the surrogate keys
        their going live purges (their pages', their films', the lists'), or None."""
        from pagecache import keys

        scheduled = self.scheduled(now)
        moment = scheduled.order_by("publish_at").values_list("publish_at", flat=True).first()
        if moment is None:
            return None
        due = scheduled.filter(publish_at=moment).only("pk", "film")
        return moment, set().union(*(keys.for_change(review) for review in due))

    def visible_to(self, user):
        """The reviews ``user`` may open in the admin: ``reviews.workflow.can_see`` as a filter.

        The admin's lists, choosers and autocompletes, and its "view on site" redirect, all ask
        this, so a writer never meets another writer's work by any of them.
        """
        from reviews.workflow import visible_reviews  # workflow imports the models

        return visible_reviews(user, self)

    def for_listing(self):
        # Cards show no body: leave the Markdown and its HTML (some 14 kB a review) unread.
        # They show the verdict: its album ratings (with the albums' titles) and badges.
        return (
            self.select_related("film__poster", "hero_image")
            .prefetch_related("authors", *self.verdict_prefetches())
            .defer("body", "body_html")
        )

    @staticmethod
    def verdict_prefetches():
        """What a review's verdict shows beyond its own row: its album ratings, each with its
        album's row, and its badges (two queries however many reviews)."""
        from reviews.models import AlbumRating  # the models import this module

        ratings = AlbumRating.objects.select_related("soundtrack").order_by("pk")
        return (models.Prefetch("album_ratings", queryset=ratings), "badges")

    def related_to(self, review):
        """Other reviews sharing a tag, a film or a franchise with ``review``.

        A correlated EXISTS rather than joins and DISTINCT: the joins repeat a review once per
        shared tag or film, and de-duplicating whole rows took PostgreSQL some 60 ms at 10,000
        reviews. This way both databases walk the newest reviews and stop at the first few.
        """
        shared = Q(tags__in=review.tags.all())
        if review.film_id:
            shared |= Q(film=review.film_id) | Q(other_films=review.film_id)
            if review.film.franchise_id:
                shared |= Q(film__franchise=review.film.franchise_id)
        sharing = self.model.objects.filter(shared, pk=models.OuterRef("pk"))
        return self.filter(models.Exists(sharing)).exclude(pk=review.pk)

    def by_the_authors_of(self, review):
        """Other reviews under any of ``review``'s bylines, as a correlated EXISTS (a review of
        two bylines is listed once)."""
        sharing = self.model.objects.filter(
            authors__in=review.authors.all(), pk=models.OuterRef("pk")
        )
        return self.filter(models.Exists(sharing)).exclude(pk=review.pk)

    def matching(self, text):
        """Substring search in headline, standfirst and body, alike on SQLite and PostgreSQL."""
        return self.filter(
            Q(headline__icontains=text) | Q(dek__icontains=text) | Q(body__icontains=text)
        )
