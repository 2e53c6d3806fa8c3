"""The citation picker beside a review's body, in a real browser: a writer finds a track, inserts
its link where the cursor is, saves, and the review page links the track; the list follows the
albums chosen in the form before anything is saved. axe on the picker."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.models import Track
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory

#: The picker itself. The rest of the change form (Django's select2 autocompletes) fails axe's
#: label rules as Django renders it, apart from this: see tests/browser/test_verdicts.py.
PICKER = {"include": [["#citation-picker"]]}


def assert_picker_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.conftest import format_axe_violations

    violations = Axe().run(page, context=PICKER).response["violations"]
    assert not violations, format_axe_violations(page.url, violations)


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.mark.usefixtures("tron")
def test_an_editor_inserts_a_track_at_the_cursor_and_the_page_links_it(page, page_problems, editor):
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    track = Track.objects.select_related("soundtrack").get(
        soundtrack__slug="tron-ares-soundtrack", disc=1, position=2
    )
    assert track not in review.cited_tracks.all()
    log_in(page, editor)
    page.goto(f"/admin/reviews/review/{review.pk}/change/")

    picker = page.locator("#citation-picker")
    expect(picker.get_by_role("heading", name="Cite a track or cue")).to_be_visible()
    expect(picker.get_by_role("heading", name="Cue sheet of TRON: Ares")).to_be_visible()
    # The review covers three albums and three films: long enough for a filter.
    picker.get_by_label("Filter").fill(track.title)
    expect(picker.get_by_role("status")).to_contain_text("match")
    insert = picker.get_by_role("button", name=f"Insert “{track.title}”")
    expect(insert).to_be_visible()
    assert_picker_accessible(page)
    page_problems.assert_clean()

    # The cursor at the start of the body, after a word of the writer's own.
    body = page.locator("#id_body")
    body.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Listen: ")
    # By keyboard: Tab to the button, Enter.
    insert.focus()
    page.keyboard.press("Enter")

    citation = f"[{track.title}](track:tron-ares-soundtrack/1/2)"
    assert body.input_value().startswith(f"Listen: {citation}It’s been")
    # The caret is after the link, back in the body, to go on typing.
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type(" ")
    assert body.input_value().startswith(f"Listen: {citation} It’s been")
    expect(picker.get_by_role("status")).to_contain_text(f"Inserted “{track.title}”")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page_problems.assert_clean()
    review.refresh_from_db()
    assert review.body.startswith(f"Listen: {citation} ")
    assert track in review.cited_tracks.all()

    page.goto(review.get_absolute_url())
    link = page.locator(".article-body a, article a").filter(has_text=track.title).first
    expect(link).to_have_attribute("href", track.get_absolute_url())
    page_problems.assert_clean()


def test_the_list_follows_the_albums_chosen_in_the_form(
    page, page_problems, transactional_db, editor
):
    review = ReviewFactory(headline="Picker test", status=Review.Status.DRAFT, publish_at=None)
    review.film = None
    review.save()
    album = SoundtrackFactory(title="Grid Lines (Score)")
    TrackFactory(soundtrack=album, position=1, title="Light <Cycles> & *Rain*")
    log_in(page, editor)
    page.goto(f"/admin/reviews/review/{review.pk}/change/")

    picker = page.locator("#citation-picker")
    expect(picker.get_by_role("status")).to_contain_text("Choose the film or the albums")
    assert_picker_accessible(page)

    # An album chosen in the autocomplete, not saved: the picker lists its tracks.
    # A multiple choice: select2's search box is inside the field itself.
    page.locator(".field-soundtracks .select2-selection").click()
    page.locator(".field-soundtracks .select2-search__field").fill("Grid Lines")
    page.get_by_role("option", name=re.compile("Grid Lines")).click()
    expect(picker.get_by_role("heading", name="Grid Lines (Score)")).to_be_visible()
    insert = picker.get_by_role("button", name="Insert “Light <Cycles> & *Rain*”")
    expect(insert).to_be_visible()
    assert_picker_accessible(page)

    # Never been in the body: the link goes at its end, not before its first word.
    body = page.locator("#id_body")
    before = body.input_value()
    insert.click()
    assert body.input_value() == (
        f"{before} [Light \\<Cycles\\> \\& \\*Rain\\*](track:{album.slug}/1/1)"
    )

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    review.refresh_from_db()
    assert list(review.cited_tracks.all()) == [album.tracks.get()]
    assert "Light &lt;Cycles&gt; &amp; *Rain*</a>" in review.body_html
    page_problems.assert_clean()
