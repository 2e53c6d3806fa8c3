"""Whole admin change forms under axe, Django's select2 autocompletes included: the review's (with
its inlines, the citation picker and the autosave notice) and the album's (its tracks inline and
the artists chooser), in the light and the dark theme, each autocomplete closed. (An opened
dropdown, which select2 draws at the end of the page, still fails axe: its combobox lacks
aria-expanded and the dropdown sits outside the page's landmarks.)"""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from soundtracks.models import Soundtrack


def assert_no_serious_violations(page):
    """axe finds nothing serious or critical (the issue's bar for admin pages). Django's tabular
    inlines keep an empty first column heading, a minor finding."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.conftest import format_axe_violations

    violations = [
        violation
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not violations, format_axe_violations(page.url, violations)


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.mark.usefixtures("tron")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_change_forms_with_autocompletes_have_no_axe_violations(
    page, page_problems, editor, scheme
):
    page.emulate_media(color_scheme=scheme)
    log_in(page, editor)
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    album = Soundtrack.objects.get(slug="tron-ares-soundtrack")
    for url in (
        f"/admin/reviews/review/{review.pk}/change/",
        "/admin/reviews/review/add/",
        f"/admin/soundtracks/soundtrack/{album.pk}/change/",
    ):
        page.goto(url)
        expect(page.locator(".select2-selection").first).to_be_visible()
        assert_no_serious_violations(page)
    page_problems.assert_clean()
