"""The Image model: what every picture must say, how content points at it, and the migration
that made Images out of the columns content models had before."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from editorial.tests.admin_forms import admin_url, form_errors, post_change
from images.migrating import DEMO_CREDIT, _is_demo_drawing
from images.models import Image
from images.tests.factories import ImageFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_an_image_stores_its_file_size_and_renditions_once(media_root):
    image = ImageFactory(size=(1000, 500))

    assert (image.width, image.height) == (1000, 500)
    assert image.file.name.startswith("images/picture-")
    assert [r.width for r in image.renditions] == [320, 640, 960, 1000]
    for rendition in image.renditions:
        assert (media_root / rendition.name).is_file()
    assert image.thumbnail_url == image.renditions[0].url


def test_alt_text_is_required_unless_the_image_is_decorative():
    image = ImageFactory()
    image.alt_text = "  "
    with pytest.raises(ValidationError) as raised:
        image.full_clean()
    assert raised.value.error_dict["alt_text"][0].code == "alt_required"

    image.decorative = True
    image.full_clean()
    assert image.alt == ""


def test_a_new_image_must_say_where_it_comes_from():
    image = Image(alt_text="A poster", credit="", licence=" ")
    with pytest.raises(ValidationError) as raised:
        image.full_clean(exclude=["file"])
    assert {name: errors[0].code for name, errors in raised.value.error_dict.items()} == {
        "credit": "credit_required",
        "licence": "licence_required",
    }


def test_an_existing_image_without_a_credit_stays_editable():
    """Rows migrated from before the model have no credit on record; nothing is invented."""
    image = ImageFactory()
    Image.objects.filter(pk=image.pk).update(credit="", licence="")
    image.refresh_from_db()
    image.alt_text = "A better description"
    image.full_clean()


@pytest.mark.parametrize(
    ("x", "y", "field"), [(101, 50, "focal_x"), (50, 250, "focal_y"), (40, None, "focal_y")]
)
def test_a_focal_point_is_two_percentages(x, y, field):
    image = ImageFactory()
    image.focal_x, image.focal_y = x, y
    with pytest.raises(ValidationError) as raised:
        image.full_clean()
    assert field in raised.value.error_dict


def test_the_database_refuses_a_focal_point_out_of_range():
    image = ImageFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Image.objects.filter(pk=image.pk).update(focal_x=120, focal_y=10)


def test_a_focal_point_positions_the_crop():
    image = ImageFactory(focal_x=30, focal_y=70)
    assert image.object_position == "30% 70%"
    assert ImageFactory().object_position == ""


def test_an_unused_image_can_be_deleted_in_the_admin(editor_client):
    image = ImageFactory()
    response = editor_client.post(admin_url(Image, "delete", image.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()


def test_the_image_changelist_searches_alt_credit_and_caption(editor_client):
    ImageFactory(alt_text="A red light cycle", credit="Studio One", caption="On the grid")
    ImageFactory(alt_text="A record sleeve", credit="Label Two")
    url = admin_url(Image, "changelist")
    for term, count in (("cycle", 1), ("Label Two", 1), ("grid", 1), ("nothing", 0)):
        response = editor_client.get(url, {"q": term})
        assert response.status_code == 200
        assert response.context["cl"].result_count == count, term


def test_the_image_admin_add_form_checks_the_upload_and_the_credit(editor_client, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = admin_url(Image, "add")
    bad = SimpleUploadedFile("poster.jpg", b"<svg/>", content_type="image/jpeg")
    response = editor_client.post(url, {"file": bad, "alt_text": "A poster"})
    errors = response.context["adminform"].form.errors.as_data()
    assert response.status_code == 200
    assert [error.code for error in errors["file"]] == ["not_an_image"]
    assert {"credit", "licence"} <= set(errors)

    good = SimpleUploadedFile("poster.png", png_bytes(), content_type="image/png")
    response = editor_client.post(
        url, {"file": good, "alt_text": "A poster", "credit": "Studio", "licence": "For review"}
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.created_by is not None
    assert (media_root / image.renditions[0].name).is_file()


# Every field the library's form adds, fed what a hostile or careless editor might send: each is
# a form error on that field, and the stored row is unchanged.
HOSTILE_FIELDS = [
    ("focal_x", "-1"),
    ("focal_x", "101"),
    ("focal_x", "abc"),
    ("focal_x", "1.5"),
    ("focal_x", "9" * 30),
    ("focal_y", "100000"),
    ("source_url", "javascript:alert(1)"),
    ("source_url", "http://"),
    ("source_url", "https://example.org/" + "a" * 300),
    ("credit", "c" * 201),
    ("licence", "l" * 201),
    ("caption", "x" * 301),
    ("alt_text", "a" * 301),
    ("alt_text", ""),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_FIELDS)
def test_the_library_form_answers_hostile_values_with_an_error_on_the_field(
    editor_client, field, value
):
    image = ImageFactory(focal_x=50, focal_y=50)
    before = Image.objects.values().get(pk=image.pk)

    response = post_change(editor_client, image, **{field: value})

    assert response.status_code == 200, form_errors(response)
    errors = response.context["adminform"].form.errors
    assert set(errors) == {field}, errors
    assert Image.objects.values().get(pk=image.pk) == before


# The data migration -----------------------------------------------------------------------


def test_the_demo_drawings_are_recognised_and_nothing_else():
    class Row:
        slug = "tron"

    assert _is_demo_drawing(Row, "tron-0123456789abcdef.png", "Illustration, not the poster")
    assert not _is_demo_drawing(Row, "tron-0123456789abcdef.png", "The studio's poster")
    assert not _is_demo_drawing(Row, "tron-legacy-0123456789abcdef.png", "Illustration: x")
    assert DEMO_CREDIT
