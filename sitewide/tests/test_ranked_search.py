"""Ranked full-text search: FTS5 on SQLite, django.contrib.postgres.search on PostgreSQL.

Every test here runs on whichever database the suite runs on; run it on both
(``DATABASE_URL=postgres://…``). The indexes are the database's own (triggers), so each test
also proves that the way its rows were written (factories, ``bulk_create``, ``update()``,
deletes) kept them current.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from films.models import Person
from films.tests.factories import FilmFactory, PersonFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from sitewide import search, search_index
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


def get(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def found(response, kind):
    """What one kind's group lists, in order, as text."""
    for group in response.context["groups"]:
        if group["kind"] == kind:
            return [
                getattr(item, "headline", None) or getattr(item, "name", None) or item.title
                for item in group["page"]
            ]
    raise AssertionError(f"no group {kind}")


def counts(response):
    return {group["kind"]: group["count"] for group in response.context["groups"]}


# The four queries of the issue, on the Tron demo content -----------------------------------

TRON_REVIEW = "Whatever You Make of ‘Tron: Ares’, Hear Nine Inch Nails’ Score in a Theater"


def test_reznor_finds_him_first_then_his_band_the_album_and_the_review(client, tron):
    response = get(client, q="reznor")

    assert found(response, "people") == ["Trent Reznor", "Nine Inch Nails"]
    assert found(response, "reviews") == [TRON_REVIEW]
    assert found(response, "albums") == ["Tron: Ares (Original Motion Picture Soundtrack)"]


@pytest.mark.parametrize("query", ["ronning", "Rønning", "RONNING", "rønning"])
def test_ronning_finds_the_director_whatever_the_accent_and_case(client, tron, query):
    response = get(client, q=query)

    assert found(response, "people") == ["Joachim Rønning"]
    assert found(response, "reviews") == [TRON_REVIEW]


def test_daft_punk_legacy_finds_their_album_and_the_review(client, tron):
    response = get(client, q="daft punk legacy")

    assert found(response, "albums") == ["Tron: Legacy (Original Motion Picture Soundtrack)"]
    assert found(response, "reviews") == [TRON_REVIEW]


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        ("reznr", "Trent Reznor"),
        ("Joachim Ronnig", "Joachim Rønning"),
        ("wendy carlso", "Wendy Carlos"),
    ],
)
def test_a_misspelling_finds_nothing_and_suggests_the_nearest_name(client, tron, query, suggested):
    response = get(client, q=query)

    assert sum(counts(response).values()) == 0
    assert response.context["suggestions"][0] == suggested
    assert "Did you mean" in response.content.decode()


def test_a_suggestion_links_to_its_own_search(client, tron):
    content = get(client, q="reznr").content.decode()

    assert '<a href="?q=Trent+Reznor">Trent Reznor</a>' in content


def test_nothing_near_suggests_nothing(client, tron):
    response = get(client, q="qqqqzzzz")

    assert response.context["suggestions"] == []
    assert "Did you mean" not in response.content.decode()


def test_soundtrack_finds_the_albums(client, tron):
    assert counts(get(client, q="soundtrack"))["albums"] == 3


# Ranking, stemming, folding ----------------------------------------------------------------


def test_a_headline_match_ranks_above_a_standfirst_match_above_a_body_match(client, db):
    ReviewFactory(headline="Body", body="The synthesizer hums under everything.")
    ReviewFactory(headline="Standfirst", dek="A synthesizer score.")
    ReviewFactory(headline="The synthesizer returns")

    assert found(get(client, q="synthesizer"), "reviews") == [
        "The synthesizer returns",
        "Standfirst",
        "Body",
    ]


def test_a_title_match_ranks_above_a_description_match(client, db):
    PersonFactory(name="Quiet Player", bio="Plays the glass harmonica.")
    PersonFactory(name="Harmonica Jones")

    assert found(get(client, q="harmonica"), "people") == ["Harmonica Jones", "Quiet Player"]


@pytest.mark.parametrize("query", ["scores", "score", "scoring", "scored"])
def test_english_words_are_found_by_their_stem(client, db, query):
    ReviewFactory(headline="Elsewhere", body="The score is the star.")

    assert counts(get(client, q=query))["reviews"] == 1


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("Jóhann Jóhannsson", "johann johannsson"),
        ("Mica Levi", "MICA LÉVI"),
        ("Ólafur Arnalds", "olafur"),
        ("Hildur Guðnadóttir", "gudnadottir"),
        ("Bjørn Æsir Straße", "bjorn aesir strasse"),
    ],
)
def test_accents_and_case_are_folded_both_ways(client, db, name, query):
    PersonFactory(name=name)

    assert found(get(client, q=query), "people") == [name]


