"""Images in the admin: a changelist thumbnail and a change form's preview of the current image."""

from django.utils.html import format_html

from images.fields import alt_text_for

#: For a ModelAdmin's ``Media.css`` wherever ``thumbnail`` or ``image_preview`` is shown.
IMAGES_CSS = "admin/css/images.css"


def _img(image, rendition, css_class):
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="{}" loading="lazy">',
        rendition.url,
        rendition.width,
        rendition.height,
        alt_text_for(image.instance, image.field.name),
        css_class,
    )


def thumbnail(image):
    """A changelist column: the image's narrowest rendition, small, with its alt text.

    Built from the row's own columns (name, width, height): no query and no storage call.
    """
    if not image:
        return "—"
    return _img(image, image.renditions[0], "cuesheet-thumbnail")


def image_preview(image):
    """A change form's read-only field: the current image as readers get it, and its facts."""
    if not image:
        return "No image yet. Upload one below."
    renditions = image.renditions
    # The rendition nearest 640 pixels: sharp at the preview's size without the original.
    shown = min(renditions, key=lambda rendition: abs(rendition.width - 640))
    if getattr(image.instance, f"{image.field.name}_decorative"):
        alt_note = "Marked decorative: screen readers skip it."
    else:
        alt_note = "Alt text: " + (alt_text_for(image.instance, image.field.name) or "none yet")
    return format_html(
        '<figure class="cuesheet-preview">{}<figcaption><a href="{}">The original</a>, {} × {} '
        "pixels; WebP renditions {} pixels wide.<br>{}</figcaption></figure>",
        _img(image, shown, "cuesheet-preview-image"),
        image.url,
        image.width,
        image.height,
        ", ".join(str(rendition.width) for rendition in renditions),
        alt_note,
    )
