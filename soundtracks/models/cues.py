"""The cue sheet: every piece of music in a film, where it plays, and which album track it became.

A ``Cue`` is one piece of music in one film. ``CueTrack`` links it to the album tracks it became,
with the extent (whole, in part, edited): a suite on an album holds several cues, a cue on no
album is *unreleased*, and a track in no cue of a film that has a cue sheet is *not in the film*.
Whether a track is used whole, in part or not at all is derived from these links
(``Track.film_usage``), never typed twice. A ``Theme`` is a named musical idea of a film or of a
franchise; its ``ThemeAppearance`` rows say which cues carry it.

The review a cue's facts come from is declared by the review (``Review.cues_sourced``): reviews
sit above this app.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify

from editorial.models import (
    LockVersionModel,
    NamedModel,
    changed_by_field,
    uid_field,
)
from editorial.revisions import versioned
from films.models import Film, Franchise, Person
from soundtracks.durations import DurationSecondsField, format_duration
from soundtracks.models.albums import Track

#: What a cue code may hold: studios write ``1M03`` (reel 1, music 3), ``2M14A``, ``M101``,
#: ``5M1/6M2`` for a cue across a reel change.
CUE_CODE_HELP = "As studios write it, e.g. 1M03 (reel 1, music 3). Leave empty if unknown."


class CueManager(models.Manager):
    def get_by_natural_key(self, film_slug, slug):
        return self.get(film__slug=film_slug, slug=slug)


class CueQuerySet(models.QuerySet):
    def in_film_order(self):
        return self.order_by("film_id", "order", models.F("start").asc(nulls_last=True), "pk")


@versioned(follow=("track_links",))
class Cue(LockVersionModel):
    """One piece of music in one film, as a cue sheet lists it."""

    class Usage(models.TextChoices):
        # The classes of cue sheets filed with performing-rights societies.
        MAIN_TITLE = "main_title", "Main title"
        END_TITLE = "end_title", "End title"
        BACKGROUND_INSTRUMENTAL = "bi", "Background instrumental"
        BACKGROUND_VOCAL = "bv", "Background vocal"
        VISUAL_INSTRUMENTAL = "vi", "Visual (source) instrumental"
        VISUAL_VOCAL = "vv", "Visual (source) vocal"

    class Source(models.TextChoices):
        SEEN = "seen", "Seen in the film"
        CUE_SHEET = "cue_sheet", "A published cue sheet"
        ARTICLE = "article", "An article or review"
        ALBUM = "album", "The album's notes"

    film = models.ForeignKey(Film, on_delete=models.PROTECT, related_name="cues")
    order = models.PositiveIntegerField(
        "film order", default=1, help_text="Its place in the film: 1 for the first cue."
    )
    code = models.CharField("cue code", max_length=20, blank=True, help_text=CUE_CODE_HELP)
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=100,
        blank=True,
        help_text="Names the cue in its address and in reviews (cue:film/slug). "
        "Empty: made from the cue code or the title.",
    )
    start = DurationSecondsField(
        "in",
        null=True,
        blank=True,
        help_text="Where it starts, as m:ss or h:mm:ss. Empty: unknown.",
    )
    end = DurationSecondsField(
        "out", null=True, blank=True, help_text="Where it ends, as m:ss or h:mm:ss. Empty: unknown."
    )
    duration = DurationSecondsField(
        "length",
        null=True,
        blank=True,
        help_text="How long it plays, as m:ss. Made from in and out when both are known; "
        "cue sheets filed for royalties often give only this.",
    )
    usage = models.CharField(
        max_length=20, choices=Usage.choices, blank=True, help_text="Empty: not known."
    )
    scene = models.CharField(
        max_length=300, blank=True, help_text="The scene it plays under, in a few words."
    )
    scene_is_spoiler = models.BooleanField(
        "scene is a spoiler",
        default=False,
        help_text="Readers see the scene only when they choose to.",
    )
    composers = models.ManyToManyField(
        Person,
        related_name="cues_composed",
        blank=True,
        help_text="Who wrote it. Empty on a new cue: the film's composers.",
    )
    performers = models.ManyToManyField(
        Person,
        related_name="cues_performed",
        blank=True,
        help_text="Who performs it, when not the composers (a song's artist).",
    )
    known_from = models.CharField("known from", max_length=20, choices=Source.choices, blank=True)
    source_detail = models.CharField(
        "source",
        max_length=300,
        blank=True,
        help_text="Which cue sheet or article, or a web address. A review is named on the review.",
    )
    tracks = models.ManyToManyField(Track, through="CueTrack", related_name="cues", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField("last changed", auto_now=True, null=True)
    created_by = changed_by_field(help_text="Who added the cue.")
    updated_by = changed_by_field(verbose_name="last changed by")
    uid = uid_field()

    objects = CueManager.from_queryset(CueQuerySet)()

    class Meta:
        ordering = ["film_id", "order", "start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["film", "code"],
                condition=~Q(code=""),
                name="cue_unique_code_per_film",
                violation_error_message="Another cue of this film has this cue code.",
            ),
            models.UniqueConstraint(
                fields=["film", "slug"],
                name="cue_unique_slug_per_film",
                violation_error_message="Another cue of this film has this slug.",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(end__isnull=True)
                | Q(end__gt=models.F("start")),
                name="cue_ends_after_it_starts",
                violation_error_message="A cue must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(duration__isnull=True)
                | Q(duration__gt=0)
                & (Q(start__isnull=True) | Q(end__isnull=True) | Q(duration=F("end") - F("start"))),
                name="cue_length_is_out_minus_in",
                violation_error_message="A cue's length is from its in to its out.",
            ),
        ]
        indexes = [models.Index(fields=["film", "order", "start"], name="cue_film_order_idx")]

    def __str__(self):
        return f"{self.code} {self.title}" if self.code else self.title

    def get_absolute_url(self):
        return reverse("soundtracks:cue_detail", args=[self.film.slug, self.slug])

    def natural_key(self):
        return (*self.film.natural_key(), self.slug)

    # Its people and the tracks it became load first, so a dump loads in one pass.
    natural_key.dependencies = ["films.film", "films.person", "soundtracks.track"]

    @property
    def anchor(self):
        return f"cue-{self.slug}"

    @property
    def length(self):
        """Seconds it plays: from in to out when both are known, else the length given."""
        if self.start is not None and self.end is not None:
            return self.end - self.start
        return self.duration

    @property
    def start_display(self):
        return format_duration(self.start)

    @property
    def end_display(self):
        return format_duration(self.end)

    @property
    def length_display(self):
        return format_duration(self.length)

    def clean(self):
        super().clean()
        if not self.slug:
            self.slug = self.unique_slug()
        self._derive_times()
        runtime = self.film.runtime * 60 if self.film_id and self.film.runtime else None
        if runtime is not None:
            errors = {}
            for name in ("start", "end"):
                value = getattr(self, name)
                if value is not None and value > runtime:
                    label = self._meta.get_field(name).verbose_name
                    errors[name] = (
                        f"“{label}” is {format_duration(value)}, after the end of the film "
                        f"({format_duration(runtime)})."
                    )
            if errors:
                raise ValidationError(errors)

    def _derive_times(self):
        """In, out and length make each other: any two give the third; three must agree."""
        start, end, duration = self.start, self.end, self.duration
        if duration is not None and duration <= 0:
            raise ValidationError({"duration": "A cue lasts longer than 0:00."})
        if start is not None and end is not None:
            if end <= start:
                raise ValidationError({"end": "A cue must end after it starts."})
            if duration is not None and duration != end - start:
                raise ValidationError(
                    {
                        "duration": f"{format_duration(duration)}, but from "
                        f"{format_duration(start)} to {format_duration(end)} is "
                        f"{format_duration(end - start)}. Leave one of the three empty."
                    }
                )
            self.duration = end - start
        elif duration is not None and start is not None:
            self.end = start + duration
        elif duration is not None and end is not None:
            if duration > end:
                raise ValidationError(
                    {"duration": f"{format_duration(duration)} is longer than its out."}
                )
            self.start = end - duration

    def unique_slug(self):
        """A slug from the code or the title, unique among the film's other cues."""
        base = slugify(self.code or self.title)[:90] or "cue"
        taken = set()
        if self.film_id:
            taken = set(
                Cue.objects.filter(film_id=self.film_id, slug__startswith=base)
                .exclude(pk=self.pk)
                .values_list("slug", flat=True)
            )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        return slug

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        if self.start is not None and self.end is not None and self.end > self.start:
            self.duration = self.end - self.start
        super().save(*args, **kwargs)


