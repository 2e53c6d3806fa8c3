"""Accepting an uploaded image: by decoding it, never by trusting its name.

The upload is opened with Pillow restricted to the accepted formats, so none of the other
decoders Pillow carries ever reads it. Its size in bytes is checked before anything is read,
its size in pixels from the header before any pixel is decoded (a 10000 × 10000 PNG is a few
KiB on disk and 300 MB in memory), and then it is decoded in full, so that a truncated or
corrupt file is refused here rather than half-shown on a page.

Pillow never holds the caller's file, only a borrowed view of it (``_borrowed``): since Pillow
13, ``Image.close()`` (and leaving ``with Image.open(...)``) closes whatever file object it was
given, which for an upload means a temporary file that cannot be reopened and an in-memory
one that cannot be read again, so the model's save found it closed. The view's ``close()``
does nothing; the upload stays open, rewound, for whoever reads it next (the save that
cleans and stores it), and a stored file opened only to be read is closed again.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, features

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000

# Pillow format name → file extension. AVIF only where this Pillow was built with it.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
if features.check("avif"):
    EXTENSIONS["AVIF"] = "avif"
ACCEPTED_FORMATS = tuple(EXTENSIONS)
ACCEPTED_MIME_TYPES = tuple(f"image/{name.lower()}" for name in ACCEPTED_FORMATS)
_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "AVIF": "AVIF"}
ACCEPTED_FORMATS_TEXT = (
    ", ".join(_FORMAT_NAMES[name] for name in ACCEPTED_FORMATS[:-1])
    + f" or {_FORMAT_NAMES[ACCEPTED_FORMATS[-1]]}"
)

# EXIF orientations that turn the picture a quarter turn, swapping width and height.
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int

    @classmethod
    def from_settings(cls):
        return cls(
            max_bytes=getattr(settings, "IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES),
            max_pixels=getattr(settings, "IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS),
        )


def open_image(file, limits=None):
    """Check ``file`` and return it decoded in full as a Pillow image, or raise ValidationError.

    ``file`` is any readable, seekable file object: an upload, a ``ContentFile``, a stored file.
    """
    limits = limits or ImageLimits.from_settings()
    size = _byte_size(file)
    if size > limits.max_bytes:
        raise ValidationError(
            "This file is %(size)s; an image can be at most %(limit)s. "
            "Export it smaller and upload it again.",
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limits.max_bytes)},
        )

    with _borrowed(file) as view:
        image = _open_header(view)
        _check_pixels(image.size, limits)
        if getattr(image, "n_frames", 1) > 1:
            raise ValidationError(
                "Animated images are not accepted; upload a still image.", code="animated"
            )
        try:
            image.load()
        # A decoder fed a hostile or broken file can fail in many ways (OSError for a truncated
        # file, but also SyntaxError, ValueError, struct.error…). Every one means the same here.
        except Exception as error:
            raise _damaged() from error
    return image


def validate_image(value):
    """Validator for form and model fields: raise ValidationError unless ``value`` is acceptable.

    A file already in storage (a saved model's image) was checked when it was uploaded and is
    not read again. An upload that passed once is marked, so that the model's ``full_clean``
    after the form's own check does not decode it a second time.
    """
    if getattr(value, "_committed", False) is True:
        return
    upload = getattr(value, "file", None) if hasattr(value, "_committed") else value
    if getattr(upload, "_image_checked", False):
        return
    open_image(value).close()
    if upload is not None:
        upload._image_checked = True


def read_dimensions(file):
    """Width and height as displayed (EXIF orientation applied), from the header only."""
    with _borrowed(file) as view, _open_header(view) as image:
        width, height = image.size
        if image.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS:
            width, height = height, width
    return width, height


class _BorrowedFile:
    """What Pillow reads instead of the caller's file: reading and seeking, but no closing."""

    closed = False

    def __init__(self, file):
        self._file = file

    def read(self, size=-1):
        return self._file.read(size)

    def readline(self, size=-1):
        return self._file.readline(size)

    def seek(self, offset, whence=0):
        return self._file.seek(offset, whence)

    def tell(self):
        return self._file.tell()

    def close(self):
        """Pillow closing "its" file leaves the caller's open."""


@contextmanager
def _borrowed(file):
    """``file`` from its start, as a view Pillow cannot close; rewound again afterwards.

    A stored file that is closed (a ``FieldFile``) is opened for the read and closed after it;
    a file that was open stays open.
    """
    reopened = getattr(file, "closed", False) and hasattr(file, "open")
    if reopened:
        file.open("rb")
    try:
        file.seek(0)
        yield _BorrowedFile(file)
    finally:
        if reopened:
            file.close()
        elif not getattr(file, "closed", False):
            file.seek(0)


def _open_header(file):
    try:
        # Only the accepted formats' decoders are tried: an SVG, an HTML page or a TIFF
        # renamed .jpg never reaches a parser it could exploit.
        return Image.open(file, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:
        # Pillow's own last-resort limit, far above ours: the header claims a giant image.
        raise ValidationError(
            "This image has far too many pixels; the limit is %(limit)s megapixels. "
            "Resize it and upload it again.",
            code="too_many_pixels",
            params={"limit": _megapixels(ImageLimits.from_settings().max_pixels)},
        ) from error
    except Exception as error:
        if _starts_like_an_accepted_format(file):
            # Some readers (WebP's) decode as they open: a cut file fails here, not in load().
            raise _damaged() from error
        raise ValidationError(
            "Upload a %(formats)s image. This file is not one: its contents were checked, "
            "not its name.",
            code="not_an_image",
            params={"formats": ACCEPTED_FORMATS_TEXT},
        ) from error


def _starts_like_an_accepted_format(file):
    Image.init()  # Registers every format's signature check (a no-op after the first call).
    file.seek(0)
    prefix = file.read(16)
    return any(Image.OPEN[name][1](prefix) for name in ACCEPTED_FORMATS)


def _damaged():
    return ValidationError(
        "This image is damaged or incomplete: it could not be read to the end. "
        "Export it again and upload the new file.",
        code="damaged",
    )


def _check_pixels(size, limits):
    width, height = size
    if width < 1 or height < 1:
        raise ValidationError("This image has no pixels.", code="empty_image")
    if width * height > limits.max_pixels:
        raise ValidationError(
            "This image is %(width)s × %(height)s pixels (%(megapixels)s megapixels); the "
            "limit is %(limit)s megapixels. Resize it and upload it again.",
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "megapixels": _megapixels(width * height),
                "limit": _megapixels(limits.max_pixels),
            },
        )


def _megapixels(pixels):
    return format(pixels / 1_000_000, ".3g")


def _byte_size(file):
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    return size
