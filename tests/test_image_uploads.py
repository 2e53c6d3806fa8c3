"""Real uploads through the image library's admin forms: every format × both handlers.

Every picture is an ``images.Image`` now (films, people, albums and reviews point at one), so
the library's add and change forms are where every upload arrives.

Django hands a form an upload in one of two shapes, chosen by its size and
``FILE_UPLOAD_HANDLERS``: an ``InMemoryUploadedFile`` or a ``TemporaryUploadedFile`` on disk.
The image pipeline opens the upload to check it, opens it again to clean it when the model
is saved, and reads the stored file's dimensions; an upgrade of Pillow once made the first
open close the upload, so that every PNG saved through the admin answered 500. These tests
post what a browser posts, as an editor, for each shape, and look at what was stored.
"""

import io

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from PIL import ExifTags, Image, features

import images.fields
from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.factories import EditorFactory
from images import validate_image
from images.fields import CleanImageField
from images.models import Image as ImageRow
from tests.image_inputs import BAD_UPLOADS, encode, picture, stored_files

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]

SIZE = (480, 360)


def rotated_jpeg():
    """A JPEG stored 480 × 360 whose EXIF says: turn it a quarter, show it 360 × 480."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    return encode(picture(SIZE), "JPEG", exif=exif)


def palette_png():
    return encode(picture(SIZE).convert("P", palette=Image.Palette.ADAPTIVE), "PNG")


def transparent_png():
    image = picture(SIZE, "RGBA")
    image.putalpha(Image.linear_gradient("L").resize(SIZE))
    return encode(image, "PNG")


# name: (file name, bytes, stored format, displayed size)
GOOD_UPLOADS = {
    "png rgb": ("art.png", encode(picture(SIZE), "PNG"), "PNG", SIZE),
    "png rgba": ("art.png", transparent_png(), "PNG", SIZE),
    "png palette": ("art.png", palette_png(), "PNG", SIZE),
    "png greyscale": ("art.png", encode(picture(SIZE, "L"), "PNG"), "PNG", SIZE),
    "jpeg rgb": ("art.jpg", encode(picture(SIZE), "JPEG"), "JPEG", SIZE),
    "jpeg greyscale": ("art.jpg", encode(picture(SIZE, "L"), "JPEG"), "JPEG", SIZE),
    "jpeg exif-rotated": ("art.jpg", rotated_jpeg(), "JPEG", SIZE[::-1]),
    "webp rgb": ("art.webp", encode(picture(SIZE), "WEBP"), "WEBP", SIZE),
    "webp rgba": ("art.webp", encode(picture(SIZE, "RGBA"), "WEBP", lossless=True), "WEBP", SIZE),
}
if features.check("avif"):
    GOOD_UPLOADS["avif rgb"] = ("art.avif", encode(picture(SIZE), "AVIF"), "AVIF", SIZE)

HANDLERS = {
    "on disk": (
        ["django.core.files.uploadhandler.TemporaryFileUploadHandler"],
        TemporaryUploadedFile,
    ),
    "in memory": (
        [
            "django.core.files.uploadhandler.MemoryFileUploadHandler",
            "django.core.files.uploadhandler.TemporaryFileUploadHandler",
        ],
        InMemoryUploadedFile,
    ),
}

FIELD = "file"


def animated_webp():
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    return encode(frames[0], "WEBP", save_all=True, append_images=frames[1:])


# Every hostile shape an editor's file can take: each must be a form error on every field.
HOSTILE_UPLOADS = {
    **BAD_UPLOADS,
    "truncated webp": (encode(picture(SIZE), "WEBP")[:-200], "damaged"),
    "webp header only": (encode(picture(SIZE), "WEBP")[:40], "damaged"),
    "animated webp": (animated_webp(), "animated"),
    "random bytes": (bytes(range(256)) * 64, "not_an_image"),
    "png signature only": (b"\x89PNG\r\n\x1a\n", "damaged"),
    "jpeg start only": (encode(picture(SIZE), "JPEG")[:20], "damaged"),
}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(params=list(HANDLERS))
def handler(request, settings, monkeypatch):
    """Uploads arrive through one handler; the pipeline records which shape it was given."""
    handlers, expected = HANDLERS[request.param]
    settings.FILE_UPLOAD_HANDLERS = handlers
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0 if expected is TemporaryUploadedFile else 50 * 2**20
    seen = []
    clean_image = images.fields.clean_image

    def recording(content):
        seen.append(type(content))
        return clean_image(content)

    monkeypatch.setattr(images.fields, "clean_image", recording)
    return expected, seen


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def assert_stored(media_root, obj, field_name, image_format, size):
    """The row points at a stored file that decodes, of the right size, with its renditions."""
    image = getattr(obj, field_name)
    assert image, "no image was stored"
    with Image.open(media_root / image.name) as stored:
        stored.load()
        assert stored.format == image_format
        assert stored.size == size
    assert (image.width, image.height) == size
    field = obj._meta.get_field(field_name)
    assert (getattr(obj, field.width_field), getattr(obj, field.height_field)) == size
    assert image.renditions, "no renditions were planned"
    for rendition in image.renditions:
        with Image.open(media_root / rendition.name) as made:
            made.load()
            assert made.format == "WEBP"
            assert made.size == (rendition.width, rendition.height)


def add_form_data(client):
    """What the library's add form posts for a new image, without its file."""
    data = form_data(client.get(admin_url(ImageRow, "add")))
    data.update({"alt_text": "An illustration", "credit": "The tests", "licence": "Our own"})
    return data


