"""Statuses, scheduling, publish checks, "Updated", previews and share links."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from editorial.tests.admin_forms import admin_url, form_errors, post_change
from editorial.tests.factories import EditorFactory, WriterFactory
from films.tests.factories import FilmFactory
from images.models import Image
from reviews import services
from reviews.models import Review
from reviews.preview import share_token
from reviews.tests.factories import ReviewFactory
from reviews.workflow import publication_problems

pytestmark = pytest.mark.django_db

DRAFT = Review.Status.DRAFT
IN_REVIEW = Review.Status.IN_REVIEW
PUBLISHED = Review.Status.PUBLISHED
WITHDRAWN = Review.Status.WITHDRAWN
NOT_LIVE = [
    {"status": DRAFT, "publish_at": None},
    {"status": IN_REVIEW, "publish_at": None},
    {"status": WITHDRAWN},
    {"status": PUBLISHED, "publish_at": timezone.now() + datetime.timedelta(days=3)},
]
NOT_LIVE_IDS = ["draft", "in-review", "withdrawn", "scheduled"]


@pytest.fixture
def editor():
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Desk")


# Readers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", NOT_LIVE, ids=NOT_LIVE_IDS)
def test_reader_gets_404_for_a_review_that_is_not_live(client, state):
    review = ReviewFactory(headline="Not for readers", **state)

    page = client.get(review.get_absolute_url())
    archive = client.get(reverse("reviews:review_list"))
    home = client.get(reverse("sitewide:home"))

    assert page.status_code == 404
    assert "Not for readers" not in archive.content.decode()
    assert "Not for readers" not in home.content.decode()


def test_scheduled_review_goes_live_when_its_time_comes(client):
    goes_live = timezone.now() + datetime.timedelta(hours=6)
    review = ReviewFactory(headline="Right on time", publish_at=goes_live)

    with time_machine.travel(goes_live - datetime.timedelta(seconds=1), tick=False):
        assert client.get(review.get_absolute_url()).status_code == 404
        assert "Right on time" not in client.get(reverse("reviews:review_list")).content.decode()
    with time_machine.travel(goes_live + datetime.timedelta(seconds=1), tick=False):
        assert client.get(review.get_absolute_url()).status_code == 200
        assert "Right on time" in client.get(reverse("reviews:review_list")).content.decode()


# Preview ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", NOT_LIVE, ids=NOT_LIVE_IDS)
def test_editor_previews_a_review_that_is_not_live_with_a_banner(client, editor, state):
    review = ReviewFactory(headline="Work in progress", **state)
    client.force_login(editor)

    response = client.get(review.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Work in progress" in html
    assert "Not public" in html
    assert 'class="preview-banner"' in html
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control
    assert "private" in cache_control
    assert "noindex" in response["X-Robots-Tag"]


def test_live_review_shows_no_preview_banner_to_staff(client, editor):
    review = ReviewFactory()
    client.force_login(editor)
    assert "preview-banner" not in client.get(review.get_absolute_url()).content.decode()


def test_writer_previews_their_own_draft_but_not_another_writers(client):
    writer, other = WriterFactory(), WriterFactory()
    mine = ReviewFactory(status=DRAFT, publish_at=None, created_by=writer)
    theirs = ReviewFactory(status=DRAFT, publish_at=None, created_by=other)
    client.force_login(writer)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_logged_in_non_staff_user_gets_404_for_a_draft(client):
    client.force_login(WriterFactory(is_staff=False))
    review = ReviewFactory(status=DRAFT, publish_at=None)
    assert client.get(review.get_absolute_url()).status_code == 404


# Share links -----------------------------------------------------------------------------------


def test_share_link_shows_the_draft_until_it_expires(client):
    review = ReviewFactory(headline="For your eyes", status=IN_REVIEW, publish_at=None)
    url = f"{review.get_absolute_url()}?share={share_token(review, days=3)}"

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, hours=23)):
        response = client.get(url)
        assert response.status_code == 200
        assert "For your eyes" in response.content.decode()
        assert "Not public" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "no-referrer"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)):
        assert client.get(url).status_code == 404


def test_share_link_works_only_for_its_own_review(client):
    shared = ReviewFactory(status=DRAFT, publish_at=None)
    other = ReviewFactory(status=DRAFT, publish_at=None)
    token = share_token(shared, days=1)

    assert client.get(f"{shared.get_absolute_url()}?share={token}").status_code == 200
    assert client.get(f"{other.get_absolute_url()}?share={token}").status_code == 404
    assert client.get(f"{shared.get_absolute_url()}?share={token}x").status_code == 404
    assert client.get(f"{shared.get_absolute_url()}?share=").status_code == 404


def test_editor_makes_a_share_link_in_the_admin_and_writers_cannot(client, editor):
    writer = WriterFactory()
    review = ReviewFactory(status=DRAFT, publish_at=None, created_by=writer)
    url = reverse("admin:reviews_review_share", args=[review.pk])

    client.force_login(writer)
    assert client.post(url, {"days": 7}).status_code == 403

    client.force_login(editor)
    assert "Share link" in client.get(admin_url(Review, "change", review.pk)).content.decode()
    link = client.post(url, {"days": 7}).context["link"]
    client.logout()
    assert link.startswith("http://testserver/reviews/")
    assert client.get(link).status_code == 200


# Publish checks --------------------------------------------------------------------------------


def test_publish_checks_list_every_missing_item_at_once():
    review = Review(headline=" ", dek="", body="", film=None)
    review.hero_image = Image(alt_text="")

    assert publication_problems(review) == [
        "a headline",
        "a standfirst",
        "a body",
        "an author",
        "a primary film",
        "alt text for the hero image",
    ]


def test_hero_alt_text_is_only_asked_for_when_there_is_a_hero():
    review = SimpleNamespace(headline="H", dek="D", body="B", film_id=1, hero_image=None)
    assert publication_problems(review, authors=["A. Writer"]) == []


def test_admin_lists_every_missing_item_when_an_editor_publishes(client, editor):
    review = ReviewFactory(status=IN_REVIEW, publish_at=None, dek="", body="", film=None)
    client.force_login(editor)

    response = post_change(client, review, status=PUBLISHED)

    assert response.status_code == 200
    message = (
        "This review can’t be published yet. "
        "It still needs a standfirst, a body and a primary film."
    )
    assert message in response.content.decode()
    review.refresh_from_db()
    assert review.status == IN_REVIEW


def test_publish_action_refuses_an_incomplete_review_and_says_why(client, editor):
    ready = ReviewFactory(status=IN_REVIEW, publish_at=None)
    unready = ReviewFactory(status=IN_REVIEW, publish_at=None, headline="Half done", body="")
    client.force_login(editor)

    response = client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [ready.pk, unready.pk]},
        follow=True,
    )

    ready.refresh_from_db()
    unready.refresh_from_db()
    assert ready.is_live
    assert unready.status == IN_REVIEW
    assert "“Half done”: It still needs a body." in response.content.decode()


def test_publish_service_refuses_writers_and_incomplete_reviews(editor):
    review = ReviewFactory(status=IN_REVIEW, publish_at=None, dek="")
    with pytest.raises(Exception, match="Only editors"):
        services.publish(review, user=WriterFactory())
    with pytest.raises(ValidationError, match="a standfirst"):
        services.publish(review, user=editor)


def test_publish_action_schedules_a_review_with_a_future_time(editor):
    later = timezone.now() + datetime.timedelta(days=1)
    review = ReviewFactory(status=IN_REVIEW, publish_at=later)
    services.publish(review, user=editor)
    review.refresh_from_db()
    assert review.status == PUBLISHED
    assert not review.is_live
    assert review.first_published_at == later


# First published, rescheduling, "Updated" ------------------------------------------------------


def test_rescheduling_before_going_live_moves_the_first_published_time(editor):
    review = ReviewFactory(publish_at=timezone.now() + datetime.timedelta(days=1))
    later = timezone.now() + datetime.timedelta(days=5)
    review.publish_at = later
    review.save()
    assert review.first_published_at == later


def test_withdrawing_before_going_live_means_it_was_never_published(editor):
    review = ReviewFactory(publish_at=timezone.now() + datetime.timedelta(days=1))
    services.withdraw(review, user=editor)
    review.refresh_from_db()
    assert review.first_published_at is None


def test_material_edit_after_going_live_shows_updated(client, editor):
    review = ReviewFactory()
    client.force_login(editor)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = post_change(client, review, body=review.body + "\n\nA correction.")
        assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.was_updated
    assert review.updated_display_at == review.last_material_change_at
    assert review.updated_on == review.last_material_change_at
    assert review.last_material_change_at > review.first_published_at


def test_other_edits_after_going_live_are_not_material(client, editor):
    review = ReviewFactory()
    client.force_login(editor)
    assert post_change(client, review, verdict="A verdict.", seo_title="New").status_code == 302
    review.refresh_from_db()
    assert not review.was_updated
    assert review.updated_on is None


def test_edits_before_going_live_are_not_updates(client, editor):
    review = ReviewFactory(status=IN_REVIEW, publish_at=None)
    client.force_login(editor)
    post_change(client, review, body="Rewritten before publication.")
    post_change(client, Review.objects.get(), status=PUBLISHED)
    review.refresh_from_db()
    assert review.is_live
    assert not review.was_updated


def test_a_new_film_may_be_chosen_when_publishing(client, editor):
    review = ReviewFactory(status=IN_REVIEW, publish_at=None, film=None)
    film = FilmFactory()
    client.force_login(editor)
    response = post_change(client, review, status=PUBLISHED, film=str(film.pk))
    assert response.status_code == 302, form_errors(response)
