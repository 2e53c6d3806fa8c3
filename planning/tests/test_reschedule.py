"""Moving a review on the calendar: the small form, its refusals, and what it records."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from editorial.revisions import stored_fields, versions_of
from planning import services
from planning.tests.conftest import TODAY, at, draft, scheduled
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MONTH = "/admin/calendar/2026/12/"


def move_url(review):
    return reverse("planning:reschedule", args=[review.pk])


def move(client, review, planned_for, *, version=None, back=MONTH):
    return client.post(
        move_url(review),
        {
            "planned_for": planned_for,
            "loaded_version": review.lock_version if version is None else version,
            "back": back,
        },
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


def test_an_editor_moves_a_review_and_goes_back_to_the_calendar(editor_client, editor):
    review = draft(planned_for=D(2026, 12, 10))
    response = move(editor_client, review, "2026-12-20")
    assert response.status_code == 302
    assert response["Location"] == MONTH
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 20)
    assert review.updated_by == editor
    followed = editor_client.get(MONTH)
    assert "is now planned for Sunday 20 December 2026" in followed.content.decode()
    day = next(day for day in followed.context["days"] if day.date == D(2026, 12, 20))
    assert [entry.review for entry in day.entries] == [review]


def test_a_move_keeps_a_revision_and_a_log_entry_naming_who(editor_client, editor):
    review = draft(planned_for=D(2026, 12, 10))
    before = versions_of(review).count()
    move(editor_client, review, "2026-12-20")
    versions = list(versions_of(review))
    assert len(versions) == before + 1
    latest = versions[-1]
    assert latest.revision.user == editor
    assert latest.revision.comment == (
        "Planned date moved from Thursday 10 December 2026 to Sunday 20 December 2026."
    )
    assert stored_fields(latest)["planned_for"] == "2026-12-20"
    entry = LogEntry.objects.get(object_id=str(review.pk))
    assert (entry.user, entry.action_flag) == (editor, CHANGE)
    assert entry.get_change_message() == latest.revision.comment


def test_a_move_changes_only_the_planned_date(editor_client):
    goes_live = at(D(2026, 12, 24), hour=7)
    review = scheduled(goes_live, headline="Kept", body="Kept body.")
    move(editor_client, review, "2026-12-22")
    review.refresh_from_db()
    assert (review.planned_for, review.publish_at, review.status) == (
        D(2026, 12, 22),
        goes_live,
        Review.Status.PUBLISHED,
    )
    assert (review.headline, review.body) == ("Kept", "Kept body.")
    text = editor_client.get(MONTH).content.decode()
    assert "Its publish time is unchanged: it still goes live at" in text


def test_an_empty_date_takes_it_off_the_calendar(editor_client):
    review = draft(planned_for=D(2026, 12, 10))
    move(editor_client, review, "")
    review.refresh_from_db()
    assert review.planned_for is None
    response = editor_client.get(MONTH)
    assert review in response.context["unplanned"]


def test_an_undated_draft_is_planned_from_the_side_list(editor_client):
    review = draft()
    move(editor_client, review, "2026-12-31")
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 31)
    assert versions_of(review).last().revision.comment == "Planned for Thursday 31 December 2026."


def test_moving_to_the_same_day_writes_nothing(editor_client):
    review = draft(planned_for=D(2026, 12, 10))
    version = review.lock_version
    response = move(editor_client, review, "2026-12-10")
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.lock_version == version
    assert not LogEntry.objects.exists()


def test_a_stale_move_is_refused_and_nothing_is_lost(editor_client, writer):
    review = draft(planned_for=D(2026, 12, 10), created_by=writer)
    loaded = review.lock_version
    # Someone else moves it (or edits it) after the calendar was opened.
    other = Review.objects.get(pk=review.pk)
    other.planned_for = D(2026, 12, 15)
    other.updated_by = writer
    other.save()
    response = move(editor_client, review, "2026-12-20", version=loaded)
    assert response.status_code == 200
    text = response.content.decode()
    assert "after you opened it. Your changes have not been saved" in text
    assert "Tuesday 15 December 2026" in text  # what is saved now
    assert 'value="2026-12-20"' in text  # what they asked for, still in the form
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 15)
    assert not LogEntry.objects.exists()


def test_a_move_with_no_version_is_refused(editor_client):
    review = draft(planned_for=D(2026, 12, 10))
    for version in ("", "abc", "99999999999", "-1"):
        response = move(editor_client, review, "2026-12-20", version=version)
        assert response.status_code == 200
        assert "does not say which version" in response.content.decode()
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 10)


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "0000-01-01", "99999-01-01", "abc", "2026-13-01", "9" * 10_000, "🎵"],
)
def test_a_date_that_is_no_date_is_a_form_error(editor_client, value):
    review = draft(planned_for=D(2026, 12, 10))
    response = move(editor_client, review, value)
    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD" in response.content.decode()
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 10)


def test_the_first_and_last_dates_are_dates(editor_client):
    review = draft()
    move(editor_client, review, "9999-12-31")
    review.refresh_from_db()
    assert review.planned_for == D.max
    assert editor_client.get("/admin/calendar/9999/12/").status_code == 200


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/admin/calendar/",
        "/admin/reviews/",
        "javascript:x",
        "/admin/calendar/?" + "x" * 5000,
    ],
)
def test_it_goes_back_only_to_a_calendar_page(editor_client, back):
    review = draft(planned_for=D(2026, 12, 10))
    response = move(editor_client, review, "2027-01-05", back=back)
    assert response["Location"] == "/admin/calendar/2027/01/"


def test_writers_move_their_own_drafts(writer_client, writer):
    review = draft(planned_for=D(2026, 12, 10), created_by=writer)
    assert move(writer_client, review, "2026-12-11").status_code == 302
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 11)


def test_writers_cannot_see_or_move_others_reviews(writer_client, other_writer):
    review = draft(planned_for=D(2026, 12, 10), created_by=other_writer)
    assert move(writer_client, review, "2026-12-11").status_code == 404
    assert writer_client.get(move_url(review)).status_code == 404
    review.refresh_from_db()
    assert review.planned_for == D(2026, 12, 10)


def test_writers_cannot_move_their_published_review(writer_client, writer):
    review = scheduled(at(D(2026, 12, 24)), created_by=writer)
    assert move(writer_client, review, "2026-12-11").status_code == 403
    review.refresh_from_db()
    assert review.planned_for is None


@pytest.mark.parametrize("pk", ["0", "999999", "9" * 18])
def test_no_such_review_is_a_404(editor_client, pk):
    assert editor_client.post(f"/admin/calendar/reviews/{pk}/move/").status_code == 404


def test_an_id_too_long_for_any_database_is_the_resolvers_404(editor_client):
    assert editor_client.post(f"/admin/calendar/reviews/{'9' * 40}/move/").status_code == 404


def test_the_move_page_shows_the_form_on_its_own(editor_client):
    review = draft(planned_for=D(2026, 12, 10), headline="On its own")
    response = editor_client.get(move_url(review), {"back": "/admin/calendar/week/"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Move “On its own” on the calendar" in text
    assert 'value="2026-12-10"' in text
    assert 'href="/admin/calendar/week/"' in text
    assert editor_client.put(move_url(review)).status_code == 405


def test_the_service_refuses_whom_the_workflow_refuses(writer, other_writer):
    review = draft(created_by=other_writer)
    with pytest.raises(PermissionDenied):
        services.reschedule(review, TODAY, loaded_version=review.lock_version, user=writer)


def test_the_service_refuses_a_deleted_review(editor):
    review = draft()
    Review.objects.filter(pk=review.pk).delete()
    with pytest.raises(ValidationError, match="deleted"):
        services.reschedule(review, TODAY, loaded_version=review.lock_version, user=editor)


def test_a_live_review_moves_without_going_anywhere(editor_client):
    review = ReviewFactory()
    published = review.publish_at
    move(editor_client, review, "2026-12-01")
    review.refresh_from_db()
    assert (review.planned_for, review.publish_at) == (D(2026, 12, 1), published)
