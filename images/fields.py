"""The fields behind ``images.Image``, and the key that content rows point at one with.

``CleanImageField`` is ``Image.file``: checked on upload, cleaned on save, stored with its WebP
renditions, its width and height written once from the cleaned image. Content models never
hold a file themselves; they point at an Image::

    from images.fields import ImageForeignKey

    class Film(models.Model):
        poster = ImageForeignKey(related_name="poster_of", help_text="...")

and templates show it with ``{% load images %}{% responsive_image film.poster sizes="20rem" %}``
(select the image with the row: ``select_related("poster")``). The ``<field>_alt`` /
``<field>_decorative`` helpers below (``require_alt_text``, ``alt_text_for``, ``attach_image``)
serve a model that keeps a ``CleanImageField`` of its own; ``images.Image`` has ``alt_text`` and
``decorative`` and checks them in its ``clean()``.
"""

from dataclasses import replace

from django import forms
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.db.models.signals import pre_save

from images import (
    ACCEPTED_MIME_TYPES,
    clean_image,
    delete_renditions,
    make_renditions,
    plan_renditions,
    read_dimensions,
    safe_image_name,
    validate_image,
)

ALT_TEXT_HELP = (
    "What the image shows, for readers who cannot see it; screen readers read it aloud. "
    "For example: “Poster: a figure in a glowing suit beside a red light cycle”. "
    "Required unless the image is marked decorative."
)
DECORATIVE_HELP = (
    "Tick only when the image adds nothing the text around it does not already say: "
    "screen readers then skip it, and it needs no alt text."
)


class CleanImageFormField(forms.FileField):
    """A file field that accepts only what ``images.validate_image`` accepts.

    Django's ``forms.ImageField`` opens the upload with every decoder Pillow has; this one
    lets only the accepted formats' decoders read it.
    """

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            validate_image(upload)
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Only a hint for the browser's file picker; the check above is what counts.
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(ACCEPTED_MIME_TYPES)
        return attrs


class CleanImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """Check and clean ``content``, store it under a safe, unique name, make its renditions.

        Every way a file reaches the field ends here: a form's upload (through the model's
        save), ``attach_image``, or ``instance.image.save(name, content)`` in code.
        """
        cleaned = clean_image(content)
        name = self.field.generate_filename(
            self.instance, safe_image_name(name or "image", cleaned.extension)
        )
        self.name = self.storage.save(name, cleaned.content, max_length=self.field.max_length)
        try:
            make_renditions(self.storage, self.name, cleaned.image)
        except BaseException:
            delete_renditions(self.storage, self.name, cleaned.width, cleaned.height)
            self.storage.delete(self.name)
            raise
        setattr(self.instance, self.field.attname, self.name)
        self.field.set_dimensions(self.instance, cleaned.width, cleaned.height)
        self._dimensions_cache = (cleaned.width, cleaned.height)
        self._committed = True
        if save:
            self.instance.save()

    save.alters_data = True

    def delete(self, save=True):
        """Delete the stored original and its renditions, and clear the field."""
        if self and self._committed:
            try:
                width, height = self.width, self.height
            except (OSError, ValidationError):
                width = height = None  # The original is gone or unreadable: nothing to plan.
            if width and height:
                delete_renditions(self.storage, self.name, width, height)
        super().delete(save=save)

    delete.alters_data = True

    @property
    def renditions(self):
        """The WebP renditions, narrowest first, each with ``url``, ``width`` and ``height``.

        Built from the stored name and dimensions: no storage is opened or listed.
        """
        if not self:
            return []
        return [
            replace(rendition, url=self.storage.url(rendition.name))
            for rendition in plan_renditions(self.name, self.width, self.height)
        ]

    @property
    def thumbnail_url(self):
        """The narrowest rendition's URL, for lists and previews; empty without an image."""
        renditions = self.renditions
        return renditions[0].url if renditions else ""

    def _get_image_dimensions(self):
        # Django's version opens the file with every decoder Pillow has (and downloads it
        # from S3); the stored width and height are used instead, the header read otherwise.
        if not hasattr(self, "_dimensions_cache"):
            stored = self.field.stored_dimensions(self.instance) if self._committed else None
            if stored is None:
                # Opens the stored file for the read and closes it again if it was closed.
                stored = read_dimensions(self)
            self._dimensions_cache = stored
        return self._dimensions_cache