def give_image(data, alt):
    image = ImageRow(alt_text=alt, credit="The tests", licence="Our own")
    image.file.save("before.png", ContentFile(data), save=False)
    image.save()
    return image


def test_the_tests_cover_every_image_field_there_is():
    found = {
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, CleanImageField)
    }
    assert found == {(ImageRow, FIELD)}


@pytest.mark.parametrize("case", GOOD_UPLOADS)
def test_an_upload_through_the_add_form_is_stored(editor_client, media_root, handler, case):
    name, data, image_format, size = GOOD_UPLOADS[case]
    form = add_form_data(editor_client)
    form[FIELD] = upload(name, data)

    response = editor_client.post(admin_url(ImageRow, "add"), form)

    assert response.status_code == 302, form_errors(response)
    assert_stored(media_root, ImageRow.objects.get(), FIELD, image_format, size)
    expected, seen = handler
    assert seen == [expected], "the upload did not arrive in the shape this test is about"


@pytest.mark.parametrize("case", GOOD_UPLOADS)
def test_an_upload_through_the_change_form_replaces_the_image(
    editor_client, media_root, handler, case
):
    obj = give_image(encode(picture((400, 400)), "PNG"), alt="Before")
    before = obj.file.name
    name, data, image_format, size = GOOD_UPLOADS[case]
    url = admin_url(ImageRow, "change", obj.pk)
    form = form_data(editor_client.get(url))
    form.update({FIELD: upload(name, data), "alt_text": "After"})
    handler[1].clear()  # give_image went through the pipeline too

    response = editor_client.post(url, form)

    assert response.status_code == 302, form_errors(response)
    stored = ImageRow.objects.get(pk=obj.pk)
    assert stored.file.name != before
    assert stored.alt_text == "After"
    assert_stored(media_root, stored, FIELD, image_format, size)
    expected, seen = handler
    assert seen == [expected]


@pytest.mark.parametrize("case", HOSTILE_UPLOADS)
def test_a_hostile_upload_is_a_form_error(editor_client, media_root, handler, case):
    data, code = HOSTILE_UPLOADS[case]
    form = add_form_data(editor_client)
    form[FIELD] = upload("art.jpg", data)

    response = editor_client.post(admin_url(ImageRow, "add"), form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors[FIELD]] == [code]
    assert not ImageRow.objects.exists()
    assert stored_files(media_root) == []


def test_an_upload_over_the_byte_limit_is_a_form_error(
    editor_client, media_root, handler, settings
):
    _, data, _, _ = GOOD_UPLOADS["png rgb"]
    settings.IMAGE_MAX_BYTES = len(data) - 1
    form = add_form_data(editor_client)
    form[FIELD] = upload("art.png", data)

    response = editor_client.post(admin_url(ImageRow, "add"), form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors[FIELD]] == ["file_too_large"]
    assert stored_files(media_root) == []


def test_checking_an_upload_leaves_it_open_and_rewound(media_root):
    """The check reads the upload; the save that follows must find it as it was."""
    data = GOOD_UPLOADS["png rgb"][1]
    for shape in (
        SimpleUploadedFile("a.png", data),
        TemporaryUploadedFile("a.png", "image/png", len(data), None),
    ):
        if isinstance(shape, TemporaryUploadedFile):
            shape.write(data)
            shape.seek(0)
        validate_image(shape)
        assert not shape.closed
        assert shape.tell() == 0
        assert shape.read() == data
        shape.close()


def test_reading_a_stored_files_dimensions_closes_it_again(media_root):
    image = give_image(encode(picture((480, 320)), "PNG"), alt="A picture")
    stored = ImageRow.objects.get(pk=image.pk)
    stored.width = stored.height = None
    assert stored.file.closed

    assert (stored.file.width, stored.file.height) == (480, 320)
    assert stored.file.closed
    with stored.file.open("rb") as again:
        assert Image.open(io.BytesIO(again.read())).size == (480, 320)
