import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from editorial.models import (
    LockVersionModel,
    NamedModel,
    SluggedModel,
    SlugNaturalKeyManager,
    UidKeyedModel,
    changed_by_field,
    slug_field,
    uid_field,
)
from editorial.revisions import versioned
from films.models import Film
from images.fields import ImageForeignKey
from reviews.citations import find_cues, find_tracks
from reviews.corrections import NOTE_MAX_LENGTH, NOTE_SYNTAX_HELP, render_note
from reviews.markdown import (
    CUE_SCHEME,
    CUE_SYNTAX_HELP,
    MAX_LENGTH,
    TRACK_SYNTAX_HELP,
    render_markdown,
)
from reviews.querysets import ReviewQuerySet
from soundtracks.models import Cue, Soundtrack, Track, TrackNote


class Author(NamedModel):
    """A byline. It may belong to a login (a writer or editor) or stand alone (a house byline)."""

    bio = models.TextField(blank=True)
    is_organisation = models.BooleanField(
        "house byline",
        default=False,
        help_text="Tick for a byline that is the publication or a team, not a person (e.g. "
        "“Cuesheet Staff”): search engines are told it is an organisation.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The login that writes under this byline, if any.",
    )

    def get_absolute_url(self):
        return reverse("reviews:author_detail", args=[self.slug])


class Tag(NamedModel):
    # Shorter than other names, and unique: a tag is its name.
    name = models.CharField(max_length=100, unique=True)
    slug = slug_field(max_length=100)

    def get_absolute_url(self):
        return reverse("reviews:tag_detail", args=[self.slug])


class Badge(NamedModel):
    """A mark an editor gives a review ("Best of the year", "Essential"), shown beside it."""

    name = models.CharField(max_length=60, unique=True)
    slug = slug_field(max_length=60)
    description = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional: what earns it, for editors; readers see only the name.",
    )


class ReviewManager(SlugNaturalKeyManager.from_queryset(ReviewQuerySet)):
    pass


