"""An editor pastes a cue sheet into a film, in a real browser: preview, confirm, the cue inline."""

import re

import pytest
from playwright.sync_api import expect

from films.models import Film

# Test rows only: they live in the test database for the length of the test, never in fixtures.
PASTE = "\n".join(
    [
        "Cue #\tTitle\tComposer\tUsage\tIn\tOut",
        "9M01\tPaste test one\t\tBI\t10:00\t11:30",
        "9M02\tPaste test two\tNine Inch Nails\tBackground Vocal\t20:00\t",
        "9M03\tPaste test three\t\tET\t1:50:00\t1:52:00",
    ]
)


def log_in(page, editor):
    page.goto("/admin/")
    page.get_by_label("Username").fill(editor.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.mark.usefixtures("tron")
def test_an_editor_pastes_a_cue_sheet_previews_it_and_saves_it(
    page, page_problems, editor, assert_accessible
):
    film = Film.objects.get(slug="tron-ares")
    cues_before = film.cues.count()
    log_in(page, editor)

    page.goto(f"/admin/films/film/{film.pk}/change/")
    page.get_by_role("link", name="Paste a cue sheet").click()
    expect(page).to_have_url(re.compile(rf"/admin/films/film/{film.pk}/cue-sheet/paste/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paste a cue sheet")
    assert_accessible(page)
    page_problems.assert_clean()

    page.get_by_role("textbox", name="Cue sheet:").fill(PASTE)
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("table", name="The cues as they would be saved")
    expect(preview.get_by_role("row")).to_have_count(4)  # the header and three cues
    expect(preview.get_by_role("row", name=re.compile("Paste test two"))).to_contain_text(
        "Background vocal"
    )
    expect(preview.get_by_role("row", name=re.compile("Paste test one"))).to_contain_text("11:30")
    assert film.cues.count() == cues_before  # a preview saves nothing
    assert_accessible(page)
    page_problems.assert_clean()

    page.get_by_role("button", name="Save 3 cues").click()
    expect(page).to_have_url(re.compile(rf"/admin/films/film/{film.pk}/change/$"))
    expect(page.locator(".messagelist")).to_contain_text("Pasted 3 cues from a cue sheet.")
    inline = page.locator("#cues-group")
    for title in ("Paste test one", "Paste test two", "Paste test three"):
        expect(inline.locator(f'input[value="{title}"]')).to_have_count(1)
    expect(inline.locator('input[value="1:52:00"]')).to_have_count(1)
    page_problems.assert_clean()
    assert film.cues.count() == cues_before + 3


@pytest.mark.usefixtures("tron")
def test_a_bad_row_is_shown_by_row_and_column_and_no_save_is_offered(page, page_problems, editor):
    film = Film.objects.get(slug="tron-ares")
    log_in(page, editor)
    page.goto(f"/admin/films/film/{film.pk}/cue-sheet/paste/")
    page.get_by_role("textbox", name="Cue sheet:").fill("Title\tIn\nPaste test\t1:75")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Row 2, In: Seconds must be 00–59; '1:75' has 75.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    page_problems.assert_clean()
