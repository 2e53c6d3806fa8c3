"""A reader's walk through the Tron demo content, and axe-core on every kind of public page."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review

REVIEW_SLUG = "tron-ares-nine-inch-nails-score-review"


def path_is(path):
    """Match the page's URL by its path (and fragment), whatever the live server's port."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + "$")


def assert_icon_loads(page):
    """Chromium fetches the site icon on its own, outside the page's requests that Playwright
    reports, so a missing icon would 404 on every page unseen. Fetch it the way Chromium does."""
    icon = page.evaluate(
        "() => document.querySelector('link[rel~=icon]')?.href"
        " ?? new URL('/favicon.ico', location.href).href"
    )
    response = page.request.get(icon)
    assert response.ok, f"the site icon {icon} answers HTTP {response.status}"


@pytest.mark.usefixtures("tron")
def test_reader_walks_from_the_home_page_to_the_franchise(page, page_problems):
    review = Review.objects.get(slug=REVIEW_SLUG)

    page.goto("/")
    page_problems.assert_clean()

    page.get_by_role("link", name=review.headline).first.click()
    expect(page).to_have_url(path_is(f"/reviews/{REVIEW_SLUG}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(review.headline)
    page_problems.assert_clean()

    # The body's track reference: “Init” runs under the opening credits.
    init = page.get_by_role("link", name=re.compile(r"^\W*Init\W*$")).first
    expect(init).to_have_attribute(
        "href", re.compile(r"/soundtracks/tron-ares-soundtrack/#track-1-1$")
    )
    init.click()
    expect(page).to_have_url(path_is("/soundtracks/tron-ares-soundtrack/#track-1-1"))
    expect(page.locator("#track-1-1")).to_contain_text("Init")
    page_problems.assert_clean()

    page.get_by_role("link", name="Nine Inch Nails", exact=True).first.click()
    expect(page).to_have_url(path_is("/people/nine-inch-nails/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nine Inch Nails")
    page_problems.assert_clean()

    # "Tron" names both the franchise and the 1982 film: follow the franchise by its address.
    page.locator("a[href$='/franchises/tron/']").first.click()
    expect(page).to_have_url(path_is("/franchises/tron/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tron")
    page_problems.assert_clean()


PUBLIC_PAGES = {
    "home": "/",
    "review archive": "/reviews/",
    "review": f"/reviews/{REVIEW_SLUG}/",
    "film": "/films/tron-ares/",
    "soundtrack": "/soundtracks/tron-ares-soundtrack/",
    "person": "/people/trent-reznor/",
    "franchise": "/franchises/tron/",
    "search": "/search/?q=tron",
    "tag": None,  # the review's first tag, whichever the fixtures give it
    "author": "/authors/cuesheet-staff/",
}


@pytest.mark.usefixtures("tron")
@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_axe_violations(page, page_problems, assert_accessible, path):
    if path is None:
        tag = Review.objects.get(slug=REVIEW_SLUG).tags.order_by("slug").first()
        assert tag is not None, "the Tron review should carry tags"
        path = tag.get_absolute_url()

    response = page.goto(path)

    assert response.status == 200
    page_problems.assert_clean()
    assert_icon_loads(page)
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_not_found_page_has_no_axe_violations(page, page_problems, assert_accessible):
    page_problems.expect_status("/no-such-page/", 404)

    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page_problems.assert_clean()
    assert_accessible(page)
