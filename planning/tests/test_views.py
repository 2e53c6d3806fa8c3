"""The month and week pages: what they show, to whom, and what they make of bad addresses."""

import datetime
import re

import pytest
from django.urls import reverse

from planning.tests.conftest import TODAY, at, draft, scheduled
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MONTH = "/admin/calendar/2026/12/"
WEEK = "/admin/calendar/week/2026-11-30/"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def entries(response):
    return [entry.review for entry in response.context["days"] for entry in entry.entries]


def test_the_calendar_is_for_logged_in_staff_only(client):
    response = client.get(MONTH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_month_shows_reviews_on_their_planned_day_with_status_label_and_link(
    editor_client,
):
    review = draft(headline="Planned draft", planned_for=D(2026, 12, 10))
    response = page(editor_client, MONTH)
    html = response.content.decode()
    day = next(day for day in response.context["days"] if day.date == D(2026, 12, 10))
    assert [entry.review for entry in day.entries] == [review]
    change = reverse("admin:reviews_review_change", args=[review.pk])
    assert re.search(
        rf'<li class="cal-entry cal-draft">\s*<span class="cal-status">Draft</span>\s*'
        rf'<a class="cal-headline" href="{change}">Planned draft</a>',
        html,
    )
    assert "<h1>Editorial calendar: December 2026</h1>" in html
    assert 'class="breadcrumbs"' in html
    assert "Cuesheet editors" in html
    assert 'aria-current="date"' in html  # today is marked, in words too
    assert "Today</span>" in html


def test_each_status_shows_its_label(editor_client):
    draft(planned_for=D(2026, 12, 1))
    draft(planned_for=D(2026, 12, 2), status=Review.Status.IN_REVIEW)
    scheduled(at(D(2026, 12, 20)))
    ReviewFactory(publish_at=at(D(2026, 12, 1)))
    draft(planned_for=D(2026, 12, 4), status=Review.Status.WITHDRAWN)
    response = page(editor_client, MONTH)
    statuses = [entry.status_label for day in response.context["days"] for entry in day.entries]
    assert sorted(statuses) == ["Draft", "In review", "Live", "Scheduled", "Withdrawn"]
    html = response.content.decode()
    for key, label in [("in_review", "In review"), ("scheduled", "Scheduled"), ("live", "Live")]:
        assert re.search(rf'cal-entry cal-{key}">\s*<span class="cal-status">{label}<', html)


def test_a_scheduled_review_without_a_plan_shows_on_its_publish_date_and_says_so(editor_client):
    review = scheduled(at(D(2026, 12, 24), hour=7))
    response = page(editor_client, MONTH)
    (entry,) = [entry for day in response.context["days"] for entry in day.entries]
    assert (entry.review, entry.day, entry.by_publish_date) == (review, D(2026, 12, 24), True)
    html = response.content.decode()
    assert "No planned date: on its publish date" in html
    assert "Goes live 24 Dec 2026, 07:00" in html


def test_undated_drafts_are_in_the_side_list_not_the_grid(editor_client):
    undated = draft(headline="Undated draft")
    in_review = draft(headline="Undated in review", status=Review.Status.IN_REVIEW)
    draft(headline="Undated withdrawn", status=Review.Status.WITHDRAWN)
    response = page(editor_client, MONTH)
    assert set(response.context["unplanned"]) == {undated, in_review}
    assert entries(response) == []
    html = response.content.decode()
    side = html[html.index('id="cal-unplanned"') :]
    assert "Undated draft" in side
    assert "Undated withdrawn" not in html


def test_the_side_list_is_cut_short_and_counted(editor_client, settings):
    for n in range(32):
        draft(headline=f"Draft {n}")
    response = page(editor_client, MONTH)
    assert len(response.context["unplanned"]) == 30
    assert response.context["unplanned_count"] == 32
    assert "The 30 changed last of 32." in response.content.decode()


def test_the_grid_shows_the_neighbouring_months_days_with_their_entries(editor_client):
    review = draft(planned_for=D(2026, 11, 30))
    response = page(editor_client, MONTH)
    first = response.context["days"][0]
    assert (first.date, first.in_range, [e.review for e in first.entries]) == (
        D(2026, 11, 30),
        False,
        [review],
    )
    assert response.context["entry_count"] == 0  # December itself has none


def test_the_month_navigates_to_the_months_either_side_today_and_the_week(editor_client):
    response = page(editor_client, "/admin/calendar/2027/01/")
    assert response.context["previous_url"] == MONTH
    assert response.context["next_url"] == "/admin/calendar/2027/02/"
    assert response.context["today_month_url"] == MONTH
    assert response.context["other_view_url"] == "/admin/calendar/week/2026-12-28/"
    this_month = page(editor_client, MONTH)
    assert this_month.context["other_view_url"] == WEEK  # the week of today


def test_the_calendar_opens_on_this_month_and_this_week(editor_client):
    assert page(editor_client, "/admin/calendar/").context["title"].endswith("December 2026")
    week = page(editor_client, "/admin/calendar/week/")
    assert week.context["days"][0].date == D(2026, 11, 30)


def test_the_week_shows_its_seven_days_and_navigates(editor_client):
    review = draft(planned_for=D(2026, 12, 6))
    draft(planned_for=D(2026, 12, 7))  # the next week
    response = page(editor_client, "/admin/calendar/week/2026-12-03/")
    assert [day.date for day in response.context["days"]] == [
        D(2026, 11, 30) + datetime.timedelta(days=n) for n in range(7)
    ]
    assert entries(response) == [review]
    assert response.context["previous_url"] == "/admin/calendar/week/2026-11-23/"
    assert response.context["next_url"] == "/admin/calendar/week/2026-12-07/"
    assert response.context["other_view_url"] == "/admin/calendar/2026/11/"
    assert "Sunday 6 December 2026" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/calendar/0000/01/",
        "/admin/calendar/2026/13/",
        "/admin/calendar/2026/00/",
        "/admin/calendar/99999/01/",
        "/admin/calendar/abc/01/",
        "/admin/calendar/2026/1/",
        "/admin/calendar/" + "9" * 400 + "/01/",
        "/admin/calendar/week/2026-02-30/",
        "/admin/calendar/week/0000-01-01/",
        "/admin/calendar/week/2026-13-01/",
        "/admin/calendar/week/abc/",
        "/admin/calendar/week/99999-01-01/",
        "/admin/calendar/week/" + "1" * 400 + "/",
    ],
)
def test_a_malformed_or_impossible_period_is_a_404(editor_client, url):
    assert editor_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/calendar/0001/01/",
        "/admin/calendar/9999/12/",
        "/admin/calendar/week/0001-01-01/",
        "/admin/calendar/week/9999-12-31/",
    ],
)
def test_the_first_and_last_months_there_are_render(editor_client, url):
    response = page(editor_client, url)
    assert response.context["previous_url"] is None or response.context["next_url"] is None


