"""Images in use by content in several apps: one picture on a film and a review, and the refusal
to delete a picture that content points at. These span apps, so they live here rather than in
images/tests (which sits below films, soundtracks and reviews in the layer rule)."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from editorial.tests.admin_forms import admin_url
from films.tests.factories import FilmFactory, PersonFactory
from images.models import Image
from images.tests.factories import ImageFactory
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import SoundtrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_poster_is_reused_as_a_reviews_hero_without_a_second_upload(media_root):
    poster = ImageFactory()
    film = FilmFactory(poster=poster)
    files_before = sorted(media_root.rglob("*"))

    review = ReviewFactory(film=film, hero_image=film.poster)

    assert review.hero_image == film.poster
    assert Image.objects.count() == 1
    assert sorted(media_root.rglob("*")) == files_before
    assert {row for _, row in poster.uses()} == {film, review}


def test_an_image_in_use_cannot_be_deleted():
    image = ImageFactory()
    SoundtrackFactory(cover=image)
    with pytest.raises(ProtectedError), transaction.atomic():
        image.delete()
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_admin_refuses_to_delete_an_image_in_use_and_names_where(editor_client):
    image = ImageFactory()
    person = PersonFactory(name="Wendy Carlos", photo=image)

    page = editor_client.get(admin_url(Image, "delete", image.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "protected" in text
    assert "Wendy Carlos" in text

    response = editor_client.post(admin_url(Image, "delete", image.pk), {"post": "yes"})
    assert response.status_code in {200, 403}
    assert Image.objects.filter(pk=image.pk).exists()
    person.refresh_from_db()
    assert person.photo == image