def test_websearch_syntax_phrases_or_and_exclusion(client, db):
    FilmFactory(title="Grid Runner")
    FilmFactory(title="Runner Grid")
    FilmFactory(title="Light Cycle")

    assert len(found(get(client, q='"grid runner"'), "films")) == 1
    assert len(found(get(client, q="grid or cycle"), "films")) == 3
    assert found(get(client, q="runner -light"), "films") != []
    assert len(found(get(client, q="runner -cycle"), "films")) == 2
    assert found(get(client, q="grid -runner"), "films") == []


def test_a_spoiler_scene_is_not_found(client, db):
    from soundtracks.models import Cue

    film = FilmFactory(title="Plot")
    Cue.objects.create(film=film, title="Open", slug="open", scene="the hero falls")
    Cue.objects.create(film=film, title="Shut", slug="shut", scene="the villain wins", order=2)
    Cue.objects.filter(slug="shut").update(scene_is_spoiler=True)

    assert found(get(client, q="hero"), "cues") == ["Open"]
    assert found(get(client, q="villain"), "cues") == []


# Snippets and escaping ---------------------------------------------------------------------


def test_a_body_match_shows_a_highlighted_snippet(client, db):
    ReviewFactory(headline="Elsewhere", body="Long before, the theremin sang over the titles.")

    content = get(client, q="theremin").content.decode()

    assert "<mark>theremin</mark> sang over the titles" in content


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> theremin <img src=x onerror=alert(2)>",
        "theremin \ue000<b>bold</b>\ue001 \ue001 \ue000",
        "[theremin](javascript:alert(3)) and **theremin** `code`",
    ],
)
def test_snippets_escape_the_content_and_only_mark_matches(client, db, body):
    ReviewFactory(headline="Elsewhere", body=body)

    response = get(client, q="theremin")
    snippet = response.context["groups"][0]["page"][0].search_snippet

    assert "<script" not in snippet
    assert "<img" not in snippet
    assert "<b>" not in snippet
    assert "javascript" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 1
    assert "<script>alert" not in response.content.decode()


def test_the_query_is_kept_in_the_box_escaped(client, db):
    content = get(client, q='"><script>x</script>').content.decode()

    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in content
    assert "<script>x" not in content


def test_search_pages_are_noindex(client, db):
    for params in [{}, {"q": "grid"}, {"q": "grid", "kind": "films"}]:
        assert '<meta name="robots" content="noindex">' in get(client, **params).content.decode()


# Hostile queries ---------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    '"unbalanced',
    "AND",
    "OR",
    "NOT",
    "a AND",
    "OR b",
    "*",
    "grid*",
    "NEAR(",
    "NEAR(grid cycle, 2)",
    "-",
    "--",
    "- -grid",
    "-grid",
    "^grid",
    "grid:",
    "title:grid",
    "{title}: grid",
    "(grid",
    "grid)",
    "+",
    "!grid",
    "grid & cycle | light",
    "<->",
    "'",
    "\\",
    "x" * 10_000,
    "grid " * 2_000,
    "🎹🎛️",
    "音楽",
    "ﷺ",
    "\u200b",
    "\ue000grid\ue001",
    "%",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("kind", ["", "reviews", "tracks"])
def test_no_query_is_a_server_error(client, db, query, kind):
    ReviewFactory(headline="Grid cycle light")
    TrackFactory(title="Grid")

    response = client.get("/search/", {"q": query, "kind": kind, "page": "2"})

    assert response.status_code == 200


def test_a_null_byte_is_a_form_error(client, db):
    response = get(client, q="grid\x00 OR")

    assert response.context["groups"] == []


def test_a_query_of_only_exclusions_or_operators_finds_nothing(client, db):
    ReviewFactory(headline="Grid")

    for query in ["-grid", "-", "or", "*", '"']:
        assert sum(counts(get(client, q=query)).values()) == 0, query


# Kept current ------------------------------------------------------------------------------


def test_an_edited_review_is_found_by_its_new_words_only(client, db):
    review = ReviewFactory(headline="Oscillator")

    review.headline = "Sequencer"
    review.save()

    assert counts(get(client, q="oscillator"))["reviews"] == 0
    assert counts(get(client, q="sequencer"))["reviews"] == 1


def test_an_update_without_save_is_indexed_too(client, db):
    review = ReviewFactory(headline="Oscillator")

    Review.objects.filter(pk=review.pk).update(body="A vocoder, at last.")

    assert counts(get(client, q="vocoder"))["reviews"] == 1


def test_deleted_rows_are_not_found(client, db):
    review = ReviewFactory(headline="Oscillator")
    person = PersonFactory(name="Oscillator Jones")

    review.delete()
    person.delete()

    assert counts(get(client, q="oscillator")) == dict.fromkeys(search.KINDS, 0)


