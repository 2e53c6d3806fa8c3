"""A review cites a cue of a film's cue sheet as it cites a track: ``cue:<film>/<slug or code>``.

The cue's link follows the cue while the reference still names it, becomes plain text when it
no longer does, and the body's cues are resolved in one query however many links it has.
"""

import json
import time

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.tests.admin_forms import admin_url, form_data, form_errors
from films.tests.factories import FilmFactory
from reviews.citations import CueIndex, find_cues
from reviews.markdown import MAX_LENGTH, CueReference, render_markdown
from reviews.models import UNKNOWN_REFERENCES_LISTED, Review
from reviews.tests.factories import ReviewFactory
from reviews.tests.test_markdown import assert_inert
from soundtracks.models import Cue
from soundtracks.tests.factories import CueFactory, SoundtrackFactory, TrackFactory

# Parsing: classes of input, no database -------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "reference"),
    [
        (
            "cue:tron-ares/i-know-you-can-feel-it",
            CueReference("tron-ares", "i-know-you-can-feel-it"),
        ),
        ("cue:tron-ares/1M05", CueReference("tron-ares", "1M05")),
        ("cue:tron-ares/1m05", CueReference("tron-ares", "1m05")),
        ("cue:tron-ares/5M1/6M2", CueReference("tron-ares", "5M1/6M2")),
        ("CUE:tron-ares/init", CueReference("tron-ares", "init")),
        ("Cue:tron_ares/init_2", CueReference("tron_ares", "init_2")),
        ("cue:" + "f" * 200 + "/" + "c" * 100, CueReference("f" * 200, "c" * 100)),
    ],
    ids=[
        "slug",
        "code",
        "code-lower-case",
        "code-across-reels",
        "upper-scheme",
        "underscores",
        "longest",
    ],
)
def test_a_cue_reference_parses(href, reference):
    assert CueReference.parse(href) == reference
    assert str(reference).lower().startswith("cue:")


