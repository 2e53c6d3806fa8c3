"""An editor plans a review on the editorial calendar, in a real browser: the month, the small
form that moves an entry, the entry on its new day, and axe on each page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Review
from reviews.tests.factories import ReviewFactory

# Test rows only: they live in the test database for the length of the test.
HEADLINE = "Calendar test: the score of Tron: Ares"


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def day_cell(page, day):
    """The month grid's cell of ``day``; the tests plan on days every month has (3 to 24)."""
    return page.locator("td.cal-day").filter(has=page.locator(f'time[datetime="{day:%Y-%m-%d}"]'))


@pytest.mark.usefixtures("transactional_db")
def test_an_editor_moves_a_review_on_the_month_view(page, page_problems, editor, assert_accessible):
    today = timezone.localdate()
    planned = today.replace(day=3)
    target = today.replace(day=24)
    review = ReviewFactory(
        headline=HEADLINE, status=Review.Status.DRAFT, publish_at=None, planned_for=planned
    )
    ReviewFactory(
        headline="Calendar test: not planned", status=Review.Status.DRAFT, publish_at=None
    )
    log_in(page, editor)

    page.get_by_role("link", name="Editorial calendar").click()
    expect(page).to_have_url(re.compile(r"/admin/calendar/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Editorial calendar: {today:%B %Y}")
    entry = day_cell(page, planned).locator("li.cal-entry", has_text=HEADLINE)
    expect(entry).to_contain_text("Draft")
    expect(page.locator("#cal-unplanned")).to_contain_text("Calendar test: not planned")
    expect(page.get_by_label("Feed address")).to_have_value(re.compile(r"feed\.ics\?key="))
    assert_accessible(page)
    page_problems.assert_clean()

    entry.locator("summary").click()
    entry.get_by_label("Planned for").fill(target.isoformat())
    entry.get_by_role("button", name="Move").click()

    expect(page.locator(".messagelist")).to_contain_text(f"“{HEADLINE}” is now planned for")
    expect(day_cell(page, target).locator("li.cal-entry", has_text=HEADLINE)).to_have_count(1)
    expect(day_cell(page, planned).locator("li.cal-entry", has_text=HEADLINE)).to_have_count(0)
    review.refresh_from_db()
    assert review.planned_for == target
    assert_accessible(page)
    page_problems.assert_clean()

    page.get_by_role("link", name="Week view").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Editorial calendar: week of")
    assert_accessible(page)
    # The admin's dark theme: the status colours keep their contrast there too.
    page.emulate_media(color_scheme="dark")
    page.get_by_role("link", name="Month view").click()
    assert_accessible(page)
    page_problems.assert_clean()


@pytest.mark.usefixtures("transactional_db")
def test_a_stale_move_is_refused_in_the_browser(page, page_problems, editor, assert_accessible):
    today = timezone.localdate()
    planned = today.replace(day=3)
    review = ReviewFactory(
        headline=HEADLINE, status=Review.Status.DRAFT, publish_at=None, planned_for=planned
    )
    log_in(page, editor)
    page.goto("/admin/calendar/")
    # Someone else moves it after this page was loaded.
    other = Review.objects.get(pk=review.pk)
    other.planned_for = today.replace(day=10)
    other.save()

    entry = day_cell(page, planned).locator("li.cal-entry", has_text=HEADLINE)
    entry.locator("summary").click()
    entry.get_by_label("Planned for").fill(today.replace(day=20).isoformat())
    entry.get_by_role("button", name="Move").click()

    expect(page.locator(".errornote")).to_contain_text("Your changes have not been saved")
    expect(page.get_by_label("Planned for")).to_have_value(today.replace(day=20).isoformat())
    review.refresh_from_db()
    assert review.planned_for == today.replace(day=10)
    assert_accessible(page)
    page_problems.assert_clean()