# A review's revisions keep its album ratings and corrections with it: the history shows them
# as they were, and a deleted review comes back with them.
@versioned(follow=("album_ratings", "corrections"))
class Review(SluggedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    headline = models.CharField(max_length=200)
    slug = slug_field()
    dek = models.TextField(
        "standfirst", blank=True, help_text="One or two sentences under the headline."
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown. Start a section with “## ” and a subhead; leave a blank line "
        "between paragraphs. " + TRACK_SYNTAX_HELP + " " + CUE_SYNTAX_HELP,
    )
    # Derived from the body on every save (and on loaddata), so pages never render Markdown.
    body_html = models.TextField(editable=False, blank=True)
    hero_image = ImageForeignKey(
        "hero image",
        related_name="hero_of",
        help_text="Shown across the top of the article and in link previews; wide (16:9). "
        "Any image in the library will do, a film's poster included.",
    )
    cited_tracks = models.ManyToManyField(
        Track,
        related_name="citing_reviews",
        blank=True,
        editable=False,
        help_text="The tracks the body links to.",
    )
    cited_cues = models.ManyToManyField(
        Cue,
        related_name="citing_reviews",
        blank=True,
        editable=False,
        help_text="The cues the body links to.",
    )
    # What the review is the source of: declared here, as reviews sit above soundtracks.
    cues_sourced = models.ManyToManyField(
        Cue,
        related_name="source_reviews",
        blank=True,
        verbose_name="cues it is the source for",
        help_text="Cues of the cue sheet whose facts (scene, use) come from this review.",
    )
    notes_sourced = models.ManyToManyField(
        TrackNote,
        related_name="source_reviews",
        blank=True,
        verbose_name="track notes it is the source for",
        help_text="Track notes that come from this review.",
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
    verdict = models.CharField(
        max_length=140,
        blank=True,
        help_text="Optional: the review in one line, at most 140 characters, shown under the "
        "headline and on the review's cards. Rate the albums under “Album ratings”.",
    )
    badges = models.ManyToManyField(
        Badge,
        related_name="reviews",
        blank=True,
        help_text="Marks such as “Best of the year”, shown with the verdict. Editors define "
        "them under Reviews › Badges.",
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
    planned_for = models.DateField(
        "planned for",
        null=True,
        blank=True,
        help_text="The day the desk means to publish it, for the editorial calendar. A plan "
        "only: it publishes and schedules nothing (the publish time does).",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = changed_by_field(
        help_text="Who started the review. Writers may edit the "
        "reviews they created, and only until they are published; editors may edit any.",
    )
    updated_by = changed_by_field(verbose_name="last changed by")
    last_material_change_at = models.DateTimeField(
        "last material change",
        null=True,
        blank=True,
        editable=False,
        help_text="The last change to the headline, standfirst or body after the review went "
        "live; readers see “Updated” with this time.",
    )
    # Revisions find the review by this, not by its primary key, which dumpdata/loaddata change.
    uid = models.UUIDField("identifier", default=uuid.uuid4, unique=True, editable=False)

    objects = ReviewManager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="review_published_has_publish_time",
                violation_error_message="A published review needs a publish time.",
            ),
        ]
        # Besides these, the site search has trigram indexes on PostgreSQL (migration 0007).
        indexes = [
            models.Index(fields=["status", "publish_at"]),
            # A film's published reviews, newest first.
            models.Index(fields=["film", "status", "publish_at"], name="review_film_live_idx"),
            # The admin's changelist and date hierarchy, all statuses.
            models.Index(fields=["publish_at", "id"], name="review_publish_at_idx"),
            # The editorial calendar: a month of planned reviews.
            models.Index(fields=["planned_for", "id"], name="review_planned_for_idx"),
        ]
        permissions = [
            ("publish_review", "Can publish, schedule and withdraw reviews, and share drafts"),
            ("change_any_review", "Can edit reviews other people created"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            if self.publish_at is None:
                self.publish_at = timezone.now()
            if self.first_published_at is None or self.first_published_at > timezone.now():
                # Not live yet: the first publication moves with a rescheduled time.
                self.first_published_at = self.publish_at
        elif self.first_published_at and self.first_published_at > timezone.now():
            # Withdrawn or sent back before its time came: it was never published.
            self.first_published_at = None
        update_fields = kwargs.get("update_fields")
        body_changes = update_fields is None or "body" in update_fields
        if body_changes:
            rendered = self.render_body()
            # Rendered for this save (or by the clean() before it); the next save renders anew.
            self._rendered = None
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
        if body_changes:
            self.store_citations(rendered)
        if self.status == self.Status.WITHDRAWN:
            # However a review is withdrawn (an action, the form, a service, a script), the
            # links that shared it before publication stop working.
            self.share_links.revoke(user=self.updated_by_id)

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.slug])

    def natural_key(self):
        return super().natural_key()

    natural_key.dependencies = [
        *("films.film", "soundtracks.soundtrack", "reviews.author", "reviews.badge")
    ]

    def clean(self):
        super().clean()
        errors = {}
        if self.film_id is None and self.status == self.Status.PUBLISHED:
            errors["film"] = "A published review needs a primary film."
        length = len(self.body or "")
        if length > MAX_LENGTH:
            errors["body"] = ValidationError(
                "This body is %(length)s characters long; a review can be at most %(limit)s. "
                "Shorten it, or split it into two reviews.",
                code="body_too_long",
                params={"length": f"{length:,}", "limit": f"{MAX_LENGTH:,}"},
            )
        elif unknown := self.rendering().unknown:
            errors["body"] = _unknown_reference_messages(unknown)
        if errors:
            raise ValidationError(errors)

    def render_body(self):
        """Render ``body`` into ``body_html``; return the rendering (what it links to)."""
        rendered = self.rendering()
        self.body_html = rendered.html
        return rendered

    def store_citations(self, rendered):
        """Record the tracks and cues ``rendered`` links to (the review is saved)."""
        self.cited_tracks.set(rendered.tracks)
        self.cited_cues.set(rendered.cues)

    def rendering(self, find=find_tracks, find_cues=find_cues):
        """The body rendered (``reviews.markdown.Rendered``): the one place a review renders it.

        Kept for the body as it is, so that ``clean()`` (which needs the unknown references)
        and the ``save()`` after it render the body once between them. ``find`` resolves track
        references and ``find_cues`` cue references (``reviews.citations``): from the database
        unless a bulk path gives the rows it holds in memory.
        """
        kept = getattr(self, "_rendered", None)
        if kept is None or kept[0] != self.body:
            kept = self._rendered = (self.body, render_markdown(self.body, find, find_cues))
        return kept[1]

    @property
    def is_live(self):
        """``published()`` for one review in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        """``scheduled()`` for one review in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def was_updated(self):
        """True once the headline, standfirst or body changed after the review went live."""
        return bool(
            self.last_material_change_at
            and self.first_published_at
            and self.last_material_change_at > self.first_published_at
        )

    @property
    def updated_display_at(self):
        """The time to show as "Updated" on the page, or ``None``."""
        return self.last_material_change_at if self.was_updated else None

    @property
    def updated_on(self):
        """The time to show as "Updated", or ``None``: a material edit after it went live.

        The one place the page asks; the workflow may refine what counts as a material edit.
        """
        # The workflow records material edits (reviews.services); see updated_display_at.
        return self.updated_display_at

    @property
    def corrected_at(self):
        """When its latest correction or update was dated, or ``None``: from the corrections
        fetched with it (``for_page``), with no query of its own."""
        return max((note.published_at for note in self.corrections.all()), default=None)

    @property
    def modified_at(self):
        """The last change readers can see: a save, or a correction dated after it."""
        corrected = self.corrected_at
        return max(self.updated_at, corrected) if corrected else self.updated_at

    @property
    def ratings(self):
        """Its album ratings as shown, the album of its film first (``verdict_prefetches``
        fetches them with their albums: no query of its own)."""
        ratings = list(self.album_ratings.all())
        return sorted(ratings, key=lambda rating: rating.soundtrack.film_id != self.film_id)

    def primary_album(self, albums):
        """The album of ``albums`` (the review's, as fetched) the review is about: its film's,
        else the first. The structured data's ``itemReviewed``; the rating a card shows."""
        albums = list(albums)
        return next((album for album in albums if album.film_id == self.film_id), None) or (
            albums[0] if albums else None
        )


def rating_scale():
    """The scale new ratings are given on (``REVIEW_RATING_SCALE``)."""
    return settings.REVIEW_RATING_SCALE


class AlbumRatingManager(models.Manager):
    def get_by_natural_key(self, review_slug, soundtrack_slug):
        return self.get(review__slug=review_slug, soundtrack__slug=soundtrack_slug)


@versioned
class AlbumRating(LockVersionModel):
    """A review's score for one of the albums it covers, on the scale it was given on.

    The scale is stored with the score: a publication that changes ``REVIEW_RATING_SCALE``
    leaves "8 out of 10" meaning what it meant, and rates anew on the new scale.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="album_ratings")
    soundtrack = models.ForeignKey(
        Soundtrack,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name="album",
        help_text="One of the albums the review covers.",
    )
    score = models.PositiveSmallIntegerField(help_text="A whole number, from 1 to the scale.")
    out_of = models.PositiveSmallIntegerField(
        "scale", default=rating_scale, editable=False, help_text="The best score possible."
    )

    objects = AlbumRatingManager()

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "soundtrack"],
                name="albumrating_one_per_album",
                violation_error_message="This review rates that album already.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=models.F("out_of")),
                name="albumrating_score_on_its_scale",
                violation_error_message="A score is from 1 to the scale.",
            ),
        ]
        verbose_name = "album rating"

    def __str__(self):
        return f"{self.soundtrack}: {self.score} out of {self.out_of}"

    def natural_key(self):
        return (*self.review.natural_key(), *self.soundtrack.natural_key())

    natural_key.dependencies = ["reviews.review", "soundtracks.soundtrack"]

    def clean(self):
        super().clean()
        if self.score is not None and not 1 <= self.score <= self.out_of:
            raise ValidationError(
                {"score": f"A score is a whole number from 1 to {self.out_of}."},
                code="out_of_scale",
            )

    @property
    def text(self):
        """What a reader, or a screen reader, is told: "Rated 8 out of 10"."""
        return f"Rated {self.score} out of {self.out_of}"


@versioned
class Correction(UidKeyedModel):
    """A dated note an editor adds to a published review: a correction of a fact, or an update.

    Shown at the foot of the article, in its feed entry and its structured data; never edits
    the body, so that what readers read first stays on the record.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.CORRECTION,
        help_text="A correction puts right an error; an update adds what has happened since.",
    )
    note = models.TextField(
        max_length=NOTE_MAX_LENGTH,
        help_text=f"What was wrong and what is right, or what is new. {NOTE_SYNTAX_HELP}",
    )
    published_at = models.DateTimeField(
        "dated",
        default=timezone.now,
        help_text="The date readers see with it; now unless you say otherwise.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = changed_by_field(verbose_name="added by")
    updated_by = changed_by_field(verbose_name="last changed by")
    uid = uid_field()

    class Meta:
        ordering = ["published_at", "pk"]
        verbose_name = "correction or update"
        verbose_name_plural = "corrections and updates"

    def __str__(self):
        return f"{self.get_kind_display()}, {timezone.localtime(self.published_at):%d %b %Y}"

    def clean(self):
        super().clean()
        if self.published_at and self.published_at > timezone.now():
            raise ValidationError(
                {"published_at": "A correction is dated when it is made, not in the future."}
            )

    @property
    def note_html(self):
        """The note as sanitised HTML (``reviews.corrections``)."""
        return render_note(self.note)

    @property
    def note_text(self):
        """The note as plain text, for structured data."""
        return render_note(self.note, plain=True)


#: The most unknown references a body's error lists one by one; the rest are counted.
UNKNOWN_REFERENCES_LISTED = 20


def _unknown_reference_messages(unknown):
    """One message per unknown reference (each once, cut short if long), up to a limit."""
    distinct = list(dict.fromkeys(unknown))
    messages = [_unknown_reference_message(ref) for ref in distinct[:UNKNOWN_REFERENCES_LISTED]]
    if (rest := len(distinct) - UNKNOWN_REFERENCES_LISTED) > 0:
        messages.append(f"And {rest:,} more references that name no track or cue.")
    return messages


def _unknown_reference_message(reference):
    shown = reference if len(reference) <= 80 else reference[:60] + "…"
    if reference[: len(CUE_SCHEME)].lower() == CUE_SCHEME:
        return (
            f"“{shown}” names no cue. Check the film’s slug and the cue’s slug or cue "
            f"code: {CUE_SYNTAX_HELP}"
        )
    return (
        f"“{shown}” names no track. Check the album’s slug and the track number: "
        f"{TRACK_SYNTAX_HELP}"
    )


class ShareLinkQuerySet(models.QuerySet):
    def working(self, now=None):
        """Links that still show their review: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def revoke(self, *, user=None, now=None):
        """Revoke every link here not revoked yet, by ``user`` (or their id); returns how many."""
        return self.filter(revoked_at__isnull=True).update(
            revoked_at=now or timezone.now(), revoked_by_id=getattr(user, "pk", user)
        )


class ShareLink(models.Model):
    """A link an editor gave someone outside the newsroom to read a review before it is live.

    The link carries a signed reference to ``uid`` (``reviews.preview``); this row decides whether
    it still works: until ``expires_at``, unless revoked, and never once the review is withdrawn.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="share_links")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = changed_by_field(verbose_name="made by")
    expires_at = models.DateTimeField("works until")
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)
    revoked_by = changed_by_field(verbose_name="revoked by")

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["review", "revoked_at", "expires_at"], name="sharelink_review_working_idx"
            )
        ]

    def __str__(self):
        return f"Share link for “{self.review}” until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_working(self):
        """``working()`` for one link in hand."""
        return self.revoked_at is None and self.expires_at > timezone.now()
