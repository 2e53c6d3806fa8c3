"""films renders its pages without knowing what the layers above add to them.

The film, person and franchise views of this app are rendered here as they are, not as the URLs
route them (``reviews.urls`` routes to views extended by soundtracks and reviews): they read no
table of an app above, and the templates leave out the sections whose context only those layers
give. ``Movie.musicBy`` names the film's composers from its credits.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.tests.html import parse_html
from films import structured_data
from films.models import Credit
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from films.views import FilmDetailView, FranchiseDetailView, PersonDetailView

HIGHER_APPS = ("soundtracks_", "reviews_")


def render_alone(rf, view, slug):
    """The page as ``view`` renders it, with the SQL it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = view.as_view()(rf.get("/"), slug=slug)
        response.render()
    assert response.status_code == 200
    return parse_html(response.content.decode()), [query["sql"] for query in queries]


def tables_above(sql):
    return [statement for statement in sql if any(app in statement for app in HIGHER_APPS)]


@pytest.fixture
def franchise(db):
    franchise = FranchiseFactory(name="Grid")
    for order in (1, 2):
        film = FilmFactory(franchise=franchise, franchise_order=order, title=f"Grid {order}")
        CreditFactory(film=film, role=Credit.Role.COMPOSER)
        CreditFactory(film=film, role=Credit.Role.DIRECTOR)
    return franchise


def test_film_page_renders_without_albums_music_or_reviews(rf, franchise):
    film = franchise.films.get(franchise_order=1)

    html, sql = render_alone(rf, FilmDetailView, film.slug)

    assert tables_above(sql) == []
    section_titles = html.find_all("h2.section-title")
    assert [title.text for title in section_titles] == ["Credits"]
    assert "Next film Grid 2" in html.text_of(".franchise-nav")


def test_person_page_renders_without_albums(rf, franchise):
    person = PersonFactory()
    group = PersonFactory(is_group=True, name="The Band")
    group.members.add(person)
    CreditFactory(person=group, film=franchise.films.first(), role=Credit.Role.COMPOSER)

    html, sql = render_alone(rf, PersonDetailView, person.slug)

    assert tables_above(sql) == []
    assert not html.find("#albums-title")
    section = html.find("section", **{"aria-labelledby": f"with-{group.slug}"})
    assert "Composer: Grid 1" in section.text


def test_franchise_page_renders_without_albums_or_themes(rf, franchise):
    html, sql = render_alone(rf, FranchiseDetailView, franchise.slug)

    assert tables_above(sql) == []
    assert not html.find("#themes-title")
    assert [h.text for h in html.find_all("h2.timeline-title")] == ["Grid 1 2020", "Grid 2 2020"]


def test_music_by_names_the_composers_from_the_credits_in_billing_order(rf, db):
    film = FilmFactory()
    second = CreditFactory(film=film, role=Credit.Role.COMPOSER, billing_order=2).person
    group = PersonFactory(is_group=True)
    CreditFactory(film=film, person=group, role=Credit.Role.COMPOSER, billing_order=1)
    CreditFactory(film=film, role=Credit.Role.PRODUCER)
    film = type(film).objects.with_credits().get(pk=film.pk)

    data = structured_data.movie(rf.get("/"), film)

    assert [(person["@type"], person["name"]) for person in data["musicBy"]] == [
        ("MusicGroup", group.name),
        ("Person", second.name),
    ]
    assert data["musicBy"][0]["url"] == f"http://testserver/people/{group.slug}/"


def test_music_by_is_left_out_when_no_composer_is_credited(rf, db):
    film = FilmFactory()
    CreditFactory(film=film, role=Credit.Role.DIRECTOR)

    data = structured_data.movie(rf.get("/"), type(film).objects.with_credits().get(pk=film.pk))

    assert "musicBy" not in data
    assert data["director"]


def test_film_page_structured_data_carries_music_by(client, db):
    film = FilmFactory()
    composer = CreditFactory(film=film, role=Credit.Role.COMPOSER).person

    html = parse_html(client.get(film.get_absolute_url()).content.decode())
    scripts = html.find_all("script", type="application/ld+json")
    (movie,) = (
        item for item in map(json.loads, (s.text for s in scripts)) if item["@type"] == "Movie"
    )

    assert [person["name"] for person in movie["musicBy"]] == [composer.name]