class CueTrackManager(models.Manager):
    def get_by_natural_key(self, film_slug, cue_slug, album_slug, disc, position):
        return self.get(
            cue__film__slug=film_slug,
            cue__slug=cue_slug,
            track__soundtrack__slug=album_slug,
            track__disc=disc,
            track__position=position,
        )


@versioned
class CueTrack(LockVersionModel):
    """A cue on an album track: whole, in part, or edited for the album."""

    class Extent(models.TextChoices):
        WHOLE = "whole", "Whole"
        PART = "part", "In part"
        EDITED = "edited", "Edited"

    cue = models.ForeignKey(Cue, on_delete=models.CASCADE, related_name="track_links")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="cue_links")
    extent = models.CharField(
        max_length=10,
        choices=Extent.choices,
        blank=True,
        help_text="How much of the track the film plays. Empty: not known.",
    )

    objects = CueTrackManager()

    class Meta:
        verbose_name = "album track of a cue"
        ordering = ["cue_id", "track__soundtrack_id", "track__disc", "track__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["cue", "track"],
                name="cuetrack_unique",
                violation_error_message="This cue is already linked to that track.",
            ),
        ]

    def __str__(self):
        return f"{self.cue} on {self.track}"

    def natural_key(self):
        return (*self.cue.natural_key(), *self.track.natural_key())

    natural_key.dependencies = ["soundtracks.cue", "soundtracks.track"]

    def clean(self):
        super().clean()
        if self.cue_id and self.track_id:
            album = self.track.soundtrack
            if album.film_id != self.cue.film_id:
                raise ValidationError(
                    {
                        "track": f"“{self.track.title}” is on {album.title}, an album of "
                        f"{album.film}; this cue is in {self.cue.film}."
                    }
                )


