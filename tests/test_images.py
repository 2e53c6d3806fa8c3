"""The image pipeline: what an upload must be, what is stored, its renditions and their markup.

Every input is drawn here with Pillow. The field is tested on a small model of its own
(``Poster``, with a table made for it); the template tag on real ``images.Image`` rows.
"""

import io
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.template import Context, Template
from django.test.utils import isolate_apps
from PIL import ExifTags, Image, ImageCms, ImageFile

from demo.drawing import SIZES
from demo.management.commands.draw_demo_images import DEMO_IMAGES
from editorial.tests.html import parse_html
from images import ensure_renditions, plan_renditions, rendition_widths, safe_image_name
from images.fields import (
    CleanImageField,
    CleanImageFormField,
    alt_text_field,
    attach_image,
    decorative_field,
    image_dimension_field,
    require_alt_text,
)
from images.models import Image as ImageRow

MiB = 1024 * 1024

# The 100-megapixel inputs also trip Pillow's own, far higher, alarm: a warning, expected here.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


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


# A model of the tests' own -------------------------------------------------------------------


@pytest.fixture(scope="module")
def poster_model(django_db_setup, django_db_blocker):
    with isolate_apps("images"):

        class Poster(models.Model):
            title = models.CharField(max_length=100, default="Tron")
            image = CleanImageField(
                upload_to="posters/", width_field="image_width", height_field="image_height"
            )
            image_width = image_dimension_field()
            image_height = image_dimension_field()
            image_alt = alt_text_field()
            image_decorative = decorative_field()

            class Meta:
                app_label = "images"

            def __str__(self):
                return self.title

            def clean(self):
                super().clean()
                require_alt_text(self, "image")

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Poster)
    yield Poster
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Poster)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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


# Validation by decoding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("poster.jpg", jpeg()),
        ("poster.png", png()),
        ("poster.png", png(mode="RGBA")),
        ("poster.webp", encode(picture(), "WEBP")),
    ],
)
def test_form_field_accepts_jpeg_png_and_webp(media_root, name, data):
    cleaned = CleanImageFormField().clean(upload(data, name))
    assert cleaned.name == name


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


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_upload_is_a_form_error_with_nothing_stored_and_no_row_changed(
    db, poster_model, media_root, case
):
    data, code = BAD_UPLOADS[case]
    poster = save_poster(poster_model, jpeg(), title="Tron")
    files_before = stored_files(media_root)

    form = poster_form(
        poster_model,
        data={"title": "Changed", "image_alt": "New alt"},
        files={"image": upload(data, "poster.jpg")},
        instance=poster,
    )

    assert not form.is_valid()
    assert form.errors.as_data()["image"][0].code == code
    assert stored_files(media_root) == files_before
    saved = poster_model.objects.get(pk=poster.pk)
    assert (saved.title, saved.image.name) == ("Tron", poster.image.name)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Upload a JPEG, PNG, WebP"),
        (jpeg()[:2000], "damaged or incomplete"),
        (huge_png_of_a_few_kib(), "10000 × 10000 pixels (100 megapixels); the limit is 40"),
    ],
)
def test_form_errors_say_what_is_wrong(data, message):
    with pytest.raises(ValidationError) as raised:
        CleanImageFormField().clean(upload(data))
    assert message in raised.value.messages[0]


def test_a_10000_by_10000_png_is_refused_from_its_header_without_decoding(monkeypatch):
    data = huge_png_of_a_few_kib()
    assert len(data) < 64 * 1024

    def decode(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    with pytest.raises(ValidationError) as raised:
        CleanImageFormField().clean(upload(data, "huge.png"))
    assert raised.value.code == "too_many_pixels"


def test_pixel_limit_is_the_setting_not_pillows_own():
    # 48 megapixels: under Pillow's decompression-bomb threshold (89 MP), over ours (40 MP).
    data = encode(Image.new("1", (8000, 6000)), "PNG")
    with pytest.raises(ValidationError) as raised:
        CleanImageFormField().clean(upload(data, "big.png"))
    assert raised.value.code == "too_many_pixels"


def test_pixel_limit_follows_the_setting(settings):
    settings.IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match="limit is 0.001 megapixels"):
        CleanImageFormField().clean(upload(png((40, 40)), "small.png"))


def test_file_over_the_byte_limit_is_refused_before_it_is_opened(settings, monkeypatch):
    settings.IMAGE_MAX_BYTES = 1 * MiB
    data = encode(picture((1200, 900)), "PNG") + b"\x00" * MiB

    def open_image(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Image, "open", open_image)
    with pytest.raises(ValidationError) as raised:
        CleanImageFormField().clean(upload(data, "large.png"))
    assert raised.value.code == "file_too_large"
    assert "can be at most 1.0\xa0MB" in raised.value.messages[0]


def test_defaults_are_ten_megabytes_and_forty_megapixels(settings):
    assert settings.IMAGE_MAX_BYTES == 10_485_760  # 10 MiB
    assert settings.IMAGE_MAX_PIXELS == 40_000_000
    assert settings.IMAGE_RENDITION_WIDTHS == [320, 640, 960, 1280]


def test_model_save_refuses_a_bad_file_assigned_in_code(db, poster_model, media_root):
    poster = poster_model(image_alt="x")
    with pytest.raises(ValidationError):
        poster.image.save("poster.jpg", ContentFile(b"<svg/>"), save=True)
    assert stored_files(media_root) == []
    assert not poster_model.objects.exists()


def test_form_field_asks_the_browser_for_images_only():
    form_field = CleanImageField(upload_to="x/").formfield()
    assert isinstance(form_field, CleanImageFormField)
    assert form_field.widget.attrs["accept"].startswith("image/jpeg,image/png,image/webp")


# Cleaning ------------------------------------------------------------------------------------


def test_exif_gps_and_xmp_are_gone_from_a_stored_jpeg(db, poster_model, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.Model] = "Model X"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    data = jpeg(exif=exif, xmp=b"<x:xmpmeta>Home address</x:xmpmeta>", comment=b"secret")
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    poster = save_poster(poster_model, data)

    stored = (media_root / poster.image.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "comment"} & set(image.info)
    for leak in (b"Exif", b"SpyCam", b"Home address", b"secret"):
        assert leak not in stored


def test_orientation_is_applied_to_the_pixels(db, poster_model, media_root):
    # Stored tall with a red band along its top; orientation 6 says "turn it a quarter right".
    tall = Image.new("RGB", (200, 400), "white")
    tall.paste((255, 0, 0), (0, 0, 200, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    poster = save_poster(poster_model, encode(tall, "JPEG", exif=exif))

    assert (poster.image_width, poster.image_height) == (400, 200)
    with Image.open(media_root / poster.image.name) as image:
        assert image.size == (400, 200)
        assert ExifTags.Base.Orientation not in image.getexif()
        red, green, blue = image.convert("RGB").getpixel((390, 100))
        # The top band is now the right edge.
        assert red > 200
        assert max(green, blue) < 60


def test_a_cmyk_jpeg_is_stored_as_rgb(db, poster_model, media_root):
    cmyk = Image.new("CMYK", (300, 200), (0, 255, 255, 0))  # magenta and yellow ink: red
    poster = save_poster(poster_model, encode(cmyk, "JPEG"))

    with Image.open(media_root / poster.image.name) as image:
        assert image.mode == "RGB"
        red, green, blue = image.getpixel((150, 100))
        assert red > 200
        assert max(green, blue) < 80


@pytest.mark.parametrize(
    "profile",
    [ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), b"not a profile"],
    ids=["srgb", "unreadable"],
)
def test_a_colour_profile_is_applied_and_not_carried_over(db, poster_model, media_root, profile):
    poster = save_poster(poster_model, jpeg(icc_profile=profile))
    with Image.open(media_root / poster.image.name) as image:
        assert image.mode == "RGB"
        assert "icc_profile" not in image.info


def test_a_png_named_jpg_is_stored_as_png(db, poster_model, media_root):
    poster = save_poster(poster_model, png(), name="poster.jpg")
    assert poster.image.name.endswith(".png")
    with Image.open(media_root / poster.image.name) as image:
        assert image.format == "PNG"


def test_transparency_is_kept(db, poster_model, media_root):
    poster = save_poster(poster_model, png(mode="RGBA"), name="logo.png")
    with Image.open(media_root / poster.image.name) as image:
        assert image.mode == "RGBA"


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.jpg",
        "/etc/cron.d/poster.jpg",
        "..\\..\\windows\\poster.jpg",
        "C:\\Users\\editor\\poster.jpg",
        "poster\x00.jpg.php",
        "....//....//poster.jpg",
        "%2e%2e%2fposter.jpg",
        "..",
        "",
    ],
)
def test_a_crafted_file_name_stays_inside_its_folder(db, poster_model, media_root, name):
    poster = save_poster(poster_model, jpeg(), name=name)

    assert re.fullmatch(r"posters/[a-z0-9-]+-[0-9a-f]{16}\.jpg", poster.image.name)
    path = (media_root / poster.image.name).resolve()
    assert path.parent == (media_root / "posters").resolve()
    assert poster.image.name in stored_files(media_root)
    assert all(name.startswith("posters/") for name in stored_files(media_root))


def test_a_crafted_name_through_the_form_stays_inside_its_folder(db, poster_model, media_root):
    form = poster_form(
        poster_model,
        data={"title": "Tron", "image_alt": "A poster"},
        files={"image": upload(jpeg(), "../../../../tmp/evil.jpg")},
    )
    assert form.is_valid(), form.errors
    poster = form.save()
    assert poster.image.name.startswith("posters/evil-")
    assert (media_root / poster.image.name).is_file()


def test_an_upload_never_overwrites_another_file(db, poster_model, media_root):
    first = save_poster(poster_model, jpeg((400, 300)), name="poster.jpg")
    first_bytes = (media_root / first.image.name).read_bytes()
    second = save_poster(poster_model, png((300, 400)), name="poster.jpg")
    third = save_poster(poster_model, jpeg((400, 300)), name="poster.jpg")

    assert len({first.image.name, second.image.name, third.image.name}) == 3
    assert (media_root / first.image.name).read_bytes() == first_bytes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tron Ares — Poster (final).JPG", "tron-ares-poster-final"),
        ("../../etc/passwd", "passwd"),
        ("C:\\photos\\Trent Reznor.png", "trent-reznor"),
        ("évènement.webp", "evenement"),
        (".htaccess", "htaccess"),
        ("", "image"),
        ("a" * 200 + ".jpg", "a" * 40),
    ],
)
def test_safe_image_name(name, expected):
    safe = safe_image_name(name, "webp")
    assert re.fullmatch(rf"{re.escape(expected)}-[0-9a-f]{{16}}\.webp", safe)


def test_dimensions_are_stored_with_the_image(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((640, 360)))
    poster.refresh_from_db()
    assert (poster.image_width, poster.image_height) == (640, 360)
    assert (poster.image.width, poster.image.height) == (640, 360)


# Renditions ----------------------------------------------------------------------------------


def test_renditions_are_webp_at_the_configured_widths(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((2000, 1000)))

    renditions = poster.image.renditions
    assert [(r.width, r.height) for r in renditions] == [
        (320, 160),
        (640, 320),
        (960, 480),
        (1280, 640),
    ]
    for rendition in renditions:
        assert rendition.url == f"/media/{rendition.name}"
        with Image.open(media_root / rendition.name) as image:
            assert image.format == "WEBP"
            assert image.size == (rendition.width, rendition.height)


def test_renditions_never_upscale(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((700, 350)))
    widths = []
    for rendition in poster.image.renditions:
        with Image.open(media_root / rendition.name) as image:
            widths.append(image.width)
    assert widths == [320, 640, 700]


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (200, [200]),
        (320, [320]),
        (321, [320, 321]),
        (1280, [320, 640, 960, 1280]),
        (4000, [320, 640, 960, 1280]),
    ],
)
def test_rendition_widths(width, expected):
    assert rendition_widths(width) == expected


def test_rendition_widths_follow_the_setting(settings):
    settings.IMAGE_RENDITION_WIDTHS = [480, 240]
    assert rendition_widths(1000) == [240, 480]


