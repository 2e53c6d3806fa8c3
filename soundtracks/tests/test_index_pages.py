"""The index pages: /people/, /composers/ and /soundtracks/ (issue 13, item 2), here because
this layer's tests see both films' and albums' factories.

Each is paginated as the other lists are (ListView: a page number that is no page is a 404),
sorted by surname (people), name (groups) or title, in the sitemap and the site's navigation,
tagged as listing its model for the page cache, and runs the same number of queries however
much it lists.
"""

import pytest
from django.core.cache import cache

from editorial.tests.html import parse_html
from films.models import Credit
from films.tests.factories import CreditFactory, FilmFactory, PersonFactory
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db

INDEXES = {"people": "/people/", "composers": "/composers/", "soundtracks": "/soundtracks/"}
PER_PAGE = 50


def names_on(response):
    """The names (titles) the index lists, in its order."""
    assert response.status_code == 200
    html = parse_html(response.content.decode())
    return [heading.find("a").text for heading in html.find_all("h2.film-list-title")]


def nav_links(response, **attrs):
    nav = parse_html(response.content.decode()).find("nav.site-nav")
    return [a.get("href") for a in nav.find_all("a", **attrs)]


def composer(name, film=None, **kwargs):
    person = PersonFactory(name=name, **kwargs)
    CreditFactory(person=person, film=film or FilmFactory(), role=Credit.Role.COMPOSER)
    return person


def test_people_are_listed_by_surname_and_groups_by_name(client):
    PersonFactory(name="Wendy Carlos")
    PersonFactory(name="Daft Punk", is_group=True)
    PersonFactory(name="Atticus Ross")
    PersonFactory(name="Nine Inch Nails", is_group=True)
    PersonFactory(name="Joachim Rønning")
    PersonFactory(name="The Null Corporation", is_group=True, sort_name="Null Corporation, The")

    assert names_on(client.get("/people/")) == [
        "Wendy Carlos",
        "Daft Punk",
        "Nine Inch Nails",
        "The Null Corporation",
        "Joachim Rønning",
        "Atticus Ross",
    ]


def test_composers_are_listed_by_surname_too(client):
    composer("Trent Reznor")
    composer("Atticus Ross")
    composer("Daft Punk", is_group=True)
    composer("Wendy Carlos", sort_name="Carlos, Wendy")

    assert names_on(client.get("/composers/")) == [
        "Wendy Carlos",
        "Daft Punk",
        "Trent Reznor",
        "Atticus Ross",
    ]


def test_a_person_on_the_index_says_how_many_films_they_are_credited_on(client):
    person = PersonFactory(name="Steven Lisberger")
    film = FilmFactory()
    CreditFactory(person=person, film=film, role=Credit.Role.DIRECTOR)
    CreditFactory(person=person, film=film, role=Credit.Role.STORY)
    CreditFactory(person=person, role=Credit.Role.PRODUCER)

    assert "2 films" in client.get("/people/").content.decode()


def test_the_composer_index_lists_only_people_and_groups_with_composer_credits(client):
    tron = FilmFactory(title="Tron")
    composer("Wendy Carlos", film=tron)
    composer("Daft Punk", is_group=True)
    CreditFactory(person=PersonFactory(name="Jeff Bridges"), film=tron, role=Credit.Role.CAST)
    PersonFactory(name="Nobody Credited")

    response = client.get("/composers/")

    assert names_on(response) == ["Wendy Carlos", "Daft Punk"]
    assert 'href="/films/film-' in response.content.decode()
    assert "Music for" in response.content.decode()


def test_a_composer_is_listed_once_however_many_films_they_scored(client):
    carlos = composer("Wendy Carlos")
    for _ in range(3):
        CreditFactory(person=carlos, role=Credit.Role.COMPOSER)

    assert names_on(client.get("/composers/")) == ["Wendy Carlos"]


def test_albums_are_listed_by_title_with_film_and_artist(client):
    SoundtrackFactory(title="Tron: Legacy", artist_credit="Daft Punk")
    SoundtrackFactory(title="Tron: Ares", artist_credit="Nine Inch Nails")
    SoundtrackFactory(title="Tron (Original Soundtrack)", artist_credit="Wendy Carlos")

    response = client.get("/soundtracks/")

    assert names_on(response) == ["Tron (Original Soundtrack)", "Tron: Ares", "Tron: Legacy"]
    assert "Nine Inch Nails" in response.content.decode()


