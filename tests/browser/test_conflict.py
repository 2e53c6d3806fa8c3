"""Two editors, two browsers, one review: the second save is refused and resolved field by field."""

import re

import pytest
from playwright.sync_api import expect

from editorial.models import DraftBuffer
from editorial.tests.factories import UserFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from tests.browser.test_autosave import assert_form_accessible, log_in, new_page

SAVED_BODY = "The overture.\n\nThe chase.\n\nThe finale."


@pytest.fixture
def editors(transactional_db):
    # Superusers: the flush between browser tests empties the groups a migration makes.
    return [
        UserFactory(
            username=name.lower(),
            first_name=name,
            last_name="Desk",
            is_staff=True,
            is_superuser=True,
        )
        for name in ("Eddie", "Fran")
    ]


@pytest.fixture
def review(editors):
    return ReviewFactory(
        headline="Derezzed",
        body=SAVED_BODY,
        status=Review.Status.DRAFT,
        publish_at=None,
        film=None,
        created_by=editors[0],
    )


def test_two_editors_resolve_a_conflict_field_by_field(
    page, browser, live_server, page_problems, editors, review, assert_accessible
):
    eddie, fran = editors
    url = f"/admin/reviews/review/{review.pk}/change/"
    frans_page = new_page(browser, live_server, page_problems)
    try:
        log_in(page, eddie)
        log_in(frans_page, fran)
        page.goto(url)
        frans_page.goto(url)

        page.get_by_role("textbox", name="Headline:").fill("Derezzed, by Eddie")
        page.get_by_role("textbox", name="Body:").fill(
            "The overture.\n\nThe chase, as Eddie hears it.\n\nThe finale."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

        frans_page.get_by_role("textbox", name="Headline:").fill("Derezzed, by Fran")
        frans_page.get_by_role("textbox", name="Standfirst:").fill("Fran's standfirst.")
        frans_page.get_by_role("textbox", name="Body:").fill(
            "The overture.\n\nThe chase.\n\nThe finale, as Fran hears it."
        )
        frans_page.get_by_role("button", name="Save", exact=True).click()

        expect(frans_page.get_by_role("heading", level=1)).to_have_text(
            "Both of you changed this review"
        )
        expect(frans_page.locator(".conflict-intro")).to_contain_text(
            "Eddie Desk saved this review at"
        )
        table = frans_page.locator("table.conflict-table")
        expect(table.locator("tbody tr")).to_have_count(3)  # headline, standfirst, body
        headline = table.locator("#conflict-headline")
        expect(headline.locator(".conflict-theirs")).to_have_text("Derezzed, by Eddie")
        expect(headline.locator(".conflict-mine")).to_have_text("Derezzed, by Fran")
        body = table.locator("#conflict-body")
        diff = body.locator(".revision-diff")
        expect(diff.locator("del").first).to_contain_text("Eddie")
        expect(diff.locator("ins").last).to_contain_text("Fran")
        assert_accessible(frans_page)
        review.refresh_from_db()
        assert review.headline == "Derezzed, by Eddie"

        headline.get_by_label("Keep theirs").check()
        table.locator("#conflict-dek").get_by_label("Keep mine").check()
        body.get_by_label("Keep mine").check()
        frans_page.get_by_role("button", name="Build the merged form").click()

        expect(frans_page).to_have_url(re.compile(rf"{url}\?_restore=draft$"))
        expect(frans_page.locator(".messagelist")).to_contain_text("Merged: yours for")
        expect(frans_page.get_by_role("textbox", name="Headline:")).to_have_value(
            "Derezzed, by Eddie"
        )
        expect(frans_page.get_by_role("textbox", name="Standfirst:")).to_have_value(
            "Fran's standfirst."
        )
        assert_form_accessible(frans_page)
        frans_page.get_by_role("button", name="Save", exact=True).click()
        expect(frans_page.locator(".messagelist")).to_contain_text("was changed successfully")

        review.refresh_from_db()
        assert review.headline == "Derezzed, by Eddie"
        assert review.dek == "Fran's standfirst."
        assert review.body.replace("\r\n", "\n") == (
            "The overture.\n\nThe chase.\n\nThe finale, as Fran hears it."
        )
        assert not DraftBuffer.objects.filter(user=fran).exists()
        page_problems.assert_clean()
    finally:
        frans_page.context.close()
