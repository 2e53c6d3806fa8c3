from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from editorial.models import (
    LockVersionModel,
    Reliance,
    SluggedModel,
    SlugNaturalKeyManager,
    UidKeyedModel,
    changed_by_field,
    guard_deletion,
    slug_field,
    uid_field,
)
from editorial.revisions import versioned
from films.models import Film, Person
from images.fields import ImageForeignKey
from soundtracks.durations import DurationSecondsField, format_duration


class SoundtrackQuerySet(models.QuerySet):
    def with_tracklist(self):
        return self.select_related("film", "cover").prefetch_related(
            "artists",
            models.Prefetch("tracks", queryset=Track.objects.prefetch_related("notes")),
        )

    def with_running_time(self):
        """Annotate ``track_count``, ``vocal_track_count``, ``timed_track_count`` (tracks with a
        duration) and ``running_time``, their total in seconds."""
        return self.annotate(
            track_count=models.Count("tracks"),
            vocal_track_count=models.Count("tracks", filter=Q(tracks__is_vocal=True)),
            timed_track_count=models.Count("tracks__duration"),
            running_time=models.Sum("tracks__duration"),
        )


class SoundtrackManager(SlugNaturalKeyManager.from_queryset(SoundtrackQuerySet)):
    pass


@versioned(follow=("tracks",))
class Soundtrack(SluggedModel):
    """An album tied to a film; a film may have several (a score and a songs album)."""

    class Kind(models.TextChoices):
        SCORE = "score", "Score"
        SONGS = "songs", "Songs"
        COMPILATION = "compilation", "Score and songs"

    film = models.ForeignKey(Film, on_delete=models.PROTECT, related_name="soundtracks")
    title = models.CharField(max_length=300)
    slug = slug_field()
    artist_credit = models.CharField(
        max_length=300,
        help_text="The artist line as printed on the album, e.g. “Wendy Carlos”.",
    )
    artists = models.ManyToManyField(
        Person,
        related_name="albums",
        blank=True,
        help_text="The people or groups behind the album; their pages list it.",
    )
    label = models.CharField(
        max_length=300,
        blank=True,
        help_text="The label that issued the album. Several labels: separate them with commas, "
        "e.g. “Interscope Records, Walt Disney Records”; each is then named on its own.",
    )
    release_date = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SCORE)
    description = models.TextField(blank=True)
    cover = ImageForeignKey(
        related_name="cover_of",
        help_text="The album's front cover, square, from the image library.",
    )
    # Empty for rows loaded from fixtures that carry no times (loaddata skips auto_now).
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField("last changed", auto_now=True, null=True)
    created_by = changed_by_field(help_text="Who added the album.")
    updated_by = changed_by_field(verbose_name="last changed by")
    uid = uid_field()

    objects = SoundtrackManager()

    class Meta:
        ordering = ["release_date", "title"]
        indexes = [
            models.Index(fields=["release_date", "title"], name="soundtrack_release_title_idx")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("soundtracks:soundtrack_detail", args=[self.slug])

    def natural_key(self):
        return super().natural_key()

    natural_key.dependencies = ["films.film", "films.person"]


class TrackManager(models.Manager):
    def get_by_natural_key(self, soundtrack_slug, disc, position):
        return self.get(soundtrack__slug=soundtrack_slug, disc=disc, position=position)


@versioned(follow=("notes",))
class Track(LockVersionModel):
    soundtrack = models.ForeignKey(Soundtrack, on_delete=models.CASCADE, related_name="tracks")
    disc = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(help_text="Track number on its disc.")
    title = models.CharField(max_length=300)
    duration = DurationSecondsField(
        null=True, blank=True, help_text="As m:ss or h:mm:ss. Leave empty if unverified."
    )
    artist_credit = models.CharField(
        max_length=300, blank=True, help_text="Only when it differs from the album’s, e.g. Journey."
    )
    is_vocal = models.BooleanField(
        "vocal", default=False, help_text="Tick for a song with sung vocals."
    )

    objects = TrackManager()

    class Meta:
        ordering = ["soundtrack_id", "disc", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["soundtrack", "disc", "position"],
                name="track_unique_disc_position",
                violation_error_message="Another track already has this disc and position.",
            ),
            models.CheckConstraint(
                condition=Q(disc__gte=1) & Q(position__gte=1),
                name="track_disc_position_from_one",
                violation_error_message="Discs and positions count from 1.",
            ),
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gt=0),
                name="track_duration_positive",
                violation_error_message="A duration must be longer than zero.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    def get_absolute_url(self):
        return f"{self.soundtrack.get_absolute_url()}#{self.anchor}"

    def natural_key(self):
        return (*self.soundtrack.natural_key(), self.disc, self.position)

    natural_key.dependencies = ["soundtracks.soundtrack"]

    @property
    def anchor(self):
        return f"track-{self.disc}-{self.position}"

    @property
    def duration_display(self):
        return format_duration(self.duration)


@versioned
class TrackNote(UidKeyedModel):
    """An editor's commentary on one album track. Where the track plays in the film is the cue
    sheet's business (``Cue``); the review a note came from is declared by the review
    (``Review.notes_sourced``), which sits above this app."""

    # A stable identity that fixtures and dumps can refer to without primary keys.
    uid = uid_field()
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("note", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="track_notes",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = changed_by_field(help_text="Writers may edit the notes they created; editors any.")
    updated_by = changed_by_field(verbose_name="last changed by")

    class Meta:
        ordering = ["track_id", "pk"]
        permissions = [("change_any_tracknote", "Can edit track notes other people created")]

    def __str__(self):
        return f"Note on {self.track.title}"

    def get_absolute_url(self):
        return self.track.get_absolute_url()


def _albums_listing(people):
    """A guard: an album's page lists its artists, and its revisions hold them, not theirs."""
    links = Soundtrack.artists.through.objects.filter(person__in=people).select_related(
        "person", "soundtrack"
    )
    return [Reliance(link.person, link.soundtrack, "an artist of the album") for link in links]


guard_deletion(Person, _albums_listing)