def test_the_author_filter_shows_only_that_bylines_reviews(editor_client):
    mine, theirs = AuthorFactory(name="Ada"), AuthorFactory(name="Bea")
    kept = draft(planned_for=D(2026, 12, 10), authors=[mine])
    draft(planned_for=D(2026, 12, 11), authors=[theirs])
    undated_kept = draft(authors=[mine])
    draft(authors=[theirs])
    response = page(editor_client, f"{MONTH}?author={mine.pk}")
    assert entries(response) == [kept]
    assert list(response.context["unplanned"]) == [undated_kept]
    # The filter carries through the navigation.
    assert response.context["next_url"] == f"/admin/calendar/2027/01/?author={mine.pk}"
    assert f'<option value="{mine.pk}" selected>Ada</option>' in response.content.decode()


@pytest.mark.parametrize(
    "value", ["abc", "-1", "99999999999999999999999999", "1.5", "' OR 1=1 --", "9" * 5000]
)
def test_a_bad_author_is_ignored_and_said_so(editor_client, value):
    review = draft(planned_for=D(2026, 12, 10))
    response = editor_client.get(MONTH, {"author": value})
    assert response.status_code == 200
    assert entries(response) == [review]
    assert "Showing every author instead." in response.content.decode()


def test_another_writers_byline_is_no_filter_for_a_writer(writer_client, writer, other_writer):
    theirs = AuthorFactory(name="Not yours")
    draft(planned_for=D(2026, 12, 10), authors=[theirs], created_by=other_writer)
    response = writer_client.get(MONTH, {"author": theirs.pk})
    assert response.status_code == 200
    assert entries(response) == []
    assert "Not yours" not in response.content.decode()