def test_unpublished_and_scheduled_reviews_are_never_found(client, db):
    withdrawn = ReviewFactory(headline="Oscillator one")
    ReviewFactory(headline="Oscillator two", status=Review.Status.DRAFT, publish_at=None)
    ReviewFactory(
        headline="Oscillator three", publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    ReviewFactory(headline="Oscillator four", status=Review.Status.IN_REVIEW)
    assert counts(get(client, q="oscillator"))["reviews"] == 1

    withdrawn.status = Review.Status.WITHDRAWN
    withdrawn.save()

    assert counts(get(client, q="oscillator"))["reviews"] == 0
    assert counts(get(client, q="oscillator", kind="reviews"))["reviews"] == 0


def test_bulk_created_rows_are_indexed(client, db):
    Person.objects.bulk_create(
        [Person(name=f"Modular {n}", slug=f"modular-{n}") for n in range(30)]
    )

    assert counts(get(client, q="modular"))["people"] == 30


def test_a_migration_that_drops_the_triggers_is_repaired_after_migrate(client, db):
    PersonFactory(name="Oscillator Jones")
    with connection.cursor() as cursor:
        for sql in (
            search_index._pg_drop(search_index.BY_KIND["person"])[:4]
            if (connection.vendor == "postgresql")
            else [f"DROP TRIGGER sitewide_person_search_{event}" for event in search_index.EVENTS]
        ):
            cursor.execute(sql)
    PersonFactory(name="Oscillator Smith")  # not indexed: no trigger

    assert search_index.ensure(connection) == ["person"]

    assert counts(get(client, q="oscillator"))["people"] == 2
    assert search_index.ensure(connection) == []
    PersonFactory(name="Oscillator Brown")
    assert counts(get(client, q="oscillator"))["people"] == 3


# Pages and queries -------------------------------------------------------------------------


def test_each_kind_is_paginated_and_hostile_pages_fall_back(client, db):
    soundtrack = SoundtrackFactory(title="Many")
    for n in range(25):
        TrackFactory(title=f"Arpeggio {n}", position=n + 1, soundtrack=soundtrack)

    first = get(client, q="arpeggio", kind="tracks")
    second = get(client, q="arpeggio", kind="tracks", page="2")

    assert counts(first) == {"tracks": 25}
    assert len(found(first, "tracks")) == 20
    assert len(found(second, "tracks")) == 5
    for page in ["0", "-1", "999", "abc", "1e9", "2.5", "９", "", "99999999999999999999"]:
        assert counts(get(client, q="arpeggio", kind="tracks", page=page)) == {"tracks": 25}


def test_everything_shows_five_of_each_kind_and_the_count(client, db):
    for n in range(8):
        FilmFactory(title=f"Derezzed {n}")

    response = get(client, q="derezzed")

    assert counts(response)["films"] == 8
    assert len(found(response, "films")) == 5
    assert "?q=derezzed&amp;kind=films" in response.content.decode()


@pytest.mark.parametrize(("query", "queries"), [("reznor", 7), ("reznr", 2), ("zzzz", 2)])
def test_a_search_runs_a_fixed_number_of_queries(
    client, tron, django_assert_num_queries, query, queries
):
    # One for every kind's ranks, snippets and totals; then the rows of each kind found (for
    # "reznor": people, albums and reviews), with the reviews' bylines, album ratings and
    # badges; or, when nothing is found, the suggestions.
    with django_assert_num_queries(queries):
        get(client, q=query)


@pytest.mark.parametrize("size", [1, 40])
def test_the_number_of_queries_does_not_grow_with_the_results(
    client, db, django_assert_num_queries, size
):
    for n in range(size):
        film = FilmFactory(title=f"Grid {n}")
        PersonFactory(name=f"Grid Person {n}")
        TrackFactory(title=f"Grid Track {n}")
        SoundtrackFactory(title=f"Grid Album {n}", film=film)
        ReviewFactory(headline=f"Grid Review {n}", film=film)

    # The ranks of every kind, the rows of the five kinds found, the reviews' bylines, album
    # ratings and badges.
    with django_assert_num_queries(9):
        get(client, q="grid")
    # One kind: its count, its page, the bylines, the album ratings and the badges.
    with django_assert_num_queries(5):
        get(client, q="grid", kind="reviews", page="2")


def test_parse_quotes_every_word_for_fts5():
    query = search.parse('daft "punk legacy" or tron -ares NEAR( * "')

    assert query.fts() == '(("daft") AND ("punk legacy" OR "tron") AND ("NEAR")) NOT ("ares")'
    assert query.websearch() == '"daft" "punk legacy" or "tron" "NEAR" -"ares"'
