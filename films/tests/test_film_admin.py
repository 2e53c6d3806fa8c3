"""The film's change page: its credits' person choosers show who is credited, read once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from films.tests.factories import CreditFactory, FilmFactory, PersonFactory

pytestmark = pytest.mark.django_db


def person_selects(html):
    """Each credit row's person chooser: its selected options, as ``[(value, label)]``."""
    selects = re.findall(r'<select name="credits-\d+-person".*?</select>', html, re.S)
    return [re.findall(r'<option value="(\d+)" selected>([^<]*)</option>', s) for s in selects]


def test_each_credit_shows_its_person_as_chosen(editor_client):
    film = FilmFactory()
    people = [PersonFactory(name=f"Person {n}") for n in range(3)]
    for person in people:
        CreditFactory(film=film, person=person)
    response = editor_client.get(reverse("admin:films_film_change", args=[film.pk]))
    assert response.status_code == 200
    shown = person_selects(response.text)
    assert sorted(shown) == sorted([[(str(p.pk), p.name)] for p in people])


def test_credits_cost_no_query_per_row(editor_client):
    film = FilmFactory()
    url = reverse("admin:films_film_change", args=[film.pk])
    CreditFactory(film=film)
    editor_client.get(url)
    with CaptureQueriesContext(connection) as one:
        editor_client.get(url)
    for _ in range(5):
        CreditFactory(film=film)
    with CaptureQueriesContext(connection) as six:
        editor_client.get(url)
    assert len(six) == len(one)


def test_a_sent_back_person_that_is_not_the_rows_own_is_read_as_before(editor_client):
    """A form sent back with another person shows that person (read from the database), not
    the row's own: only the row's own related object is shown without a query."""
    film = FilmFactory()
    credit = CreditFactory(film=film)
    other = PersonFactory(name="Someone Else")
    url = reverse("admin:films_film_change", args=[film.pk])
    page = editor_client.get(url).text
    data = {
        name: value
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', page)
        if not name.startswith("_")
    }
    data.update(
        {
            "title": "",  # a form error, so the page is shown again with what was sent
            "credits-0-person": str(other.pk),
            "credits-0-id": str(credit.pk),
            "credits-0-film": str(film.pk),
            "credits-0-role": credit.role,
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert person_selects(response.text)[0] == [(str(other.pk), "Someone Else")]
