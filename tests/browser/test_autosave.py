"""Autosave in a real browser: type, let it autosave, lose the page, come back, restore, discard."""

import re

import pytest
from playwright.sync_api import expect

from editorial.models import DraftBuffer
from editorial.tests.factories import UserFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from tests.browser.conftest import (
    ACTION_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    format_axe_violations,
)

#: The script waits two seconds of quiet; this leaves room for a slow machine.
AUTOSAVE_WAIT_MS = 10_000
BODY = "The opening cue sets the grid alight.\n\nThen the synths take over."


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def assert_form_accessible(page):
    """axe on an admin change form, but for Django's vendored select2 autocompletes.

    Their markup fails three axe rules on every admin form that has one (an unnamed combobox,
    an unlabelled search input, a <ul> holding a <span>): Django's, reported for the lead, not
    this feature's. Everything else on the page, the draft notice and status line included,
    must pass.
    """
    from axe_playwright_python.sync_playwright import Axe

    violations = (
        Axe().run(page, context={"exclude": [[".select2-container"]]}).response["violations"]
    )
    if violations:
        pytest.fail(format_axe_violations(page.url, violations), pytrace=False)


def new_page(browser, live_server, page_problems):
    """A page in a browser context of its own: another window after a crash."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    page_problems.watch(page)
    return page


@pytest.fixture
def writer(transactional_db):
    # A superuser: the flush between browser tests empties the groups a migration makes.
    return UserFactory(
        username="wendy", first_name="Wendy", last_name="Writer", is_staff=True, is_superuser=True
    )


@pytest.fixture
def review(writer):
    return ReviewFactory(
        headline="Grid lines",
        body="What was saved.",
        status=Review.Status.DRAFT,
        publish_at=None,
        film=None,
        created_by=writer,
    )


def type_and_autosave(page, review, text):
    page.goto(f"/admin/reviews/review/{review.pk}/change/")
    body = page.get_by_role("textbox", name="Body:")
    body.fill("")
    body.press_sequentially(text[:20], delay=20)  # typing, not one paste
    body.fill(text)
    expect(page.locator(".autosave-status")).to_contain_text(
        "Autosaved at", timeout=AUTOSAVE_WAIT_MS
    )
    draft = DraftBuffer.objects.get()
    assert ["body", text.replace("\n", "\r\n")] in draft.data or ["body", text] in draft.data


def test_a_draft_survives_a_lost_page_and_is_restored(
    page, browser, live_server, page_problems, writer, review
):
    log_in(page, writer)
    type_and_autosave(page, review, BODY)
    page.context.close()  # the tab, the window, the browser: gone without saving

    page = new_page(browser, live_server, page_problems)
    try:
        log_in(page, writer)
        page.goto(f"/admin/reviews/review/{review.pk}/change/")
        notice = page.locator(".messagelist .draft-notice")
        expect(notice).to_contain_text(re.compile(r"You have unsaved changes from \d\d:\d\d"))
        expect(page.get_by_role("textbox", name="Body:")).to_have_value("What was saved.")
        assert_form_accessible(page)

        notice.get_by_role("link", name="Restore").click()
        expect(page.get_by_role("textbox", name="Body:")).to_have_value(
            re.compile(r"The opening cue sets the grid alight\.\r?\n\r?\nThen the synths")
        )
        expect(page.locator(".messagelist")).to_contain_text("Restored your unsaved changes")
        assert_form_accessible(page)
        review.refresh_from_db()
        assert review.body == "What was saved."  # restored, not saved

        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        review.refresh_from_db()
        assert review.body.replace("\r\n", "\n") == BODY
        assert not DraftBuffer.objects.exists()
        page_problems.assert_clean()
    finally:
        page.context.close()


def test_a_draft_is_discarded(page, browser, live_server, page_problems, writer, review):
    log_in(page, writer)
    type_and_autosave(page, review, "Words nobody wants.")
    page.context.close()

    page = new_page(browser, live_server, page_problems)
    try:
        log_in(page, writer)
        page.goto(f"/admin/reviews/review/{review.pk}/change/")
        page.locator(".draft-notice").get_by_role("button", name="Discard").click()
        expect(page.locator(".messagelist")).to_contain_text("Discarded your unsaved changes.")
        expect(page.locator(".draft-notice")).to_have_count(0)
        expect(page.get_by_role("textbox", name="Body:")).to_have_value("What was saved.")
        assert not DraftBuffer.objects.exists()
        page_problems.assert_clean()
    finally:
        page.context.close()


def test_nothing_is_autosaved_while_nothing_changes(page, writer, review):
    log_in(page, writer)
    page.goto(f"/admin/reviews/review/{review.pk}/change/")
    page.wait_for_timeout(4_000)  # past the quiet time and a poll
    assert not DraftBuffer.objects.exists()
    expect(page.locator(".autosave-status")).to_have_text("")
