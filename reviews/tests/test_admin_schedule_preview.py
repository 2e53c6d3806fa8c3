"""The review change form says when a scheduled review goes live, and previews a draft."""

import datetime

import pytest
import time_machine
from django.contrib.admin import helpers
from django.contrib.messages import get_messages

from editorial.tests.admin_forms import (
    admin_url,
    datetime_fields,
    form_data,
    form_errors,
    post_change,
)
from editorial.tests.factories import EditorFactory, WriterFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

DRAFT = Review.Status.DRAFT
PUBLISHED = Review.Status.PUBLISHED
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)
# 09:00 in London on 4 December (GMT, UTC+0) — and 09:00 UTC.
GOES_LIVE = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def editor():
    return EditorFactory()


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_scheduling_in_the_change_form_says_when_it_goes_live(client, editor, settings, zone):
    settings.TIME_ZONE = zone
    review = ReviewFactory(headline="Light Cycles", status=DRAFT, publish_at=None)
    client.force_login(editor)

    response = post_change(
        client, review, status=PUBLISHED, **datetime_fields("publish_at", GOES_LIVE)
    )

    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.is_scheduled
    local = "09:00" if zone == "Europe/London" else "04:00"
    assert f"Scheduled: “Light Cycles” goes live at 4 Dec 2026, {local} ({zone})." in said(response)


def test_publishing_now_says_nothing_of_a_schedule(client, editor):
    review = ReviewFactory(status=DRAFT, publish_at=None)
    client.force_login(editor)

    response = post_change(client, review, status=PUBLISHED)

    assert response.status_code == 302, form_errors(response)
    assert not any("goes live" in message for message in said(response))


def test_adding_a_scheduled_review_says_when_it_goes_live(client, editor):
    client.force_login(editor)
    page = client.get(admin_url(Review, "add"))

    data = form_data(page)
    film = ReviewFactory().film
    data.update(
        headline="New and Scheduled",
        slug="new-and-scheduled",
        dek="A standfirst.",
        body="Words.",
        film=str(film.pk),
        authors=[str(ReviewFactory().authors.get().pk)],
        status=PUBLISHED,
        **datetime_fields("publish_at", GOES_LIVE),
    )

    response = client.post(admin_url(Review, "add"), data)

    assert response.status_code == 302, form_errors(response)
    assert "Scheduled: “New and Scheduled” goes live at 4 Dec 2026, 09:00 (UTC)." in said(response)


def test_the_publish_action_says_which_went_live_and_when_the_others_will(client, editor):
    now = ReviewFactory(headline="Now", status=DRAFT, publish_at=None)
    later = ReviewFactory(headline="Later", status=DRAFT, publish_at=GOES_LIVE)
    client.force_login(editor)

    response = client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [now.pk, later.pk]},
    )

    assert response.status_code == 302
    assert said(response) == [
        "Published 1: live now.",
        "Scheduled: “Later” goes live at 4 Dec 2026, 09:00 (UTC).",
    ]


def test_the_publish_action_with_only_scheduled_reviews_names_each(client, editor):
    later = ReviewFactory(headline="Later", status=DRAFT, publish_at=GOES_LIVE)
    client.force_login(editor)

    response = client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [later.pk]},
    )

    assert said(response) == ["Scheduled: “Later” goes live at 4 Dec 2026, 09:00 (UTC)."]


def test_a_headline_in_the_message_is_escaped(client, editor):
    later = ReviewFactory(headline="<b>Bold</b>", status=DRAFT, publish_at=GOES_LIVE)
    client.force_login(editor)

    response = client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [later.pk]},
        follow=True,
    )

    assert "“&lt;b&gt;Bold&lt;/b&gt;” goes live" in response.content.decode()


# Preview ---------------------------------------------------------------------------------------


def test_a_draft_has_a_preview_button_that_opens_its_page(client, editor):
    review = ReviewFactory(headline="Work in progress", status=DRAFT, publish_at=None)
    client.force_login(editor)

    page = client.get(admin_url(Review, "change", review.pk)).content.decode()

    assert f'<a href="{review.get_absolute_url()}" class="viewsitelink" target="_blank"' in page
    assert ">Preview<" in page
    # "View on site" would be the same page under a name that says it is public.
    assert "View on site" not in page
    preview = client.get(review.get_absolute_url())
    assert preview.status_code == 200
    assert "Work in progress" in preview.content.decode()
    assert 'class="preview-banner"' in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]


def test_a_scheduled_review_has_a_preview_button(client, editor):
    review = ReviewFactory(status=PUBLISHED, publish_at=GOES_LIVE)
    client.force_login(editor)
    page = client.get(admin_url(Review, "change", review.pk)).content.decode()
    assert ">Preview<" in page


def test_a_live_review_has_view_on_site_not_preview(client, editor):
    review = ReviewFactory()
    client.force_login(editor)
    page = client.get(admin_url(Review, "change", review.pk)).content.decode()
    assert ">Preview<" not in page
    assert "View on site" in page


def test_a_writer_previews_their_own_draft_and_no_one_elses(client):
    writer = WriterFactory()
    mine = ReviewFactory(status=DRAFT, publish_at=None, created_by=writer)
    theirs = ReviewFactory(status=DRAFT, publish_at=None, created_by=WriterFactory())
    client.force_login(writer)

    page = client.get(admin_url(Review, "change", mine.pk)).content.decode()

    assert ">Preview<" in page
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(admin_url(Review, "change", theirs.pk)).status_code == 302
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_a_preview_is_never_stored_for_readers(client, editor):
    """The page cache serves anonymous readers; a staff preview must never reach them."""
    review = ReviewFactory(headline="Secret draft", status=DRAFT, publish_at=None)
    client.force_login(editor)
    preview = client.get(review.get_absolute_url())
    assert "Secret draft" in preview.content.decode()
    assert "private" in preview["Cache-Control"]

    client.logout()
    response = client.get(review.get_absolute_url())

    assert response.status_code == 404
    assert "Secret draft" not in response.content.decode()
