from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from films.models import Film, SlugNaturalKeyManager
from soundtracks.models import Soundtrack


class Author(models.Model):
    """A byline. It may belong to a login (a writer or editor) or stand alone (a house byline)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The login that writes under this byline, if any.",
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:author_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:tag_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """The one visibility rule: published, and its publish time has come."""
        return self.filter(status=Review.Status.PUBLISHED, publish_at__lte=timezone.now())

    def next_scheduled_publish(self, now):
        """When the next scheduled review goes live, or None: caches expire then."""
        return (
            self.filter(status=Review.Status.PUBLISHED, publish_at__gt=now)
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )

    def for_listing(self):
        return self.select_related("film").prefetch_related("authors")


class ReviewManager(SlugNaturalKeyManager.from_queryset(ReviewQuerySet)):
    pass


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    dek = models.TextField(
        "standfirst", blank=True, help_text="One or two sentences under the headline."
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown. Start a section with “## ” and a subhead; leave a blank line "
        "between paragraphs.",
    )
    authors = models.ManyToManyField(Author, related_name="reviews", blank=True)
    film = models.ForeignKey(
        Film,
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
        verbose_name="primary film",
        help_text="The film the review is about; its facts fill the infobox.",
    )
    other_films = models.ManyToManyField(
        Film,
        related_name="mentioned_in_reviews",
        blank=True,
        help_text="Other films the review discusses at length.",
    )
    soundtracks = models.ManyToManyField(
        Soundtrack, related_name="reviews", blank=True, help_text="The albums the review covers."
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Optional, out of 10."
    )
    tags = models.ManyToManyField(Tag, related_name="reviews", blank=True)
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="For search results; empty: the headline."
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=200,
        blank=True,
        help_text="For search results and link previews; the standfirst if empty.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When a published review goes live. A time in the future schedules it.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewManager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=10),
                name="review_rating_1_to_10",
                violation_error_message="A rating is from 1 to 10.",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="review_published_has_publish_time",
                violation_error_message="A published review needs a publish time.",
            ),
        ]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            if self.publish_at is None:
                self.publish_at = timezone.now()
            if self.first_published_at is None:
                self.first_published_at = self.publish_at
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["films.film", "soundtracks.soundtrack", "reviews.author"]

    def clean(self):
        super().clean()
        if self.film_id is None and self.status == self.Status.PUBLISHED:
            raise ValidationError({"film": "A published review needs a primary film."})

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )
