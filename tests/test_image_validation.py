"""What an image upload must be (accepted by decoding, within the limits), and what is stored of it.

Inputs are drawn in tests/image_inputs.py; the field is tested on ``poster_model``
(tests/conftest.py).
"""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import ExifTags, Image, ImageCms, ImageFile

from images import safe_image_name
from images.fields import (
    CleanImageField,
    CleanImageFormField,
)
from tests.image_inputs import (
    BAD_UPLOADS,
    MiB,
    encode,
    huge_png_of_a_few_kib,
    jpeg,
    picture,
    png,
    poster_form,
    save_poster,
    stored_files,
    upload,
)

# The 100-megapixel inputs also trip Pillow's own, far higher, alarm: a warning, expected here.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


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
