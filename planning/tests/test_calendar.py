"""The calendar's dates (planning.calendar): months and weeks from their addresses, the grid,
and which day a review falls on."""

import datetime

import pytest
from django.http import Http404

from planning import calendar
from planning.tests.conftest import TODAY, at, draft, scheduled
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

D = datetime.date


@pytest.mark.parametrize(
    ("year", "month"),
    [("0000", "01"), ("2026", "13"), ("2026", "00"), ("abc", "01"), ("99999", "1"), (None, 1)],
)
def test_a_month_that_is_no_month_is_a_404(year, month):
    with pytest.raises(Http404):
        calendar.month_or_404(year, month)


def test_a_month_is_its_first_day():
    assert calendar.month_or_404("2026", "02") == D(2026, 2, 1)


@pytest.mark.parametrize(
    "value", ["2026-02-30", "0000-01-01", "2026-13-01", "abc", "", "9" * 5000, "2026-1-1x"]
)
def test_a_week_of_no_date_is_a_404(value):
    with pytest.raises(Http404):
        calendar.week_or_404(value)


def test_a_week_starts_on_the_monday_of_its_date():
    assert calendar.week_or_404("2026-12-03") == D(2026, 11, 30)
    assert calendar.week_or_404("2026-11-30") == D(2026, 11, 30)


def test_the_month_grid_runs_monday_to_sunday_across_the_months_either_side():
    weeks = calendar.month_grid(D(2026, 12, 1))
    assert weeks[0][0] == D(2026, 11, 30)
    assert weeks[-1][-1] == D(2027, 1, 3)
    assert all(len(week) == 7 for week in weeks)
    assert [day.weekday() for day in weeks[0]] == list(range(7))


def test_a_month_starting_on_a_monday_has_no_days_before_it():
    weeks = calendar.month_grid(D(2027, 2, 1))  # a Monday; 28 days: exactly four weeks
    assert weeks[0][0] == D(2027, 2, 1)
    assert len(weeks) == 4


def test_the_calendar_stops_at_the_first_and_last_dates_there_are():
    assert calendar.month_grid(D(1, 1, 1))[0][0] == D(1, 1, 1)
    last_week = calendar.month_grid(D(9999, 12, 1))[-1]
    assert last_week[-1] == D.max
    assert len(last_week) == 5  # Monday 27 to Friday 31 December 9999; no year 10000
    assert calendar.shift_month(D(9999, 12, 1), 1) is None
    assert calendar.shift_month(D(1, 1, 1), -1) is None
    assert calendar.add_days(D.max, 1) is None
    assert calendar.days_from(D(9999, 12, 27), 7)[-1] == D.max


def test_months_shift_across_years():
    assert calendar.shift_month(D(2026, 12, 1), 1) == D(2027, 1, 1)
    assert calendar.shift_month(D(2026, 1, 1), -1) == D(2025, 12, 1)
    assert calendar.last_of_month(D(2028, 2, 1)) == D(2028, 2, 29)


@pytest.mark.django_db
def test_each_status_has_its_own_name():
    assert calendar.status_of(draft()) == "draft"
    assert calendar.status_of(draft(status=Review.Status.IN_REVIEW)) == "in_review"
    assert calendar.status_of(scheduled(at(TODAY) + datetime.timedelta(days=2))) == "scheduled"
    assert calendar.status_of(ReviewFactory()) == "live"
    assert calendar.status_of(draft(status=Review.Status.WITHDRAWN)) == "withdrawn"
    assert set(calendar.STATUSES) == {"draft", "in_review", "scheduled", "live", "withdrawn"}


@pytest.mark.django_db
def test_a_review_falls_on_its_planned_date_before_its_publish_date():
    planned = scheduled(at(D(2026, 12, 20)), planned_for=D(2026, 12, 18))
    assert calendar.day_of(planned) == (D(2026, 12, 18), False)


@pytest.mark.django_db
def test_a_published_review_with_no_plan_falls_on_its_publish_date_in_the_site_zone(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    # 03:00 UTC on the 20th is still the 19th in Los Angeles.
    review = scheduled(datetime.datetime(2026, 12, 20, 3, 0, tzinfo=datetime.UTC))
    assert calendar.day_of(review) == (D(2026, 12, 19), True)


@pytest.mark.django_db
def test_an_undated_draft_falls_on_no_day():
    assert calendar.day_of(draft()) == (None, False)
    assert calendar.day_of(draft(status=Review.Status.WITHDRAWN)) == (None, False)


@pytest.mark.django_db
def test_falling_between_finds_planned_and_published_reviews_of_the_period_only():
    inside = draft(planned_for=D(2026, 12, 10))
    published_inside = scheduled(at(D(2026, 12, 31), hour=23))
    draft(planned_for=D(2027, 1, 1))  # the day after
    scheduled(at(D(2027, 1, 1), hour=0))  # the first moment after
    scheduled(at(D(2026, 12, 15)), planned_for=D(2027, 2, 1))  # planned elsewhere
    draft()  # undated
    found = calendar.falling_between(Review.objects.all(), D(2026, 12, 1), D(2026, 12, 31))
    assert set(found) == {inside, published_inside}


@pytest.mark.django_db
def test_entries_are_in_order_of_day_then_publish_time_then_headline():
    late = scheduled(at(D(2026, 12, 5), hour=18), headline="A late one")
    early = scheduled(at(D(2026, 12, 5), hour=8), headline="Z early one")
    undated_time = draft(planned_for=D(2026, 12, 5), headline="B planned")
    first = draft(planned_for=D(2026, 12, 4), headline="Z first day")
    found = calendar.entries(Review.objects.all())
    assert [entry.review for entry in found] == [first, early, late, undated_time]