MALFORMED = {
    "empty": "cue:",
    "slash only": "cue:/",
    "no cue": "cue:tron-ares",
    "empty cue": "cue:tron-ares/",
    "empty film": "cue:/init",
    "double slash": "cue:tron-ares//init",
    "trailing slash": "cue:tron-ares/init/",
    "dot dot": "cue:../../etc",
    "dot dot inside": "cue:tron-ares/../init",
    "dot": "cue:tron-ares/init.html",
    "space": "cue:tron-ares/the escape",
    "percent-encoded unicode": "cue:tron-ares/%C3%BCber",
    "unicode": "cue:tron-ares/über",
    "unicode film": "cue:trön/init",
    "film slug too long": "cue:" + "f" * 201 + "/init",
    "cue slug too long": "cue:tron-ares/" + "c" * 101,
    # As long as a body may be, nearly.
    "huge": "cue:" + "a" * (MAX_LENGTH - 100) + "/b",
    "huge after a slash": "cue:a/" + "b/" * (MAX_LENGTH // 2 - 100) + "c",
    "query": "cue:tron-ares/init?x=1",
    "fragment": "cue:tron-ares/init#x",
    "html": "cue:tron-ares/<script>",
    "NUL": "cue:tron-ares/in\x00it",
    "newline": "cue:tron-ares/in\nit",
}


@pytest.mark.parametrize("href", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_cue_reference_parses_to_nothing(href):
    assert CueReference.parse(href) is None


def test_parsing_a_huge_reference_takes_no_time():
    started = time.perf_counter()
    for href in (MALFORMED["huge"], MALFORMED["huge after a slash"], "cue:" + "a/" * 50_000):
        assert CueReference.parse(href) is None
    assert time.perf_counter() - started < 0.5


# Rendering --------------------------------------------------------------------------------------


@pytest.fixture
def sheet(db):
    """Tron: Ares with three cues, and another film with a cue of the same code."""
    film = FilmFactory(slug="tron-ares", title="Tron: Ares", runtime=119)
    cues = {
        "init": CueFactory(film=film, order=1, slug="init", title="Init", code=""),
        "escape": CueFactory(
            film=film, order=5, slug="i-know-you-can-feel-it", title="I Know", code="1M05"
        ),
        "forever": CueFactory(
            film=film, order=9, slug="who-wants-to-live-forever", title="Forever", code="3M02"
        ),
    }
    other = FilmFactory(slug="tron-legacy", title="Tron: Legacy")
    cues["legacy"] = CueFactory(film=other, order=5, slug="derezzed", title="Derezzed", code="1M05")
    return cues


def link(cue, text):
    return f'<a href="{cue.get_absolute_url()}">{text}</a>'


def test_the_cue_url_is_the_cue_page_under_the_films_music():
    assert CueFactory.build(film=FilmFactory.build(slug="f"), slug="c").get_absolute_url() == (
        "/films/f/music/c/"
    )


@pytest.mark.parametrize(
    "reference",
    [
        "cue:tron-ares/i-know-you-can-feel-it",
        "cue:tron-ares/1M05",
        "cue:tron-ares/1m05",
        "CUE:tron-ares/1M05",
    ],
)
def test_a_cue_link_points_at_the_cue_page(sheet, reference):
    review = ReviewFactory(body=f"During [the escape]({reference}) the score lifts.")

    assert link(sheet["escape"], "the escape") in review.body_html
    assert list(review.cited_cues.all()) == [sheet["escape"]]
    review.full_clean()


def test_a_code_names_the_cue_of_the_film_the_reference_names(sheet):
    review = ReviewFactory(body="[Ares](cue:tron-ares/1M05), [Legacy](cue:tron-legacy/1M05)")

    assert link(sheet["escape"], "Ares") in review.body_html
    assert link(sheet["legacy"], "Legacy") in review.body_html
    assert set(review.cited_cues.all()) == {sheet["escape"], sheet["legacy"]}


def test_a_slug_wins_over_another_cues_code(sheet):
    # A cue whose slug is another cue's code (an editor's choice): the slug names it.
    clash = CueFactory(film=sheet["init"].film, order=20, slug="3m02", title="Clash")

    rendered = Review(body="[x](cue:tron-ares/3m02) [y](cue:tron-ares/3M02)").rendering()

    assert rendered.cues == [clash, sheet["forever"]]


def test_a_cue_named_twice_ways_is_cited_once(sheet):
    review = ReviewFactory(
        body="[a](cue:tron-ares/1M05), [b](cue:tron-ares/i-know-you-can-feel-it), "
        "[c](cue:tron-ares/1m05)"
    )

    assert review.body_html.count(sheet["escape"].get_absolute_url()) == 3
    assert list(review.cited_cues.all()) == [sheet["escape"]]


def test_track_and_cue_links_in_one_body_are_both_kept(sheet):
    album = SoundtrackFactory(slug="tron-ares-soundtrack", film=sheet["init"].film)
    track = TrackFactory(soundtrack=album, disc=1, position=1, title="Init")

    review = ReviewFactory(
        body="[Init](track:tron-ares-soundtrack/1) opens the film ([cue](cue:tron-ares/init))."
    )

    assert list(review.cited_tracks.all()) == [track]
    assert list(review.cited_cues.all()) == [sheet["init"]]
    assert link(sheet["init"], "cue") in review.body_html


UNKNOWN = {
    "no such cue": "cue:tron-ares/no-such-cue",
    "no such film": "cue:no-such-film/init",
    "another film's cue": "cue:tron-legacy/init",
    "a code of no cue": "cue:tron-ares/9M99",
    "a title, not a slug": "cue:tron-ares/Init",
    **MALFORMED,
}
# What a Markdown link destination can hold as typed (no spaces, no newlines, no NUL).
UNKNOWN_IN_A_LINK = {
    name: reference
    for name, reference in UNKNOWN.items()
    if not any(character in reference for character in " \n\x00<>")
}


@pytest.mark.parametrize("reference", UNKNOWN_IN_A_LINK.values(), ids=UNKNOWN_IN_A_LINK.keys())
def test_an_unknown_or_malformed_cue_is_an_error_on_the_body_and_plain_text(sheet, reference):
    review = ReviewFactory.build(film=None, status=Review.Status.DRAFT, body=f"[x]({reference})")

    with pytest.raises(ValidationError) as error:
        review.clean()

    [message] = error.value.message_dict["body"]
    assert "names no cue" in message
    assert "cue:tron-ares/1M05" in message  # the syntax, as help
    assert len(message) < 600  # a huge reference is cut short
    review.save()
    assert "<a" not in review.body_html
    assert not review.cited_cues.exists()


def test_links_that_nest_brackets_render_inert_and_resolve_only_whole_references(sheet):
    body = (
        "[[inner](cue:tron-ares/init)](cue:tron-ares/1M05) "
        "[a [b](cue:tron-ares/init) c](cue:tron-ares/1M05) "
        "[x](cue:tron-ares/[init]) [y](<cue:tron-ares/init>) <cue:tron-ares/3M02> "
        "![image](cue:tron-ares/init) [[[[[[z](cue:tron-ares/init)]]]]]"
    )

    rendered = Review(body=body).rendering()

    assert_inert(rendered.html)
    assert rendered.cues == [sheet["init"], sheet["forever"]]
    assert rendered.unknown == ["cue:tron-ares/[init]"]
    assert "<img" not in rendered.html


def test_an_autolink_to_a_cue_links_its_own_text(sheet):
    rendered = Review(body="See <cue:tron-ares/1M05>.").rendering()

    assert rendered.html == f"<p>See {link(sheet['escape'], 'cue:tron-ares/1M05')}.</p>"


# One query, whatever the number of links ------------------------------------------------------


def test_a_body_of_many_cue_links_resolves_them_in_one_query(sheet, django_assert_num_queries):
    # 10,000 links to the same two cues: reference links are the shortest way to write them.
    body = "[c] [d]\n" * 5_000 + "\n[c]: cue:tron-ares/1M05\n[d]: cue:tron-ares/init\n"
    assert len(body) <= MAX_LENGTH

    with django_assert_num_queries(1):
        rendered = Review(body=body).rendering()

    assert rendered.cues == [sheet["escape"], sheet["init"]]
    assert rendered.html.count("<a href=") == 10_000
    assert not rendered.unknown


def test_hundreds_of_distinct_cues_resolve_in_one_query(db, django_assert_num_queries):
    film = FilmFactory(slug="long-film", runtime=180)
    cues = [
        CueFactory(film=film, order=n, slug=f"cue-{n}", code=f"{n // 20 + 1}M{n % 20:02d}")
        for n in range(200)
    ]
    body = " ".join(
        f"[{n}](cue:long-film/{cue.slug}) <cue:long-film/{cue.code.lower()}>"
        for n, cue in enumerate(cues)
    )

    with django_assert_num_queries(1):
        rendered = Review(body=body).rendering()

    assert rendered.cues == cues
    assert not rendered.unknown


def test_thousands_of_distinct_unknown_cues_are_one_query_and_a_short_error(
    db, django_assert_num_queries
):
    # As many distinct references as the cap lets a body hold, films and cues all different.
    body = " ".join(f"<cue:f{n}/c{n}>" for n in range(5_500))
    assert len(body) <= MAX_LENGTH
    review = ReviewFactory.build(film=None, status=Review.Status.DRAFT, body=body)

    with django_assert_num_queries(1):
        rendered = review.rendering()
    with pytest.raises(ValidationError) as error:
        review.clean()

    assert len(rendered.unknown) == 5_500
    messages = error.value.message_dict["body"]
    assert len(messages) == UNKNOWN_REFERENCES_LISTED + 1
    assert (
        messages[-1]
        == f"And {5_500 - UNKNOWN_REFERENCES_LISTED:,} more references that name no track or cue."
    )


@pytest.mark.timeout(60)
def test_rendering_cue_links_is_linear_in_their_number(sheet):
    def seconds(count):
        body = "[c]\n" * count + "\n[c]: cue:tron-ares/1M05\n"
        started = time.perf_counter()
        Review(body=body).rendering()
        return time.perf_counter() - started

    seconds(100)  # warm up
    small, large = min(seconds(1_000) for _ in range(3)), min(seconds(10_000) for _ in range(3))

    # Ten times the links: about ten times the time, far from the hundred a square would take.
    assert large < 30 * small + 0.05


def test_a_body_without_cue_links_looks_up_no_cue(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        Review(body="[web](https://example.com) and cue: as a word, [x](cue)").rendering()


def test_cues_in_hand_resolve_with_no_query(sheet, django_assert_num_queries):
    index = CueIndex(list(Cue.objects.select_related("film")))

    with django_assert_num_queries(0):
        rendered = render_markdown(
            "[a](cue:tron-ares/1m05) [b](cue:tron-legacy/derezzed)", find_cues=index
        )

    assert rendered.cues == [sheet["escape"], sheet["legacy"]]


def test_find_cues_with_nothing_to_find_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert find_cues(set()) == {}


# Keeping the stored HTML true to the cues -----------------------------------------------------


@pytest.fixture
def citing(sheet):
    review = ReviewFactory(
        body="[by slug](cue:tron-ares/i-know-you-can-feel-it) and [by code](cue:tron-ares/1M05)"
    )
    assert list(review.cited_cues.all()) == [sheet["escape"]]
    return review, sheet["escape"]


def stored(review):
    return Review.objects.values_list("body_html", "lock_version").get(pk=review.pk)


def test_a_cue_whose_slug_changes_keeps_the_links_that_name_it_by_code(citing):
    review, cue = citing
    cue.slug = "the-escape"
    cue.save()

    html, _ = stored(review)
    assert '<a href="/films/tron-ares/music/the-escape/">by code</a>' in html
    assert "by slug" in html
    assert "i-know-you-can-feel-it" not in html  # the old address, and the slug that named it
    assert list(review.cited_cues.all()) == [cue]


def test_a_cue_whose_code_changes_unlinks_the_links_that_named_it_by_code(citing):
    review, cue = citing
    cue.code = "1M06"
    cue.save()

    html, _ = stored(review)
    assert html.count("<a ") == 1
    assert link(cue, "by slug") in html
    assert "by code" in html


def test_a_cue_whose_film_changes_slug_leaves_no_link_to_its_old_address(citing):
    review, cue = citing
    film = cue.film
    film.slug = "tron-ares-2025"
    film.save()

    html, _ = stored(review)
    assert "<a" not in html
    assert "/films/tron-ares/" not in html
    assert not review.cited_cues.exists()


def test_a_deleted_cue_leaves_plain_text_not_a_broken_link(citing):
    review, cue = citing
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    cue.delete()

    html, _ = stored(review)
    assert html == "<p>by slug and by code</p>"
    assert not review.cited_cues.exists()


def test_refreshing_for_a_cue_is_not_an_edit_and_only_touches_its_citing_reviews(citing, sheet):
    review, cue = citing
    other = ReviewFactory(body="[x](cue:tron-ares/init)")
    before, other_before = stored(review), stored(other)

    cue.title = "I Know You Can Feel It (film version)"
    cue.save()

    assert stored(review) == before  # same HTML, same lock version: not an edit
    assert stored(other) == other_before


def test_saving_a_cue_refreshes_each_citing_review_in_a_fixed_number_of_queries(citing):
    review, cue = citing

    def queries():
        with CaptureQueriesContext(connection) as captured:
            cue.save()
        return [query["sql"] for query in captured]

    costs = []
    for _ in range(3):
        ReviewFactory(body="[x](cue:tron-ares/1M05)")
        executed = queries()
        costs.append(len(executed))
        # One cue lookup per citing review, and no track lookup: no body links a track.
        lookups = [sql for sql in executed if "UPPER" in sql and "soundtracks_cue" in sql]
        assert len(lookups) == Review.objects.filter(cited_cues=cue).count()
        assert not [sql for sql in executed if 'JOIN "soundtracks_soundtrack"' in sql]

    assert costs[2] - costs[1] == costs[1] - costs[0]


def test_a_loaded_review_renders_its_cue_links_and_records_them(sheet):
    source = ReviewFactory(slug="loaded", body="plain")
    payload = json.loads(serializers.serialize("json", [source], use_natural_foreign_keys=True))
    payload[0]["fields"]["body"] = "Loaded with [the escape](cue:tron-ares/1M05)."
    payload[0]["fields"]["body_html"] = ""
    payload[0]["fields"].pop("cited_cues")
    payload[0]["fields"].pop("cited_tracks")

    for obj in serializers.deserialize("json", json.dumps(payload)):
        obj.save()  # raw, as loaddata does: Review.save() is not called

    loaded = Review.objects.get(slug="loaded")
    assert link(sheet["escape"], "the escape") in loaded.body_html
    assert list(loaded.cited_cues.all()) == [sheet["escape"]]


# The admin ----------------------------------------------------------------------------------------


def review_form(client, body):
    data = form_data(client.get(admin_url(Review, "add")))
    data.update({"headline": "Cues", "slug": "cues", "status": "draft", "body": body})
    return data


@pytest.mark.parametrize(
    "reference",
    ["cue:tron-ares/no-such-cue", "cue:", "cue:../../etc", "cue:tron-ares/" + "x" * 5_000],
)
def test_the_admin_shows_an_unknown_cue_as_an_error_on_the_body(editor_client, sheet, reference):
    body = f"[x]({reference})"
    response = editor_client.post(admin_url(Review, "add"), review_form(editor_client, body))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"body"}
    assert "names no cue" in errors["body"][0]
    assert not Review.objects.filter(slug="cues").exists()


def test_the_admin_saves_a_body_citing_a_cue(editor_client, sheet):
    body = "[the escape](cue:tron-ares/1M05)"
    response = editor_client.post(admin_url(Review, "add"), review_form(editor_client, body))

    assert response.status_code == 302, form_errors(response)
    review = Review.objects.get(slug="cues")
    assert list(review.cited_cues.all()) == [sheet["escape"]]


def test_the_body_help_text_shows_the_cue_syntax(editor_client, db):
    response = editor_client.get(admin_url(Review, "add"))

    assert "cue:tron-ares/i-know-you-can-feel-it" in response.content.decode()
