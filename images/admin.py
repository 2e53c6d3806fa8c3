"""Images in the admin: the image library, a changelist thumbnail and a change form's preview.

Content admins take both columns for an image key from ``image_columns``::

    poster_thumbnail, poster_preview = image_columns("poster")

and list ``poster_thumbnail`` (with the image in ``list_select_related``) and show
``poster_preview`` beside the autocomplete chooser.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from editorial.admin import EditorialAdmin, LockedAdminMixin
from editorial.admin_input import InputSafeAdminMixin
from images.models import Image

#: For a ModelAdmin's ``Media.css`` wherever ``thumbnail`` or ``image_preview`` is shown.
IMAGES_CSS = "admin/css/images.css"


def _img(image, rendition, css_class):
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="{}" loading="lazy">',
        rendition.url,
        rendition.width,
        rendition.height,
        image.alt,
        css_class,
    )


def thumbnail(image):
    """A changelist column: the image's narrowest rendition, small, with its alt text.

    Built from the Image's columns (name, width, height): no storage call, and no query when
    the image is selected with its row.
    """
    if not image:
        return "—"
    return _img(image, image.renditions[0], "cuesheet-thumbnail")


def image_columns(field, noun=None):
    """A changelist thumbnail and a change form preview of the image key ``field``, as two
    ModelAdmin methods; ``noun`` names them to editors (the field's name by default)."""
    noun = noun or field.replace("_", " ")

    @admin.display(description=noun)
    def column(self, obj):
        return thumbnail(getattr(obj, field))

    @admin.display(description=f"current {noun}")
    def preview(self, obj):
        return image_preview(getattr(obj, field))

    return column, preview


def image_preview(image):
    """A change form's read-only field: the current image as readers get it, and its facts."""
    if not image:
        return "No image chosen yet. Pick one from the library below, or add one there."
    renditions = image.renditions
    # The rendition nearest 640 pixels: sharp at the preview's size without the original.
    shown = min(renditions, key=lambda rendition: abs(rendition.width - 640))
    if image.decorative:
        alt_note = "Marked decorative: screen readers skip it."
    else:
        alt_note = "Alt text: " + (image.alt_text or "none yet")
    credit = (
        f"Credit: {image.credit or 'not recorded'}; licence: {image.licence or 'not recorded'}."
    )
    return format_html(
        '<figure class="cuesheet-preview">{}<figcaption><a href="{}">The original</a>, {} × {} '
        "pixels; WebP renditions {} pixels wide.<br>{}<br>{} "
        '<a href="{}">Edit the image</a></figcaption></figure>',
        _img(image, shown, "cuesheet-preview-image"),
        image.url,
        image.width,
        image.height,
        ", ".join(str(rendition.width) for rendition in renditions),
        alt_note,
        credit,
        reverse("admin:images_image_change", args=[image.pk]),
    )


class CreditListFilter(admin.SimpleListFilter):
    title = "credit"
    parameter_name = "credit"

    def lookups(self, request, model_admin):
        return (("missing", "Credit or licence missing"), ("given", "Credit and licence given"))

    def queryset(self, request, queryset):
        missing = Q(credit="") | Q(licence="")
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "given":
            return queryset.exclude(missing)
        return queryset


@admin.register(Image)
class ImageAdmin(InputSafeAdminMixin, LockedAdminMixin, EditorialAdmin):
    list_display = ("image_thumbnail", "__str__", "credit", "licence", "width", "height")
    list_display_links = ("image_thumbnail", "__str__")
    list_filter = ("decorative", CreditListFilter)
    search_fields = ("alt_text", "credit", "caption", "licence")
    readonly_fields = ("image_preview", "used_by")
    fieldsets = (
        (None, {"fields": ("image_preview", "file", "alt_text", "decorative", "caption")}),
        ("Where it comes from", {"fields": ("credit", "licence", "source_url")}),
        ("Focal point", {"fields": ("focal_x", "focal_y"), "classes": ("collapse",)}),
        ("Used by", {"fields": ("used_by",)}),
    )

    class Media:
        css = {"all": (IMAGES_CSS,)}

    @admin.display(description="image")
    def image_thumbnail(self, obj):
        return thumbnail(obj)

    @admin.display(description="current image")
    def image_preview(self, obj):
        return image_preview(obj if obj.pk else None)

    @admin.display(description="shown on")
    def used_by(self, obj):
        uses = obj.uses() if obj.pk else []
        if not uses:
            return "Nothing yet: it can be deleted."
        return format_html_join(
            ", ", '<a href="{}">{}</a> ({})', ((_change_url(row), row, f) for f, row in uses)
        )


def _change_url(row):
    return reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
