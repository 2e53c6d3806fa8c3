"""One implementation per workflow step: every admin path gives the same row.

The same review is published (and withdrawn) three ways: the changelist action, the change
form's status field and ``reviews.services`` called from code. Each path must leave the same
status, publish time, first-published time, audit stamp and revision comment, at a frozen clock.
"""

import datetime

import pytest
import time_machine
from django.contrib.admin import helpers
from reversion.models import Version

from editorial.tests.admin_forms import admin_url, datetime_fields, form_errors, post_change
from editorial.tests.factories import EditorFactory
from reviews import services
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from reviews.workflow import publish_time

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
PUBLISHED = Review.Status.PUBLISHED
WITHDRAWN = Review.Status.WITHDRAWN


def by_action(client, review, action):
    response = client.post(
        admin_url(Review, "changelist"),
        {"action": f"{action}_selected", helpers.ACTION_CHECKBOX_NAME: [review.pk]},
    )
    assert response.status_code == 302, response.status_code


def by_form(client, review, action):
    status = PUBLISHED if action == "publish" else WITHDRAWN
    response = post_change(client, review, status=status)
    assert response.status_code == 302, form_errors(response)


def by_service(client, review, action):
    getattr(services, action)(review, user=client.editor)


PATHS = [by_action, by_form, by_service]


def outcome(review):
    review.refresh_from_db()
    comment = Version.objects.get_for_object(review).first().revision.get_comment()
    return {
        "status": review.status,
        "publish_at": review.publish_at,
        "first_published_at": review.first_published_at,
        "updated_by": review.updated_by.username,
        # The step's own words lead the comment; a form adds what else it changed.
        "comment": comment.split(" ", 1)[0],
    }


@pytest.fixture
def editor_client(client):
    editor = EditorFactory(username="eddie")
    client.force_login(editor)
    client.editor = editor
    return client


# (publish time before, first-published time before) → what publishing gives.
STARTS = {
    "no time": (None, None),
    "a past time, never live": (NOW - 3 * DAY, None),
    "a future time": (NOW + 3 * DAY, None),
}


@pytest.mark.parametrize("start", STARTS.values(), ids=STARTS.keys())
def test_publishing_a_draft_gives_the_same_row_by_every_path(editor_client, start):
    publish_at, _ = start
    results = []
    with time_machine.travel(NOW, tick=False):
        for path in PATHS:
            review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=publish_at)
            path(editor_client, review, "publish")
            results.append(outcome(review))

    assert results[0] == results[1] == results[2], results
    expected = publish_at if publish_at and publish_at > NOW else NOW
    assert results[0]["publish_at"] == expected
    assert results[0]["first_published_at"] == expected
    assert results[0]["comment"] == ("Scheduled." if expected > NOW else "Published.")


def test_publishing_again_after_a_withdrawal_keeps_the_place_by_every_path(editor_client):
    went_live = NOW - 30 * DAY
    results = []
    with time_machine.travel(NOW, tick=False):
        for path in PATHS:
            review = ReviewFactory(status=PUBLISHED, publish_at=went_live)
            services.withdraw(review, user=editor_client.editor)
            path(editor_client, review, "publish")
            results.append(outcome(review))

    assert results[0] == results[1] == results[2], results
    assert results[0]["publish_at"] == went_live
    assert results[0]["first_published_at"] == went_live


def test_withdrawing_gives_the_same_row_by_every_path(editor_client):
    results = []
    with time_machine.travel(NOW, tick=False):
        for path in PATHS:
            review = ReviewFactory(status=PUBLISHED, publish_at=NOW - DAY)
            path(editor_client, review, "withdraw")
            results.append(outcome(review))

    assert results[0] == results[1] == results[2], results
    assert results[0]["status"] == WITHDRAWN
    assert results[0]["comment"] == "Withdrawn."


def test_a_past_time_typed_while_publishing_a_new_review_becomes_now(editor_client):
    review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None)
    with time_machine.travel(NOW, tick=False):
        response = post_change(
            editor_client, review, status=PUBLISHED, **datetime_fields("publish_at", NOW - DAY)
        )
    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.publish_at == NOW


def test_editing_a_live_reviews_time_is_not_a_publication(editor_client):
    """Once live, the form changes the time as typed: the rule applies only to publishing."""
    review = ReviewFactory(status=PUBLISHED, publish_at=NOW - DAY)
    with time_machine.travel(NOW, tick=False):
        response = post_change(
            editor_client, review, **datetime_fields("publish_at", NOW - 2 * DAY)
        )
    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.publish_at == NOW - 2 * DAY


@pytest.mark.parametrize(
    ("publish_at", "first_published_at", "expected"),
    [
        (None, None, NOW),
        (NOW - DAY, None, NOW),
        (NOW + DAY, None, NOW + DAY),
        (NOW - DAY, NOW - DAY, NOW - DAY),
        # Scheduled, not yet live, moved into the past: never live, so now.
        (NOW - DAY, NOW + DAY, NOW),
        (None, NOW - DAY, NOW),
    ],
)
def test_publish_time_rule(publish_at, first_published_at, expected):
    assert publish_time(publish_at, first_published_at, NOW) == expected
