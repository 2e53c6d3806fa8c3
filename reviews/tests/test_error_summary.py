"""The review's change form (its own template, on top of the admin's) lists its errors too."""

import pytest

from editorial.tests.admin_forms import post_change
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_the_review_form_names_the_field_in_error_and_keeps_its_own_parts(editor_client):
    review = ReviewFactory(headline="Kept")
    response = post_change(editor_client, review, headline="", slug="not a slug!")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_headline">Headline</a>: This field is required.' in page
    assert '<a href="#id_slug">Slug</a>: ' in page
    assert page.count('class="error-summary"') == 1
    assert Review.objects.get(pk=review.pk).headline == "Kept"