@versioned(follow=("appearances",))
class Theme(NamedModel):
    """A named musical idea, a leitmotif, of one film or of a franchise."""

    film = models.ForeignKey(
        Film,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="themes",
        help_text="The film it belongs to; or a franchise, for a theme across its films.",
    )
    franchise = models.ForeignKey(
        Franchise, on_delete=models.PROTECT, null=True, blank=True, related_name="themes"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField("last changed", auto_now=True, null=True)
    created_by = changed_by_field(help_text="Who added the theme.")
    updated_by = changed_by_field(verbose_name="last changed by")
    uid = uid_field()

    class Meta(NamedModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(film__isnull=True, franchise__isnull=False)
                | Q(film__isnull=False, franchise__isnull=True),
                name="theme_of_a_film_or_a_franchise",
                violation_error_message="A theme belongs to a film or to a franchise, one of them.",
            ),
        ]

    def get_absolute_url(self):
        return reverse("soundtracks:theme_detail", args=[self.slug])

    def admits(self, cue):
        """Whether ``cue`` is in this theme's film, or in a film of its franchise."""
        if self.film_id:
            return cue.film_id == self.film_id
        return cue.film.franchise_id == self.franchise_id


class ThemeAppearanceManager(models.Manager):
    def get_by_natural_key(self, theme_slug, film_slug, cue_slug):
        return self.get(theme__slug=theme_slug, cue__film__slug=film_slug, cue__slug=cue_slug)


@versioned
class ThemeAppearance(LockVersionModel):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="appearances")
    cue = models.ForeignKey(Cue, on_delete=models.CASCADE, related_name="theme_appearances")
    note = models.CharField(
        max_length=300, blank=True, help_text="The variant or the instrumentation, in a few words."
    )

    objects = ThemeAppearanceManager()

    class Meta:
        ordering = ["theme_id", "cue__film__release_date", "cue__order", "cue__start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "cue"],
                name="themeappearance_unique",
                violation_error_message="The theme already appears in this cue.",
            ),
        ]

    def __str__(self):
        return f"{self.theme} in {self.cue}"

    def natural_key(self):
        return (*self.theme.natural_key(), *self.cue.natural_key())

    natural_key.dependencies = ["soundtracks.theme", "soundtracks.cue"]

    def clean(self):
        super().clean()
        if self.theme_id and self.cue_id and not self.theme.admits(self.cue):
            where = self.theme.film or self.theme.franchise
            raise ValidationError(
                {"cue": f"“{self.cue}” is in {self.cue.film}, not in {where}, the theme’s."}
            )
