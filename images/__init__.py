"""Images for every content app: accepted by decoding, cleaned, stored with WebP renditions.

- ``validation``: what an upload must be (format by its contents, size in bytes and pixels,
  decodable to the end) — ``open_image`` and the ``validate_image`` validator.
- ``processing``: what is stored — the cleaned original (``clean_image``) under a safe,
  unique name (``safe_image_name``) and its renditions (``make_renditions``, ``plan_renditions``).
- ``models``: ``Image``, the one row per picture that films, people, albums and reviews point at
  (``images.fields.ImageForeignKey``), with its alt text, credit, licence and focal point.

``Image.file`` uses all of it through ``images.fields.CleanImageField``; templates through the
``responsive_image`` tag in ``images.templatetags.images``; the admin through ``images.admin``.
"""

from images.processing import (
    CleanedImage,
    Rendition,
    clean_image,
    delete_renditions,
    ensure_renditions,
    make_renditions,
    plan_renditions,
    rendition_widths,
    safe_image_name,
)
from images.validation import (
    ACCEPTED_FORMATS,
    ACCEPTED_MIME_TYPES,
    ImageLimits,
    open_image,
    read_dimensions,
    validate_image,
)

__all__ = [
    "ACCEPTED_FORMATS",
    "ACCEPTED_MIME_TYPES",
    "CleanedImage",
    "ImageLimits",
    "Rendition",
    "clean_image",
    "delete_renditions",
    "ensure_renditions",
    "make_renditions",
    "open_image",
    "plan_renditions",
    "read_dimensions",
    "rendition_widths",
    "safe_image_name",
    "validate_image",
]