@pytest.mark.parametrize("index", INDEXES)
@pytest.mark.parametrize("value", ["0", "-1", "3", str(10**30), "abc", "1.0"])
def test_a_page_number_that_is_no_page_is_404(client, index, value):
    composer("Wendy Carlos")
    SoundtrackFactory()

    assert client.get(f"{INDEXES[index]}?page={value}").status_code == 404


@pytest.mark.parametrize("index", INDEXES)
def test_an_empty_page_number_is_the_first_page(client, index):
    composer("Wendy Carlos")
    SoundtrackFactory()

    assert client.get(f"{INDEXES[index]}?page=").content == client.get(INDEXES[index]).content


@pytest.mark.parametrize("index", INDEXES)
def test_an_empty_index_says_so(client, index):
    response = client.get(INDEXES[index])

    assert response.status_code == 200
    assert parse_html(response.content.decode()).find_all("li.empty")


def test_the_people_index_is_paginated_and_its_pages_link_each_other(client):
    for n in range(PER_PAGE + 1):
        PersonFactory(name=f"Person {n:03}")

    first = client.get("/people/")
    second = client.get("/people/?page=2")

    assert len(names_on(first)) == PER_PAGE
    assert names_on(second) == [f"Person {PER_PAGE:03}"]
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert "page 2" in parse_html(second.content.decode()).text_of("title")
    assert '<link rel="canonical" href="http://testserver/people/?page=2">' in (
        second.content.decode()
    )


@pytest.mark.parametrize("index", INDEXES)
def test_every_index_is_in_the_sitemap_and_the_navigation(client, index):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>http://testserver{INDEXES[index]}</loc>" in sitemap

    assert INDEXES[index] in nav_links(client.get("/"))


def test_the_navigation_marks_the_index_being_read(client):
    response = client.get("/composers/")

    assert nav_links(response, **{"aria-current": "page"}) == ["/composers/"]


@pytest.mark.parametrize(
    ("index", "listed"),
    [
        ("people", "list:person"),
        ("composers", "list:person"),
        ("composers", "list:film"),
        ("soundtracks", "list:soundtrack"),
    ],
)
def test_an_index_says_which_model_it_lists(client, index, listed):
    composer("Wendy Carlos")
    SoundtrackFactory()

    assert listed in client.get(INDEXES[index])["xkey"].split()


def build_people(size):
    for n in range(size):
        person = PersonFactory(is_group=n % 5 == 0, bio="A bio. " * 40)
        for _ in range(3):
            CreditFactory(person=person)


def build_composers(size):
    for _ in range(size):
        person = composer("Someone")
        for _ in range(3):
            CreditFactory(person=person, role=Credit.Role.COMPOSER)


def build_soundtracks(size):
    for _ in range(size):
        album = SoundtrackFactory()
        for _ in range(4):
            TrackFactory(soundtrack=album, duration=200)


# index: (builder, queries): a count, the page, and the composers' films.
QUERY_COUNTS = {
    "people": (build_people, 2),
    "composers": (build_composers, 3),
    "soundtracks": (build_soundtracks, 2),
}


@pytest.mark.parametrize("size", [1, PER_PAGE + 5])
@pytest.mark.parametrize("index", INDEXES)
def test_an_index_runs_the_same_queries_however_much_it_lists(
    client, django_assert_num_queries, index, size
):
    builder, queries = QUERY_COUNTS[index]
    builder(size)

    with django_assert_num_queries(queries):
        response = client.get(INDEXES[index])

    assert len(names_on(response)) == min(size, PER_PAGE)


# The page cache: an index page is purged when what it lists moves, not only when it is shown.


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("page_cache_on")
@pytest.mark.parametrize(
    ("index", "make", "field"),
    [
        ("people", lambda n: PersonFactory(name=f"Person {n:03}"), "name"),
        ("composers", lambda n: composer(f"Person {n:03}"), "name"),
        ("soundtracks", lambda n: SoundtrackFactory(title=f"Album {n:03}"), "title"),
    ],
)
def test_a_row_renamed_onto_another_page_of_the_index_reaches_that_page(client, index, make, field):
    rows = [make(n) for n in range(PER_PAGE + 1)]
    second = f"{INDEXES[index]}?page=2"
    assert names_on(client.get(second)) == [getattr(rows[-1], field)]
    assert client.get(second)["X-Cache"] == "hit"

    # The first row moves to the end, the last onto the first page: the second shows neither.
    setattr(rows[0], field, "Zzz, last of all")
    rows[0].save()

    assert names_on(client.get(second)) == ["Zzz, last of all"]
