"""A review goes out under a byline: every publish path refuses one without an author."""

import pytest
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError

from editorial.tests.admin_forms import admin_url, form_data, post_change
from editorial.tests.factories import EditorFactory
from reviews import services
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory
from reviews.workflow import publication_problems

pytestmark = pytest.mark.django_db

IN_REVIEW = Review.Status.IN_REVIEW
PUBLISHED = Review.Status.PUBLISHED
NEEDS_AN_AUTHOR = "This review can’t be published yet. It still needs an author."


@pytest.fixture
def editor():
    return EditorFactory()


@pytest.fixture
def unsigned():
    return ReviewFactory(status=IN_REVIEW, publish_at=None, headline="Unsigned", authors=[])


def test_the_checklist_asks_for_an_author(unsigned):
    assert publication_problems(unsigned) == ["an author"]
    unsigned.authors.add(AuthorFactory())
    assert publication_problems(unsigned) == []


def test_the_change_form_refuses_to_publish_without_an_author(client, editor, unsigned):
    client.force_login(editor)
    response = post_change(client, unsigned, status=PUBLISHED)
    assert response.status_code == 200
    assert NEEDS_AN_AUTHOR in response.content.decode()
    unsigned.refresh_from_db()
    assert unsigned.status == IN_REVIEW


def test_the_change_form_refuses_to_remove_the_last_author_while_publishing(client, editor):
    review = ReviewFactory(status=IN_REVIEW, publish_at=None)
    client.force_login(editor)
    url = admin_url(Review, "change", review.pk)
    data = form_data(client.get(url))
    data.pop("authors")
    data["status"] = PUBLISHED
    response = client.post(url, data)
    assert NEEDS_AN_AUTHOR in response.content.decode()
    review.refresh_from_db()
    assert review.status == IN_REVIEW
    assert review.authors.exists()


def test_an_author_added_in_the_same_save_lets_it_publish(client, editor, unsigned):
    author = AuthorFactory()
    client.force_login(editor)
    response = post_change(client, unsigned, status=PUBLISHED, authors=[author.pk])
    assert response.status_code == 302
    unsigned.refresh_from_db()
    assert unsigned.is_live
    assert list(unsigned.authors.all()) == [author]


def test_the_publish_action_refuses_a_review_without_an_author(client, editor, unsigned):
    signed = ReviewFactory(status=IN_REVIEW, publish_at=None)
    client.force_login(editor)
    response = client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [signed.pk, unsigned.pk]},
        follow=True,
    )
    assert "“Unsigned”: It still needs an author." in response.content.decode()
    signed.refresh_from_db()
    unsigned.refresh_from_db()
    assert signed.is_live
    assert unsigned.status == IN_REVIEW


def test_the_publish_service_refuses_a_review_without_an_author(editor, unsigned):
    with pytest.raises(ValidationError, match="It still needs an author."):
        services.publish(unsigned, user=editor)
    unsigned.refresh_from_db()
    assert unsigned.status == IN_REVIEW


def test_an_unsaved_review_has_no_author():
    review = Review(headline="H", dek="D", body="B", film_id=1)
    assert publication_problems(review) == ["an author"]
