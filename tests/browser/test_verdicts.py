"""A review's verdict and corrections in a real browser: an editor rates an album and adds a
correction on the change form, a reader sees both on the page, light and dark; axe on each."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import AlbumRating, Badge, Correction, Review
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import SoundtrackFactory

#: What this module adds to the review's change form. The form's own autocompletes (select2:
#: authors, films, albums, tags, hero image) fail axe's label rules as Django renders them,
#: before and apart from these: the lead's to fix for every admin form at once.
OURS = {"include": [["#album_ratings-group"], ["#corrections-group"]]}


def assert_ours_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.conftest import format_axe_violations

    violations = Axe().run(page, context=OURS).response["violations"]
    assert not violations, format_axe_violations(page.url, violations)


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.fixture
def review(transactional_db):
    review = ReviewFactory(headline="Verdict test: Grid Lines", verdict="Loud, lean, never idle.")
    album = SoundtrackFactory(film=review.film, title="Grid Lines (Score)")
    review.soundtracks.add(album)
    return review


def test_an_editor_rates_and_corrects_on_the_change_form(page, page_problems, editor, review):
    log_in(page, editor)
    page.goto(f"/admin/reviews/review/{review.pk}/change/")
    expect(page.get_by_role("heading", name="Album ratings")).to_be_visible()
    expect(page.get_by_role("heading", name="Corrections and updates")).to_be_visible()
    assert_ours_accessible(page)

    # A rating: the album from the autocomplete, the score in a number field.
    page.locator("#album_ratings-group .add-row a").click()
    page.locator("#album_ratings-group .select2-selection").first.click()
    page.locator(".select2-search__field").last.fill("Grid Lines")
    page.get_by_role("option", name=re.compile("Grid Lines")).click()
    page.locator("#id_album_ratings-0-score").fill("8")
    # A correction row: the kind, the date (now), the note.
    page.locator("#corrections-group .add-row a").click()
    page.locator("#id_corrections-0-note").fill("It runs *24* tracks, not 22.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page_problems.assert_clean()
    assert review.corrections.get().note == "It runs *24* tracks, not 22."
    assert review.album_ratings.get().score == 8
    assert_ours_accessible(page)


def test_a_reader_sees_the_verdict_and_the_correction_light_and_dark(
    page, page_problems, assert_accessible, review
):
    AlbumRating.objects.create(review=review, soundtrack=review.soundtracks.get(), score=8)
    review.badges.add(Badge.objects.create(name="Best of the year", slug="best-of-the-year"))
    Correction.objects.create(review=review, note="It runs *24* tracks, not 22.")
    Review.objects.filter(pk=review.pk).update(headline=review.headline)  # as saved

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(review.get_absolute_url())
        expect(page.locator(".verdict")).to_contain_text("Rated 8 out of 10")
        expect(page.locator(".badges")).to_contain_text("Best of the year")
        expect(page.locator(".corrections")).to_contain_text("It runs 24 tracks, not 22.")
        page_problems.assert_clean()
        assert_accessible(page)
