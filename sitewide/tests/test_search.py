"""Search over reviews, films, people, albums, tracks and cues, grouped by kind (the ranking,
stemming and folding are sitewide/tests/test_ranked_search.py's)."""

import pytest

from films.tests.factories import FilmFactory, PersonFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from sitewide.forms import MAX_QUERY_LENGTH
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def kinds_found(response):
    return {group["kind"]: group["count"] for group in response.context["groups"]}


@pytest.fixture
def grid(db):
    film = FilmFactory(title="Grid Runner")
    ReviewFactory(headline="Back to the Grid", film=film)
    ReviewFactory(headline="Elsewhere", dek="A dek about the grid.", film=film)
    ReviewFactory(headline="Body only", body="Deep in the GRID we go.", film=film)
    PersonFactory(name="Gridley Quartet", is_group=True)
    TrackFactory(title="Grid Lock", position=1, soundtrack=SoundtrackFactory(title="Lockdown"))


def test_results_are_grouped_by_kind_with_counts(client, grid):
    response = search(client, q="grid")

    # Words, not substrings: "Gridley" is another word than "grid".
    assert kinds_found(response) == {
        "reviews": 3,
        "films": 1,
        "people": 0,
        "albums": 0,
        "tracks": 1,
        "cues": 0,
    }
    content = response.content.decode()
    assert content.index("Reviews <span") < content.index("Films <span")
    assert "Grid Lock" in content
    assert "track 1 of Lockdown" in content


def test_search_looks_in_headlines_standfirsts_and_bodies(client, grid):
    for query in ["back to the", "dek about", "deep in the"]:
        assert kinds_found(search(client, q=query))["reviews"] == 1, query


def test_one_kind_alone_is_paginated(client, db):
    for n in range(25):
        TrackFactory(title=f"Cue {n}")

    first = search(client, q="cue", kind="tracks")
    second = search(client, q="cue", kind="tracks", page=2)

    assert kinds_found(first) == {"tracks": 25}
    assert len(first.context["groups"][0]["page"]) == 20
    assert len(second.context["groups"][0]["page"]) == 5
    assert "Page 2 of 2" in second.content.decode()
    assert "?q=cue&amp;kind=tracks&amp;page=1" in second.content.decode()


def test_everything_shows_a_few_of_each_kind_and_links_to_the_rest(client, db):
    for n in range(8):
        FilmFactory(title=f"Derezzed {n}")

    response = search(client, q="derezzed")

    assert len(response.context["groups"][1]["page"]) == 5
    assert "?q=derezzed&amp;kind=films" in response.content.decode()


def test_empty_query_shows_the_form_and_no_results(client, grid):
    for params in [{}, {"q": ""}, {"q": "   "}]:
        response = search(client, **params)
        assert response.context["groups"] == []
        assert 'name="q"' in response.content.decode()


def test_very_long_query_is_cut_to_the_limit_not_refused(client, grid):
    response = search(client, q="grid " + "x" * 5000)

    assert len(response.context["query"]) == MAX_QUERY_LENGTH
    assert sum(kinds_found(response).values()) == 0


@pytest.mark.parametrize("query", ["%", "_", "%%", "100%", "a_b", "\\", "'", '"', "' OR 1=1 --"])
def test_wildcards_and_quotes_match_only_themselves(client, grid, query):
    response = search(client, q=query)

    assert sum(kinds_found(response).values()) == 0


def test_a_percent_sign_finds_a_title_that_has_one(client, db):
    TrackFactory(title="100% Expendable")

    assert kinds_found(search(client, q="100%"))["tracks"] == 1


def test_quotes_are_searched_and_shown_escaped(client, db):
    FilmFactory(title='The "Grid" <Cut>')

    response = search(client, q='"grid" <cut>')

    assert kinds_found(response)["films"] == 1
    assert "<cut>" not in response.content.decode()
    assert "&lt;cut&gt;" in response.content.decode()


@pytest.mark.parametrize("query", ["Rønning", "rønning", "“Init”", "音楽", "🎹"])
def test_unicode_queries_work(client, db, query):
    PersonFactory(name="Joachim Rønning")
    TrackFactory(title="“Init”")

    response = search(client, q=query)

    if query in {"Rønning", "rønning"}:
        assert kinds_found(response)["people"] == 1
    if query == "“Init”":
        assert kinds_found(response)["tracks"] == 1


def test_a_null_character_is_a_form_error_not_a_crash(client, db):
    response = search(client, q="grid\x00")

    assert response.context["groups"] == []
    assert "Null characters are not allowed" in response.content.decode()


def test_an_unknown_kind_searches_nothing_and_says_why(client, grid):
    response = search(client, q="grid", kind="bogus")

    assert response.context["groups"] == []
    assert "Select a valid choice" in response.content.decode()


def test_odd_page_numbers_fall_back_to_a_real_page(client, grid):
    for page in ["0", "-1", "999", "abc"]:
        assert kinds_found(search(client, q="grid", kind="reviews", page=page)) == {"reviews": 3}


def test_drafts_and_scheduled_reviews_are_never_found(client, db):
    ReviewFactory(headline="Hidden Grid", status=Review.Status.DRAFT, publish_at=None)

    assert kinds_found(search(client, q="hidden"))["reviews"] == 0
