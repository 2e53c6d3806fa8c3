"""factory_boy factories for the image library."""

import io

import factory
from django.core.files.base import ContentFile
from PIL import Image as Picture

from images.models import Image


def png_bytes(size=(480, 320), colour=(40, 160, 220)):
    buffer = io.BytesIO()
    Picture.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    """An Image stored through the real pipeline (cleaned, with renditions): set MEDIA_ROOT."""

    class Meta:
        model = Image

    alt_text = factory.Sequence(lambda n: f"Illustration number {n}")
    credit = "Drawn for the tests"
    licence = "The Cuesheet project’s own illustration"

    @classmethod
    def _create(cls, model_class, *args, size=(480, 320), **kwargs):
        image = model_class(*args, **kwargs)
        image.file.save("picture.png", ContentFile(png_bytes(size)), save=False)
        image.save()
        return image


def restore_images(rows):
    """Write back what ``conftest.demo_images`` kept: an Image per row, pointed at by the row.

    ``rows`` maps (model, slug) to (image field name, the Image's columns).
    """
    for (model, slug), (field, columns) in rows.items():
        image = Image.objects.create(**columns)
        model.objects.filter(slug=slug).update(**{field: image})