class CleanImageField(models.ImageField):
    """An image checked by decoding, cleaned when saved and stored with WebP renditions.

    ``width_field`` and ``height_field`` are required: pages print each image's size (so the
    layout does not shift while it loads) from them, without opening the file.
    """

    attr_class = CleanImageFieldFile
    default_validators = [validate_image]
    description = "Image, checked and cleaned, with WebP renditions"

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_dimension_fields()]

    def _check_dimension_fields(self):
        hint = (
            "Add e.g. poster_width = image_dimension_field() after the image field and pass "
            "width_field='poster_width' (and the same for the height)."
        )
        if not (self.width_field and self.height_field):
            return [
                checks.Error(
                    "CleanImageField needs width_field and height_field.",
                    hint=hint,
                    obj=self,
                    id="images.E101",
                )
            ]
        positions = {
            field.attname: index
            for index, field in enumerate(self.model._meta.local_concrete_fields)
        }
        errors = []
        for name in (self.width_field, self.height_field):
            if name not in positions:
                errors.append(
                    checks.Error(
                        f"CleanImageField refers to the missing field '{name}'.",
                        hint=hint,
                        obj=self,
                        id="images.E102",
                    )
                )
            elif positions[name] < positions.get(self.attname, -1):
                errors.append(
                    checks.Error(
                        f"'{name}' must be declared after '{self.name}'.",
                        hint="Django writes columns in declaration order, and the dimensions "
                        "are set while the image itself is being saved.",
                        obj=self,
                        id="images.E103",
                    )
                )
        return errors

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            pre_save.connect(self._keep_stored_image_on_load, sender=cls, weak=False)

    def _keep_stored_image_on_load(self, sender, instance, raw, **kwargs):
        """``loaddata`` over a row it found by natural key keeps the image the row has.

        Fixtures carry no files (the demo's illustrations are attached after loading them), so
        reloading one would otherwise empty every image field. A row the fixture gives an image
        takes that image, as any other field's value.
        """
        if not raw or instance.pk is None or getattr(instance, self.attname):
            return
        related = (f"{self.name}_alt", f"{self.name}_decorative")
        names = [
            self.attname,
            *filter(None, (self.width_field, self.height_field)),
            *(name for name in related if hasattr(instance, name)),
        ]
        stored = sender._base_manager.filter(pk=instance.pk).values(*names).first()
        if stored and stored[self.attname]:
            for name, value in stored.items():
                setattr(instance, name, value)

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        """Clear the width and height when the image is cleared; nothing more.

        Django's ImageField reads them here from the file, on assignment and when a row with
        empty dimensions is loaded, with every decoder Pillow has and, on S3, by downloading
        it. Here they are written once, by ``CleanImageFieldFile.save``, from the cleaned image.
        """
        if self.attname in instance.__dict__ and not instance.__dict__[self.attname]:
            self.set_dimensions(instance, None, None)

    def set_dimensions(self, instance, width, height):
        setattr(instance, self.width_field, width)
        setattr(instance, self.height_field, height)

    def stored_dimensions(self, instance):
        width = getattr(instance, self.width_field, None)
        height = getattr(instance, self.height_field, None)
        return (width, height) if width and height else None

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})


def image_dimension_field():
    """A width or height column for a ``CleanImageField``, filled in when the image is saved."""
    return models.PositiveIntegerField(null=True, blank=True, editable=False)


def alt_text_field(verbose_name="alt text"):
    return models.CharField(verbose_name, max_length=300, blank=True, help_text=ALT_TEXT_HELP)


def decorative_field(verbose_name="decorative image"):
    return models.BooleanField(verbose_name, default=False, help_text=DECORATIVE_HELP)


def require_alt_text(instance, field_name):
    """For a model's ``clean()``: an image needs alt text unless it is marked decorative."""
    if getattr(instance, field_name) and _lacks_alt_text(instance, field_name):
        raise _alt_text_required(field_name)


def _lacks_alt_text(instance, field_name):
    if getattr(instance, f"{field_name}_decorative"):
        return False
    return not (getattr(instance, f"{field_name}_alt") or "").strip()


def _alt_text_required(field_name):
    return ValidationError(
        {
            f"{field_name}_alt": ValidationError(
                "Describe the image for readers who cannot see it, or mark it decorative "
                "if it adds nothing the text does not say.",
                code="alt_required",
            )
        }
    )


def alt_text_for(instance, field_name):
    """The alt attribute for ``instance.<field_name>``: empty for a decorative image."""
    if getattr(instance, f"{field_name}_decorative"):
        return ""
    return getattr(instance, f"{field_name}_alt")


def attach_image(instance, field_name, content, *, name, alt=None, replace=False):
    """Store ``content`` as ``instance.<field_name>`` (cleaned, with renditions) and save the row.

    An image already there is kept unless ``replace`` is true, so demo drawings never take
    the place of an editor's upload. ``alt`` sets the alt text (and clears "decorative").
    Returns whether an image was attached.
    """
    current = getattr(instance, field_name)
    if current and not replace:
        return False
    if alt is not None:
        setattr(instance, f"{field_name}_alt", alt)
        setattr(instance, f"{field_name}_decorative", False)
    field = instance._meta.get_field(field_name)
    update_fields = [
        field_name,
        field.width_field,
        field.height_field,
        f"{field_name}_alt",
        f"{field_name}_decorative",
    ]
    # Checked before anything is stored: the row must stay valid with its new image.
    if _lacks_alt_text(instance, field_name):
        raise _alt_text_required(field_name)
    previous = (current.name, current.width, current.height) if current else None
    getattr(instance, field_name).save(name, content, save=False)
    instance.save(update_fields=update_fields if instance.pk else None)
    # Only now that the new image is stored and saved does the old one go.
    if previous:
        name, width, height = previous
        delete_renditions(field.storage, name, width, height)
        field.storage.delete(name)
    return True


class ImageForeignKey(models.ForeignKey):
    """A content row's picture: one ``images.Image``, which cannot be deleted while in use.

    Migrations see a plain ``ForeignKey``. ``loaddata`` over a row it found by natural key keeps
    the image the row has: fixtures carry no images (the demo's drawings are attached after).
    """

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("to", "images.Image")
        kwargs.setdefault("on_delete", models.PROTECT)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name=verbose_name, **kwargs)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            pre_save.connect(self._keep_stored_image_on_load, sender=cls, weak=False)

    def _keep_stored_image_on_load(self, sender, instance, raw, **kwargs):
        if not raw or instance.pk is None or getattr(instance, self.attname) is not None:
            return
        stored = sender._base_manager.filter(pk=instance.pk).values_list(self.attname, flat=True)
        setattr(instance, self.attname, stored.first())
