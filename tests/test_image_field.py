"""Adopting the image field: alt text or decorative, the model checks, ``attach_image``, the
demo's illustrations and the storage settings."""

import io
import os
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import models
from django.test.utils import isolate_apps
from PIL import Image

from demo.drawing import SIZES
from demo.management.commands.draw_demo_images import DEMO_IMAGES
from images.fields import (
    CleanImageField,
    CleanImageFormField,
    attach_image,
    image_dimension_field,
)
from tests import fresh_python
from tests.image_inputs import (
    jpeg,
    png,
    poster_form,
    save_poster,
    stored_files,
    upload,
)

# The 100-megapixel inputs also trip Pillow's own, far higher, alarm: a warning, expected here.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


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
    result = fresh_python.run(
        ["-c", script], env=environment, cwd=Path(__file__).resolve().parent.parent
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "cuesheet-media",
        "False",
        "https://media.example.org",
    ]


def test_local_files_are_the_default_storage(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
