"""Images drawn for the image tests with Pillow, and the helpers those tests share.

The fixtures that go with them (``poster_model``, a small model of the tests' own with a table
made for it, and ``media_root``) are in tests/conftest.py.
"""

import io
import struct
import zlib
from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

MiB = 1024 * 1024


# Inputs -------------------------------------------------------------------------------------


def picture(size=(600, 400), mode="RGB"):
    """A detailed, deterministic picture (a Mandelbrot set), so that encoders have work to do."""
    image = Image.effect_mandelbrot(size, (-2.0, -1.2, 0.8, 1.2), 60)
    return image.convert(mode)


def encode(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg(size=(600, 400), **options):
    return encode(picture(size), "JPEG", **options)


def png(size=(600, 400), mode="RGB"):
    return encode(picture(size, mode), "PNG")


def upload(data, name="poster.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_header_only(width, height):
    """A PNG whose header claims ``width`` × ``height`` pixels, followed by almost nothing."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def huge_png_of_a_few_kib():
    """A real, valid 10000 × 10000 PNG: one bit per pixel, all zero, compressed to a few KiB."""
    return encode(Image.new("1", (10_000, 10_000)), "PNG")


def animated_png():
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    return encode(frames[0], "PNG", save_all=True, append_images=frames[1:])


def stored_files(root):
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def poster_form(model, data=None, files=None, instance=None):
    form_class = forms.modelform_factory(
        model, fields=["title", "image", "image_alt", "image_decorative"]
    )
    return form_class(data=data, files=files, instance=instance)


def save_poster(model, data, name="poster.jpg", **fields):
    poster = model(image_alt="An illustrated poster", **fields)
    poster.image.save(name, ContentFile(data), save=False)
    poster.save()
    return poster


BAD_UPLOADS = {
    "text renamed .jpg": (b"Just some words, not a picture.\n" * 20, "not_an_image"),
    "svg renamed .jpg": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" '
        b'height="100"><script>alert(1)</script><rect width="100" height="100"/></svg>',
        "not_an_image",
    ),
    "html renamed .jpg": (
        b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>",
        "not_an_image",
    ),
    # Pillow reads these; only the accepted formats' decoders are allowed to.
    "gif": (encode(picture((40, 40)), "GIF"), "not_an_image"),
    "bmp": (encode(picture((40, 40)), "BMP"), "not_an_image"),
    "tiff": (encode(picture((40, 40)), "TIFF"), "not_an_image"),
    "truncated jpeg": (jpeg()[: len(jpeg()) // 2], "damaged"),
    "truncated png": (png()[: len(png()) // 2], "damaged"),
    "10000 × 10000 png of a few KiB": (huge_png_of_a_few_kib(), "too_many_pixels"),
    "header claiming 100000 × 100000": (png_header_only(100_000, 100_000), "too_many_pixels"),
    "animated png": (animated_png(), "animated"),
    "empty file": (b"", "empty"),
}
