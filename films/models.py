from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse

from editorial.models import (
    LockVersionModel,
    NamedModel,
    Reliance,
    SluggedModel,
    SlugNaturalKeyManager,
    changed_by_field,
    guard_deletion,
    slug_field,
    uid_field,
)
from editorial.revisions import versioned
from films import sorting
from images.fields import ImageForeignKey


@versioned
class Franchise(NamedModel):
    description = models.TextField(blank=True)
    uid = uid_field()

    def get_absolute_url(self):
        return reverse("films:franchise_detail", args=[self.slug])


def compute_sort_key(person):
    return sorting.sort_key(person.name, person.sort_name, person.is_group)


class SortKeyField(models.CharField):
    """A person's sort key (``films.sorting``), worked out from their name, sort name and
    whether they are a group on every write that goes through Django: ``save()`` and
    ``bulk_create`` (here), ``loaddata`` (``_sort_key_on_raw_save``). Not ``update()``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", sorting.SORT_KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = compute_sort_key(model_instance)
        setattr(model_instance, self.attname, value)
        return value


@versioned
class Person(NamedModel):
    """A person or a group: Nine Inch Nails is a group whose members are people."""

    sort_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="How the index pages alphabetise the name, surname first: “Reznor, Trent” "
        "for Trent Reznor, “Beethoven, Ludwig van”. Leave empty to sort a person by the last "
        "word of their name (Trent Reznor under R) and a group by its whole name (Nine Inch "
        "Nails under N, Daft Punk under D); fill it in for a group to file it otherwise "
        "(“Null Corporation, The”).",
    )
    sort_key = SortKeyField()
    is_group = models.BooleanField(
        "group",
        default=False,
        help_text="Tick for a band, duo or ensemble credited under one name (e.g. Daft Punk).",
    )
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="groups",
        blank=True,
        limit_choices_to={"is_group": False},
        help_text="For a group: the people in it.",
    )
    bio = models.TextField(blank=True, help_text="A short biography in plain text.")
    photo = ImageForeignKey(
        related_name="photo_of",
        help_text="A portrait (4:5 suits the page) or a group's picture, from the image library.",
    )
    imdb_id = models.CharField(
        "IMDb id",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^nm[0-9]{7,9}\Z", "An IMDb name id: nm and 7 to 9 digits.")],
        help_text="From the person’s IMDb address, for example nm0000313. Only when checked.",
    )
    musicbrainz_id = models.CharField(
        "MusicBrainz id",
        max_length=36,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z",
                "A MusicBrainz artist id: 36 characters, as in its address "
                "(lower-case hexadecimal and hyphens).",
            )
        ],
        help_text="From the artist’s MusicBrainz address (musicbrainz.org/artist/…). Only when "
        "checked.",
    )
    uid = uid_field()
    # Empty for rows loaded from fixtures that carry no times (loaddata skips auto_now).
    updated_at = models.DateTimeField("last changed", auto_now=True, null=True)

    class Meta(NamedModel.Meta):
        verbose_name_plural = "people and groups"
        # Indexes serve the orderings and filters of pages and changelists at scale.
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            models.Index(fields=["sort_key", "name"], name="person_sort_key_idx"),
        ]

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "sort_name", "is_group"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("films:person_detail", args=[self.slug])

    @property
    def same_as(self):
        """The person's pages elsewhere that identify them: IMDb, MusicBrainz, where known."""
        return [
            url
            for url in (
                self.imdb_id and f"https://www.imdb.com/name/{self.imdb_id}/",
                self.musicbrainz_id and f"https://musicbrainz.org/artist/{self.musicbrainz_id}",
            )
            if url
        ]


@receiver(pre_save, sender=Person)
def _sort_key_on_raw_save(sender, instance, raw, **kwargs):
    # loaddata saves raw, which skips the fields' pre_save: the key is set here instead, so a
    # fixture's people are sorted as saved ones are, whatever key the fixture holds.
    if raw:
        instance.sort_key = compute_sort_key(instance)


class FilmQuerySet(models.QuerySet):
    def with_credits(self):
        return self.select_related("franchise", "poster").prefetch_related(
            models.Prefetch("credits", queryset=Credit.objects.select_related("person"))
        )

    def in_franchise_order(self):
        """Its place in the franchise where given, then release date."""
        return self.order_by(
            models.F("franchise_order").asc(nulls_last=True), "release_date", "title"
        )


class FilmManager(SlugNaturalKeyManager.from_queryset(FilmQuerySet)):
    pass