def test_listing_renditions_opens_no_file(db, poster_model, media_root, monkeypatch):
    poster = save_poster(poster_model, jpeg((1000, 500)))
    poster = poster_model.objects.get(pk=poster.pk)

    def no_storage(*args, **kwargs):
        raise AssertionError("the storage was asked")

    for method in ("open", "exists", "listdir", "size"):
        monkeypatch.setattr(default_storage, method, no_storage)
    assert [r.width for r in poster.image.renditions] == [320, 640, 960, 1000]


def test_missing_renditions_are_made_again(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((700, 350)))
    lost = poster.image.renditions[1]
    (media_root / lost.name).unlink()

    made = ensure_renditions(default_storage, poster.image.name)

    assert [rendition.name for rendition in made] == [lost.name]
    assert (media_root / lost.name).is_file()
    assert ensure_renditions(default_storage, poster.image.name) == []


def test_deleting_the_image_deletes_its_renditions(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((700, 350)))
    assert len(stored_files(media_root)) == 4

    poster.image.delete()

    assert stored_files(media_root) == []
    poster.refresh_from_db()
    assert (poster.image.name, poster.image_width, poster.image_height) == ("", None, None)


def test_rendition_names_follow_from_the_original():
    assert [r.name for r in plan_renditions("posters/tron-0123.jpg", 700, 350)] == [
        "posters/renditions/tron-0123-320w.webp",
        "posters/renditions/tron-0123-640w.webp",
        "posters/renditions/tron-0123-700w.webp",
    ]


# The template tag ----------------------------------------------------------------------------


def render_img(template, **context):
    html = Template("{% load images %}" + template).render(Context(context))
    [img] = parse_html(html).find_all()
    assert img.tag == "img"
    return html, img.attrs


def stored_image(data, **fields):
    """A real ``images.Image`` stored through the pipeline, as the tag is given on pages."""
    image = ImageRow(credit="Drawn for the tests", licence="Cuesheet's own", **fields)
    image.file.save("poster.jpg", ContentFile(data), save=False)
    image.save()
    return image


def test_responsive_image_tag_prints_srcset_sizes_dimensions_alt_and_lazy_loading(db, media_root):
    image = stored_image(jpeg((2000, 1000)), alt_text="A glowing disc over a red grid")

    html, img = render_img(
        '{% responsive_image image sizes="(min-width: 60rem) 20rem, 50vw" %}', image=image
    )

    renditions = image.renditions
    assert img["src"] == renditions[-1].url
    assert img["srcset"] == ", ".join(f"{r.url} {r.width}w" for r in renditions)
    assert img["srcset"].endswith(" 1280w")
    assert img["sizes"] == "(min-width: 60rem) 20rem, 50vw"
    assert (img["width"], img["height"]) == ("1280", "640")
    assert img["alt"] == "A glowing disc over a red grid"
    assert img["loading"] == "lazy"
    assert img["decoding"] == "async"
    assert "style" not in img