def test_writers_see_only_their_own_reviews(writer_client, writer, other_writer):
    own = draft(planned_for=D(2026, 12, 10), created_by=writer)
    own_undated = draft(created_by=writer)
    other = draft(planned_for=D(2026, 12, 10), headline="Someone else's", created_by=other_writer)
    draft(headline="Someone else's undated", created_by=other_writer)
    scheduled(at(D(2026, 12, 12)), headline="A scheduled one of theirs", created_by=other_writer)
    response = page(writer_client, MONTH)
    assert entries(response) == [own]
    assert list(response.context["unplanned"]) == [own_undated]
    html = response.content.decode()
    assert "Someone else" not in html
    assert "A scheduled one of theirs" not in html
    week = page(writer_client, "/admin/calendar/week/2026-12-07/")
    assert other not in entries(week)


def test_editors_see_everyones(editor_client, writer, other_writer):
    reviews = {
        draft(planned_for=D(2026, 12, 10), created_by=writer),
        draft(planned_for=D(2026, 12, 11), created_by=other_writer),
    }
    assert set(entries(page(editor_client, MONTH))) == reviews


def test_writers_get_a_move_form_only_where_they_may_edit(writer_client, writer):
    editable = draft(planned_for=D(2026, 12, 10), created_by=writer)
    live = ReviewFactory(publish_at=at(D(2026, 12, 1)), created_by=writer)
    response = page(writer_client, MONTH)
    forms = {entry.review: entry.form for day in response.context["days"] for entry in day.entries}
    assert forms[editable] is not None
    assert forms[live] is None
    html = response.content.decode()
    assert reverse("planning:reschedule", args=[editable.pk]) in html
    assert reverse("planning:reschedule", args=[live.pk]) not in html


def test_the_page_is_never_cached(editor_client):
    response = page(editor_client, MONTH)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_page_shows_the_feed_address_and_how_to_subscribe(editor_client, editor):
    html = page(editor_client, MONTH).content.decode()
    assert 'id="cal-feed-url"' in html
    assert "key=" in html
    assert "How to subscribe" in html
    assert "webcal://" in html
    assert reverse("planning:reset_feed") in html


def test_the_admin_home_links_to_the_calendar(editor_client):
    html = page(editor_client, reverse("admin:index")).content.decode()
    assert f'href="{reverse("planning:month_today")}">Editorial calendar</a>' in html


@pytest.mark.parametrize("count", [2, 12])
def test_the_month_runs_a_fixed_number_of_queries(client, writer, django_assert_num_queries, count):
    client.force_login(writer)
    author = AuthorFactory()
    for n in range(count):
        draft(planned_for=D(2026, 12, 1 + n), created_by=writer, authors=[author])
        draft(created_by=writer, authors=[author])
        scheduled(at(D(2026, 12, 1 + n)), created_by=writer, authors=[author])
    client.get(MONTH)  # makes the feed row
    # Session, user, the writer's own permissions and their groups', the author choices, the
    # entries and their bylines, the undated drafts (and their count, past 30), the feed.
    with django_assert_num_queries(9):
        response = client.get(MONTH, {"author": author.pk})
    assert response.status_code == 200
    assert len(entries(response)) == 2 * count


@pytest.mark.parametrize("count", [2, 12])
def test_the_week_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries, count):
    for _n in range(count):
        draft(planned_for=TODAY)
        draft()
    editor_client.get(WEEK)
    with django_assert_num_queries(9):
        response = editor_client.get(WEEK)
    assert len(entries(response)) == count