@versioned(follow=("credits",))
class Film(SluggedModel):
    title = models.CharField(max_length=200)
    slug = slug_field()
    release_date = models.DateField(
        null=True, blank=True, help_text="First general US release. Leave empty if unknown."
    )
    runtime = models.PositiveSmallIntegerField(
        "runtime (minutes)", null=True, blank=True, help_text="Running time in whole minutes."
    )
    certificate = models.CharField(max_length=20, blank=True, help_text="For example PG or PG-13.")
    tagline = models.CharField(max_length=300, blank=True)
    synopsis = models.TextField(blank=True)
    poster = ImageForeignKey(
        related_name="poster_of", help_text="The poster, upright (2:3), from the image library."
    )
    franchise = models.ForeignKey(
        Franchise, on_delete=models.PROTECT, null=True, blank=True, related_name="films"
    )
    franchise_order = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Its place in the franchise (1 for the first). Empty: by release date.",
    )
    cue_sheet_complete = models.BooleanField(
        "cue sheet complete",
        default=False,
        help_text="Tick when the cue sheet lists every piece of music in the film: an album "
        "track in no cue then reads as not in the film, rather than not known.",
    )
    imdb_id = models.CharField(
        "IMDb id", max_length=20, blank=True, help_text="For example tt0084827."
    )
    tmdb_id = models.PositiveIntegerField("TMDb id", null=True, blank=True)
    # Empty for rows loaded from fixtures that carry no times (loaddata skips auto_now).
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField("last changed", auto_now=True, null=True)
    created_by = changed_by_field(help_text="Who added the film.")
    updated_by = changed_by_field(verbose_name="last changed by")
    uid = uid_field()

    objects = FilmManager()

    class Meta:
        ordering = ["release_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(runtime__isnull=True) | Q(runtime__gt=0),
                name="film_runtime_positive",
                violation_error_message="Runtime must be a positive number of minutes.",
            ),
        ]
        indexes = [models.Index(fields=["release_date", "title"], name="film_release_title_idx")]

    def __str__(self):
        if self.release_date:
            return f"{self.title} ({self.release_date.year})"
        return self.title

    def get_absolute_url(self):
        return reverse("films:film_detail", args=[self.slug])

    def credits_for(self, role):
        """Credits in one role, in billing order; uses prefetched credits when present."""
        return [credit for credit in self.credits.all() if credit.role == role]

    @property
    def directors(self):
        return [credit.person for credit in self.credits_for(Credit.Role.DIRECTOR)]

    @property
    def producers(self):
        return [credit.person for credit in self.credits_for(Credit.Role.PRODUCER)]

    @property
    def composers(self):
        return [credit.person for credit in self.credits_for(Credit.Role.COMPOSER)]

    @property
    def cast(self):
        return self.credits_for(Credit.Role.CAST)


class CreditManager(models.Manager):
    def get_by_natural_key(self, film_slug, person_slug, role):
        return self.get(film__slug=film_slug, person__slug=person_slug, role=role)


@versioned
class Credit(LockVersionModel):
    class Role(models.TextChoices):
        DIRECTOR = "director", "Director"
        PRODUCER = "producer", "Producer"
        SCREENPLAY = "screenplay", "Screenplay"
        STORY = "story", "Story"
        COMPOSER = "composer", "Composer"
        CAST = "cast", "Cast"

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=20, choices=Role.choices)
    character = models.CharField(
        max_length=200, blank=True, help_text="Cast only: the part played, e.g. Kevin Flynn / Clu."
    )
    billing_order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are billed first within a role."
    )

    objects = CreditManager()

    class Meta:
        ordering = ["billing_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["film", "person", "role"],
                name="credit_unique_person_role",
                violation_error_message="This person already has that role on this film.",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "role"]),
            models.Index(fields=["billing_order", "id"], name="credit_billing_idx"),
        ]

    def __str__(self):
        if self.character:
            return f"{self.person} as {self.character} in {self.film}"
        return f"{self.person}, {self.get_role_display().lower()}, {self.film}"

    def natural_key(self):
        return (*self.film.natural_key(), *self.person.natural_key(), self.role)

    natural_key.dependencies = ["films.film", "films.person"]


def _groups_listing(people):
    """A guard: a group's page lists its members, and its revisions hold them, not theirs."""
    links = Person.members.through.objects.filter(to_person__in=people).select_related(
        "from_person", "to_person"
    )
    return [Reliance(link.to_person, link.from_person, "a member of the group") for link in links]


guard_deletion(Person, _groups_listing)