def test_responsive_image_tag_loads_eagerly_above_the_fold(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster")
    _, img = render_img(
        '{% responsive_image image loading="eager" fetchpriority="high" %}', image=image
    )
    assert (img["loading"], img["fetchpriority"]) == ("eager", "high")


def test_responsive_image_tag_positions_a_crop_at_the_focal_point(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster", focal_x=25, focal_y=80)
    _, img = render_img("{% responsive_image image %}", image=image)
    assert img["style"] == "object-position: 25% 80%"


def test_responsive_image_tag_gives_a_decorative_image_empty_alt(db, media_root):
    # The alt text typed before stays in the row, unused.
    image = stored_image(jpeg(), alt_text="A poster", decorative=True)

    html, img = render_img("{% responsive_image image %}", image=image)

    assert img["alt"] == ""
    assert 'alt=""' in html


def test_responsive_image_tag_takes_alt_as_an_argument_and_escapes_it(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster")
    html, img = render_img(
        '{% responsive_image image alt css_class="poster" %}',
        image=image,
        alt='"Tron" <b>poster</b>',
    )
    assert img["alt"] == '"Tron" <b>poster</b>'
    assert "<b>" not in html
    assert img["class"] == "poster"


def test_responsive_image_tag_prints_nothing_without_an_image():
    html = Template("{% load images %}[{% responsive_image image %}]").render(
        Context({"image": None})
    )
    assert html == "[]"


def test_responsive_image_tag_refuses_what_is_not_an_image(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg())
    with pytest.raises(TypeError, match="images.Image"):
        render_img("{% responsive_image poster.image %}", poster=poster)


def test_responsive_image_tag_refuses_an_unknown_loading_value(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster")
    with pytest.raises(ValueError, match="loading"):
        render_img('{% responsive_image image loading="soon" %}', image=image)


# Alt text ------------------------------------------------------------------------------------


def test_alt_text_is_required_unless_the_image_is_decorative(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg())
    poster.image_alt = "  "

    with pytest.raises(ValidationError) as raised:
        poster.full_clean()
    assert raised.value.error_dict["image_alt"][0].code == "alt_required"

    poster.image_decorative = True
    poster.full_clean()


def test_alt_text_is_not_required_without_an_image(db, poster_model):
    poster_model(image_alt="").full_clean(exclude=["image"])


def test_form_without_alt_text_is_refused_and_stores_nothing(db, poster_model, media_root):
    form = poster_form(
        poster_model, data={"title": "Tron", "image_alt": ""}, files={"image": upload(jpeg())}
    )
    assert not form.is_valid()
    assert "mark it decorative" in form.errors["image_alt"][0]
    assert stored_files(media_root) == []

    decorative = poster_form(
        poster_model,
        data={"title": "Tron", "image_alt": "", "image_decorative": "on"},
        files={"image": upload(jpeg())},
    )
    assert decorative.is_valid(), decorative.errors


# Adopting the field --------------------------------------------------------------------------


@isolate_apps("images")
def test_check_requires_dimension_fields_declared_after_the_image():
    class NoDimensions(models.Model):  # noqa: DJ008 (only checked, never shown)
        image = CleanImageField(upload_to="x/")

        class Meta:
            app_label = "images"

    class DimensionsFirst(models.Model):  # noqa: DJ008
        image_width = image_dimension_field()
        image_height = image_dimension_field()
        image = CleanImageField(
            upload_to="x/", width_field="image_width", height_field="image_height"
        )

        class Meta:
            app_label = "images"

    class Missing(models.Model):  # noqa: DJ008
        image = CleanImageField(upload_to="x/", width_field="w", height_field="h")

        class Meta:
            app_label = "images"

    def ids(model):
        return [error.id for error in model._meta.get_field("image").check()]

    assert ids(NoDimensions) == ["images.E101"]
    assert ids(DimensionsFirst) == ["images.E103", "images.E103"]
    assert ids(Missing) == ["images.E102", "images.E102"]


def test_poster_model_passes_the_checks(poster_model):
    assert poster_model._meta.get_field("image").check() == []


def test_the_admin_form_checks_uploads_the_same_way(db, poster_model, rf):
    form_class = admin.ModelAdmin(poster_model, admin.AdminSite()).get_form(rf.get("/"))
    image_field = form_class.base_fields["image"]

    assert isinstance(image_field, CleanImageFormField)
    assert "image/webp" in image_field.widget.attrs["accept"]
    with pytest.raises(ValidationError):
        image_field.clean(upload(b"<svg/>"))


def test_attach_image_stores_a_cleaned_image_with_alt_text(db, poster_model, media_root):
    poster = poster_model.objects.create()

    attached = attach_image(
        poster, "image", ContentFile(png((900, 600))), name="tron.png", alt="A poster"
    )

    poster.refresh_from_db()
    assert attached
    assert poster.image.name.startswith("posters/tron-")
    assert (poster.image_width, poster.image_alt) == (900, "A poster")
    assert len(stored_files(media_root)) == 4  # the original and three renditions


def test_attach_image_keeps_an_existing_image_unless_told_to_replace_it(
    db, poster_model, media_root
):
    poster = save_poster(poster_model, jpeg())
    original = poster.image.name

    assert not attach_image(poster, "image", ContentFile(png()), name="demo.png", alt="x")
    assert poster.image.name == original

    assert attach_image(poster, "image", ContentFile(png()), name="demo.png", replace=True)
    assert poster.image.name.endswith(".png")
    assert original not in stored_files(media_root)
    assert len(stored_files(media_root)) == 3  # the new original and its two renditions


def test_attach_image_keeps_the_old_image_when_the_new_one_is_refused(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg())
    files_before = stored_files(media_root)

    with pytest.raises(ValidationError):
        attach_image(poster, "image", ContentFile(b"<svg/>"), name="demo.svg", replace=True)

    assert stored_files(media_root) == files_before
    assert poster_model.objects.get(pk=poster.pk).image.name == files_before[0]


def test_attach_image_needs_alt_text(db, poster_model, media_root):
    poster = poster_model.objects.create()
    with pytest.raises(ValidationError):
        attach_image(poster, "image", ContentFile(png()), name="demo.png")
    assert stored_files(media_root) == []


# Demo images ---------------------------------------------------------------------------------


def test_draw_demo_images_writes_every_illustration_the_same_each_time(media_root):
    call_command("draw_demo_images", stdout=io.StringIO())
    first = {name: (media_root / name).read_bytes() for name in stored_files(media_root)}
    call_command("draw_demo_images", stdout=io.StringIO())

    assert len(first) == len(DEMO_IMAGES) == 13
    assert {name: (media_root / name).read_bytes() for name in stored_files(media_root)} == first
    for demo in DEMO_IMAGES:
        with Image.open(media_root / demo.demo_path) as image:
            assert image.format == "PNG"
            assert image.size == SIZES[demo.kind]


def test_every_fixture_row_named_in_the_brief_has_a_demo_image():
    assert {(demo.model, demo.slug) for demo in DEMO_IMAGES} == {
        ("films.film", "tron"),
        ("films.film", "tron-legacy"),
        ("films.film", "tron-ares"),
        ("soundtracks.soundtrack", "tron-soundtrack"),
        ("soundtracks.soundtrack", "tron-legacy-soundtrack"),
        ("soundtracks.soundtrack", "tron-ares-soundtrack"),
        ("films.person", "nine-inch-nails"),
        ("films.person", "trent-reznor"),
        ("films.person", "atticus-ross"),
        ("films.person", "daft-punk"),
        ("films.person", "wendy-carlos"),
        ("films.person", "journey"),
        ("reviews.review", "tron-ares-nine-inch-nails-score-review"),
    }
    assert all(demo.alt.startswith("Illustration") for demo in DEMO_IMAGES)


def test_demo_images_pass_the_upload_checks():
    for demo in DEMO_IMAGES[:1] + DEMO_IMAGES[-1:]:
        CleanImageFormField().clean(upload(demo.draw(), demo.file_name, "image/png"))


def test_draw_demo_images_attach_skips_what_it_cannot_attach_to(db, media_root):
    out = io.StringIO()
    call_command("draw_demo_images", "tron", "--attach", stdout=out)
    assert out.getvalue().startswith("films.film tron (poster): skipped: ")


def test_draw_demo_images_refuses_an_unknown_slug(media_root):
    with pytest.raises(CommandError, match="No demo image for tron-4"):
        call_command("draw_demo_images", "tron-4")


# Storage -------------------------------------------------------------------------------------


def test_s3_storage_and_its_image_origin_come_from_the_environment():
    script = (
        "from config import settings as s; "
        "print(s.STORAGES['default']['BACKEND']); "
        "print(s.STORAGES['default']['OPTIONS']['bucket_name']); "
        "print(s.STORAGES['default']['OPTIONS']['querystring_auth']); "
        "print(s.SECURE_CSP['img-src'][-1])"
    )
    environment = {
        **os.environ,
        "AWS_STORAGE_BUCKET_NAME": "cuesheet-media",
        "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "cuesheet-media",
        "False",
        "https://media.example.org",
    ]


def test_local_files_are_the_default_storage(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
