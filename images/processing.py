"""Cleaning an accepted image before it is stored, and making its WebP renditions.

Cleaning re-encodes the picture from its pixels alone: EXIF (camera, GPS), XMP and comments
do not survive; the EXIF orientation is applied to the pixels; a colour profile is converted
to sRGB, which is what browsers assume for an image without one. The cleaned original keeps
its format and full size. Renditions are WebP at the configured widths, never wider than the
original, made once when the original is stored and written through the same storage, so a
page only builds their URLs and never opens a file.
"""

import io
import logging
import posixpath
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image, ImageOps, features

from images.validation import EXTENSIONS, open_image

logger = logging.getLogger(__name__)

DEFAULT_RENDITION_WIDTHS = (320, 640, 960, 1280)
RENDITIONS_FOLDER = "renditions"

# How each format is written again: good quality, and no metadata but what is passed here.
_ENCODER_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True, "progressive": True},
    "PNG": {},
    "WEBP": {"quality": 90},
    "AVIF": {"quality": 80},
}
_RENDITION_OPTIONS = {"quality": 80}

_HAS_COLOUR_MANAGEMENT = features.check("littlecms2")
if _HAS_COLOUR_MANAGEMENT:
    from PIL import ImageCms

    _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class CleanedImage:
    content: ContentFile
    image: Image.Image
    format: str
    width: int
    height: int

    @property
    def extension(self):
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    url: str = ""


def clean_image(file):
    """Check ``file`` (see ``open_image``) and return it cleaned, ready to store."""
    image = open_image(file)
    source_format = image.format
    ImageOps.exif_transpose(image, in_place=True)
    image, icc_profile = _to_srgb(image)
    # Nothing from the upload's metadata travels on: only what is passed to save() is written.
    image.info = {}
    options = dict(_ENCODER_OPTIONS[source_format])
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.save(buffer, source_format, **options)
    return CleanedImage(
        content=ContentFile(buffer.getvalue()),
        image=image,
        format=source_format,
        width=image.width,
        height=image.height,
    )


def safe_image_name(name, extension):
    """A file name for an upload called ``name``: its words, a random token, the real extension.

    Folders, drive letters, ``..``, backslashes and NUL bytes are dropped; what is left is
    slugified. The random token means two uploads called ``poster.jpg`` never share a name,
    on storages that overwrite (S3) as on those that don't.
    """
    base = re.split(r"[\\/]", name.replace("\x00", ""))[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = slugify(stem)[:40].strip("-_") or "image"
    return f"{stem}-{secrets.token_hex(8)}.{extension}"


def rendition_widths(width):
    """The rendition widths for an original ``width`` pixels wide: never an upscale.

    Every configured width below the original, and the original's own width when it is
    narrower than the widest configured one, so the browser always has the full picture.
    """
    configured = sorted(set(getattr(settings, "IMAGE_RENDITION_WIDTHS", DEFAULT_RENDITION_WIDTHS)))
    widths = [candidate for candidate in configured if candidate < width]
    if width <= configured[-1]:
        widths.append(width)
    return widths


def plan_renditions(name, width, height):
    """The renditions of the original stored as ``name`` (``width`` × ``height``), narrowest first.

    Names follow from the original's name and size alone: listing them needs no storage call.
    """
    folder, base = posixpath.split(name)
    stem = base.rsplit(".", 1)[0]
    return [
        Rendition(
            name=posixpath.join(folder, RENDITIONS_FOLDER, f"{stem}-{target}w.webp"),
            width=target,
            height=max(1, round(height * target / width)),
        )
        for target in rendition_widths(width)
    ]


def make_renditions(storage, name, image, *, only_missing=False):
    """Write the renditions of ``image``, the original stored as ``name``; return them."""
    renditions = plan_renditions(name, image.width, image.height)
    for rendition in renditions:
        exists = storage.exists(rendition.name)
        if exists and only_missing:
            continue
        resized = image.resize(
            (rendition.width, rendition.height), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", **_RENDITION_OPTIONS)
        # A rendition's name is derived, not chosen: replace a stale copy rather than let the
        # storage pick another name that pages would never ask for.
        if exists:
            storage.delete(rendition.name)
        saved = storage.save(rendition.name, ContentFile(buffer.getvalue()))
        if saved != rendition.name:
            raise RuntimeError(f"Storage saved rendition {rendition.name!r} as {saved!r}.")
    return renditions


def ensure_renditions(storage, name):
    """Make whichever renditions of the stored original ``name`` are missing; return those made.

    For originals stored without going through the field (copied media folders, a changed
    ``IMAGE_RENDITION_WIDTHS``). Opens the original only when something is missing.
    """
    with storage.open(name, "rb") as file:
        image = open_image(file)
        planned = plan_renditions(name, image.width, image.height)
        missing = [rendition for rendition in planned if not storage.exists(rendition.name)]
        if missing:
            make_renditions(storage, name, image, only_missing=True)
    return missing


def delete_renditions(storage, name, width, height):
    for rendition in plan_renditions(name, width, height):
        storage.delete(rendition.name)


def _to_srgb(image):
    """Return ``image`` as RGB or RGBA in sRGB, and the colour profile still to embed, if any."""
    profile = image.info.get("icc_profile")
    has_alpha = image.has_transparency_data
    if image.mode not in {"L", "RGB", "RGBA", "CMYK"}:
        # Palettes, 16-bit greys, LA: made plain first. A profile for the old mode no longer
        # fits the pixels, so it is dropped (such files are rare and nearly always sRGB).
        image = image.convert("RGBA" if has_alpha else "RGB")
        profile = None
    if profile and _HAS_COLOUR_MANAGEMENT:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(
                image,
                source,
                _SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            logger.info("Ignoring a colour profile that could not be applied.", exc_info=True)
        profile = None
    if image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA" if has_alpha else "RGB")
    # Without LittleCMS the pixels stay as they came and their profile stays with them.
    return image, profile
