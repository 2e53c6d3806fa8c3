"""An editor's first steps in the admin, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from films.models import Film


@pytest.mark.usefixtures("tron")
def test_editor_logs_in_and_opens_the_film_change_form(page, page_problems, editor):
    film = Film.objects.get(slug="tron-ares")

    page.goto("/admin/")
    page.get_by_label("Username").fill(editor.username)
    # editorial/tests/factories.py gives every user this password.
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page_problems.assert_clean()

    page.get_by_role("link", name="Films", exact=True).first.click()
    page.locator("#result_list").get_by_role("link", name=film.title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/films/film/{film.pk}/change/$"))
    expect(page.get_by_role("textbox", name="Title:", exact=True)).to_have_value(film.title)
    page_problems.assert_clean()
