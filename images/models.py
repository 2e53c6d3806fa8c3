"""One row per picture: the file with its renditions, what it shows, and where it comes from.

Films (poster), people (photo), albums (cover) and reviews (hero image) point at an ``Image``
through ``images.fields.ImageForeignKey``, so one upload serves every page that shows it (a
poster reused as a review's hero) and its alt text and credit are written once. An image in use
cannot be deleted (``on_delete=PROTECT``); the admin names what uses it.
"""

import posixpath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from editorial.models import UidKeyedModel, changed_by_field, uid_field
from editorial.revisions import versioned
from images.fields import (
    CleanImageField,
    alt_text_field,
    decorative_field,
    image_dimension_field,
)

CREDIT_HELP = (
    "Who made the picture or where it comes from, as readers should see it: for example "
    "“Walt Disney Pictures” or “Photo: Jane Doe”. Required for a new image."
)
LICENCE_HELP = (
    "The terms Cuesheet shows it under: for example “Publicity still, used for review”, "
    "“CC BY-SA 4.0” or “Cuesheet’s own”. Required for a new image."
)
FOCAL_HELP = (
    "Where the picture's subject is, in percent from the {edge} edge (0–100), so crops keep it. "
    "Leave both empty for the centre."
)


@versioned
class Image(UidKeyedModel):
    file = CleanImageField(
        "image",
        upload_to="images/",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG or WebP, ideally 1280 pixels wide or more.",
    )
    width = image_dimension_field()
    height = image_dimension_field()
    alt_text = alt_text_field()
    decorative = decorative_field()
    caption = models.CharField(
        max_length=300, blank=True, help_text="Optional. Printed under the picture where shown."
    )
    credit = models.CharField("credit / source", max_length=200, blank=True, help_text=CREDIT_HELP)
    source_url = models.URLField(
        "source address", blank=True, help_text="Optional. Where the picture was found."
    )
    licence = models.CharField(max_length=200, blank=True, help_text=LICENCE_HELP)
    focal_x = models.PositiveSmallIntegerField(
        "focal point across (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=FOCAL_HELP.format(edge="left"),
    )
    focal_y = models.PositiveSmallIntegerField(
        "focal point down (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=FOCAL_HELP.format(edge="top"),
    )
    # Empty for rows a data migration made from the columns images had before this model.
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField("last changed", auto_now=True, null=True)
    created_by = changed_by_field(help_text="Who uploaded the image.")
    updated_by = changed_by_field(verbose_name="last changed by")
    uid = uid_field()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(focal_x__isnull=True) & Q(focal_y__isnull=True))
                | (Q(focal_x__lte=100) & Q(focal_y__lte=100)),
                name="image_focal_point_in_range",
                violation_error_message="A focal point is two percentages from 0 to 100.",
            ),
        ]

    def __str__(self):
        text = self.alt_text or self.caption or posixpath.basename(self.file.name or "") or "image"
        return text if len(text) <= 80 else f"{text[:79]}…"

    def clean(self):
        super().clean()
        errors = {}
        if not self.decorative and not (self.alt_text or "").strip():
            errors["alt_text"] = ValidationError(
                "Describe the image for readers who cannot see it, or mark it decorative "
                "if it adds nothing the text does not say.",
                code="alt_required",
            )
        if self._state.adding:
            for name in ("credit", "licence"):
                if not (getattr(self, name) or "").strip():
                    errors[name] = ValidationError(
                        "Say where the picture comes from and under what terms it is shown: "
                        "every published picture needs its credit and licence.",
                        code=f"{name}_required",
                    )
        if (self.focal_x is None) != (self.focal_y is None):
            errors["focal_y" if self.focal_y is None else "focal_x"] = ValidationError(
                "Give both focal point percentages, or neither.", code="focal_incomplete"
            )
        if errors:
            raise ValidationError(errors)

    # What pages and the admin read: built from the row's columns, no storage call. --------

    @property
    def alt(self):
        """The alt attribute: empty for a decorative image."""
        return "" if self.decorative else self.alt_text

    @property
    def url(self):
        return self.file.url

    @property
    def renditions(self):
        return self.file.renditions

    @property
    def thumbnail_url(self):
        return self.file.thumbnail_url

    @property
    def object_position(self):
        """A CSS ``object-position`` for crops, or "" for the centre."""
        if self.focal_x is None or self.focal_y is None:
            return ""
        return f"{self.focal_x}% {self.focal_y}%"

    def uses(self):
        """The rows that show this image, as ``(field verbose name, row)`` pairs."""
        found = []
        for relation in self._meta.related_objects:
            if relation.field.model is self.__class__ or not relation.field.many_to_one:
                continue
            rows = relation.related_model._base_manager.filter(**{relation.field.name: self})
            found += [(relation.field.verbose_name, row) for row in rows]
        return found


def attach_image(instance, field_name, content, *, name, alt, credit, licence, replace=False):
    """Store ``content`` as a new ``Image`` and point ``instance.<field_name>`` at it.

    A row that already shows an image keeps it unless ``replace`` is true (the old ``Image``
    stays: other rows may use it). The image is checked (alt text, credit, licence) before any
    file is stored. Returns whether an image was attached.
    """
    if getattr(instance, f"{instance._meta.get_field(field_name).attname}") and not replace:
        return False
    image = Image(alt_text=alt, credit=credit, licence=licence)
    image.full_clean(exclude=["file"])
    image.file.save(name, content, save=False)
    image.save()
    setattr(instance, field_name, image)
    instance.save(update_fields=[field_name] if instance.pk else None)
    return True
