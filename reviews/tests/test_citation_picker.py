"""The citation picker's list, its Markdown, its permissions, and the body's help text."""

import html

import pytest
from django.urls import reverse

from editorial.tests.admin_forms import admin_url
from editorial.tests.factories import EditorFactory, WriterFactory
from films.tests.factories import FilmFactory
from reviews.admin_citations import MOST_IDS, citation, link_text
from reviews.citations import find_cues, find_tracks
from reviews.markdown import render_markdown
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import CueFactory, SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db

DRAFT = Review.Status.DRAFT


def citations_url(review=None):
    if review is None:
        return reverse("admin:reviews_review_citations")
    return reverse("admin:reviews_review_citations", args=[review.pk])


@pytest.fixture
def film():
    film = FilmFactory(title="Tron: Ares", slug="tron-ares")
    album = SoundtrackFactory(film=film, title="Tron: Ares (Score)", slug="tron-ares-score")
    TrackFactory(soundtrack=album, disc=1, position=2, title="Grid")
    TrackFactory(soundtrack=album, disc=1, position=1, title="Init")
    CueFactory(film=film, order=2, code="1M05", title="The Escape", slug="the-escape")
    CueFactory(film=film, order=1, code="1M01", title="Main Title", slug="main-title")
    return film


@pytest.fixture
def writer():
    return WriterFactory()


@pytest.fixture
def draft(writer):
    return ReviewFactory(status=DRAFT, publish_at=None, created_by=writer, film=None)


def groups(response):
    assert response.status_code == 200, response.content
    return response.json()["groups"]


# What it lists ---------------------------------------------------------------------------------


def test_lists_the_films_albums_tracks_and_cue_sheet_in_order(client, writer, draft, film):
    client.force_login(writer)

    found = groups(client.get(citations_url(draft), {"film": film.pk}))

    assert [group["heading"] for group in found] == [
        "Tron: Ares (Score)",
        "Cue sheet of Tron: Ares",
    ]
    tracks, cues = found
    assert [item["label"] for item in tracks["items"]] == ["1 Init", "2 Grid"]
    assert tracks["items"][0]["citation"] == "[Init](track:tron-ares-score/1/1)"
    assert [item["label"] for item in cues["items"]] == ["1M01 Main Title", "1M05 The Escape"]
    assert cues["items"][1]["citation"] == "[The Escape](cue:tron-ares/the-escape)"


def test_lists_what_the_form_chose_not_what_was_saved(client, writer, draft, film):
    """The editor changed the albums in the form and has not saved: the picker follows."""
    other = SoundtrackFactory(title="Songs from Elsewhere")
    TrackFactory(soundtrack=other, disc=2, position=4, title="Far Away")
    TrackFactory(soundtrack=other, disc=1, position=1, title="Near")
    client.force_login(writer)

    found = groups(client.get(citations_url(draft), {"soundtrack": other.pk}))

    assert [group["heading"] for group in found] == ["Songs from Elsewhere"]
    # Two discs: each track says which.
    assert [item["label"] for item in found[0]["items"]] == ["1.1 Near", "2.4 Far Away"]
    assert found[0]["items"][1]["reference"] == f"track:{other.slug}/2/4"


def test_chosen_albums_come_first_then_the_films_others_and_an_empty_album_says_so(
    client, writer, draft, film
):
    chosen = SoundtrackFactory(title="Chosen, no tracks")
    client.force_login(writer)

    found = groups(
        client.get(citations_url(draft), {"soundtrack": chosen.pk, "other_film": film.pk})
    )

    assert [group["heading"] for group in found] == [
        "Chosen, no tracks",
        "Tron: Ares (Score)",
        "Cue sheet of Tron: Ares",
    ]
    assert found[0]["items"] == []
    assert found[0]["empty"] == "No tracks yet."


def test_a_film_without_a_cue_sheet_lists_no_cues(client, writer, draft):
    client.force_login(writer)
    assert groups(client.get(citations_url(draft), {"film": FilmFactory().pk})) == []


def test_nothing_chosen_lists_nothing(client, writer, draft):
    client.force_login(writer)
    assert groups(client.get(citations_url(draft))) == []
    assert groups(client.get(citations_url(draft), {"film": "", "soundtrack": ""})) == []


def test_the_add_form_has_a_picker_too(client, writer, film):
    client.force_login(writer)
    response = client.get(admin_url(Review, "add"))
    assert f'data-url="{citations_url()}"' in response.content.decode()
    assert len(groups(client.get(citations_url(), {"film": film.pk}))) == 2


def test_the_answer_is_never_cached(client, writer, draft, film):
    client.force_login(writer)
    response = client.get(citations_url(draft), {"film": film.pk})
    assert "no-store" in response["Cache-Control"]


# The Markdown it inserts ---------------------------------------------------------------------


def test_each_citation_renders_as_a_link_to_its_track_or_cue(client, writer, draft, film):
    client.force_login(writer)
    found = groups(client.get(citations_url(draft), {"film": film.pk}))
    body = "\n\n".join(item["citation"] for group in found for item in group["items"])

    rendered = render_markdown(body, find_tracks, find_cues)

    assert rendered.unknown == []
    assert len(rendered.tracks) == 2
    assert len(rendered.cues) == 2
    assert f'href="{rendered.tracks[0].get_absolute_url()}"' in rendered.html


@pytest.mark.parametrize(
    "title",
    [
        "Init",
        "*Not* emphasis_or_code`",
        "[Brackets] and \\backslashes\\",
        "<Untitled> & Co &amp; more",
        "![not an image](javascript:alert(1))",
        "~~struck~~",
    ],
)
def test_a_title_with_markdown_in_it_renders_as_written(title):
    track = TrackFactory(title=title)

    rendered = render_markdown(
        citation(title, f"track:{track.soundtrack.slug}/1/{track.position}"), find_tracks
    )

    assert rendered.unknown == []
    assert rendered.tracks == [track]
    assert rendered.html == (
        f'<p><a href="{html.escape(track.get_absolute_url())}">{html.escape(title, quote=False)}'
        "</a></p>"
    )


def test_link_text_is_one_line():
    assert link_text("Two\nlines\t and  more") == "Two lines and more"


# Who may ask, and with what ------------------------------------------------------------------


def test_another_writers_review_is_404(client, draft, film):
    client.force_login(WriterFactory())
    assert client.get(citations_url(draft), {"film": film.pk}).status_code == 404


def test_a_review_the_writer_may_see_but_not_edit_is_403(client, writer, film):
    published = ReviewFactory(created_by=writer)
    client.force_login(writer)
    assert client.get(citations_url(published), {"film": film.pk}).status_code == 403


def test_editors_ask_for_any_review(client, draft, film):
    client.force_login(EditorFactory())
    assert len(groups(client.get(citations_url(draft), {"film": film.pk}))) == 2


def test_readers_and_non_staff_are_sent_to_the_login(client, draft, film):
    assert client.get(citations_url(draft)).status_code == 302
    client.force_login(WriterFactory(is_staff=False))
    assert client.get(citations_url(draft)).status_code == 302


def test_staff_without_review_permissions_are_refused(client, draft):
    from editorial.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(citations_url(draft)).status_code in {403, 404}
    assert client.get(citations_url()).status_code == 403


@pytest.mark.parametrize(
    "object_id", ["0", "999999999", "abc", "-1", "1.5", "%00", "9" * 40, "1/../2"]
)
def test_a_review_id_that_names_nothing_is_404(client, writer, object_id):
    client.force_login(writer)
    url = reverse("admin:reviews_review_citations", args=["X"]).replace("/X/", f"/{object_id}/")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"film": "abc"},
        {"film": "-1"},
        {"film": "0"},
        {"film": "1.0"},
        {"film": "1e3"},
        {"film": "٣"},  # An Arabic-Indic digit: int() takes it, an id is not written so.
        {"soundtrack": "9" * 19},  # Beyond a 64-bit key.
        {"soundtrack": "9" * 10_000},
        {"other_film": "1; DROP TABLE films_film"},
        {"film": [str(n) for n in range(1, MOST_IDS + 2)]},
    ],
    ids=[
        "word",
        "negative",
        "zero",
        "decimal",
        "exponent",
        "non-ascii-digit",
        "beyond-64-bits",
        "huge",
        "sql",
        "too-many",
    ],
)
def test_hostile_parameters_are_a_400(client, writer, draft, query):
    client.force_login(writer)
    response = client.get(citations_url(draft), query)
    assert response.status_code == 400
    assert "error" in response.json()


def test_ids_that_name_nothing_are_left_out(client, writer, draft, film):
    client.force_login(writer)
    found = groups(
        client.get(
            citations_url(draft),
            {"film": [str(2**63 - 1), film.pk], "soundtrack": "123456789", "unknown": "x"},
        )
    )
    assert len(found) == 2


def test_the_most_ids_of_a_kind_are_fine(client, writer, draft):
    client.force_login(writer)
    ids = [str(n) for n in range(1, MOST_IDS + 1)]
    assert client.get(citations_url(draft), {"film": ids}).status_code == 200


def test_a_fixed_number_of_queries_however_much_is_chosen(
    client, writer, draft, film, django_assert_num_queries
):
    client.force_login(writer)
    few = {"film": film.pk}
    more_films = FilmFactory.create_batch(3)
    albums = SoundtrackFactory.create_batch(4)
    for each in [*more_films, *albums]:
        if hasattr(each, "tracks"):
            TrackFactory.create_batch(3, soundtrack=each)
        else:
            CueFactory.create_batch(3, film=each)
    many = {
        "film": film.pk,
        "other_film": [each.pk for each in more_films],
        "soundtrack": [each.pk for each in albums],
    }
    # The session, the user, their permissions (own and group's), the review (and its bylines:
    # the admin's queryset), the albums, their tracks, the films, their cues.
    with django_assert_num_queries(10):
        assert len(groups(client.get(citations_url(draft), few))) == 2
    with django_assert_num_queries(10):
        assert len(groups(client.get(citations_url(draft), many))) == 2 + 4 + 3


# The change form -----------------------------------------------------------------------------


def test_the_change_form_loads_the_picker_script_and_styles_from_static(client, writer, draft):
    client.force_login(writer)
    page = client.get(admin_url(Review, "change", draft.pk)).content.decode()
    assert 'src="/static/reviews/citation-picker.js"' in page
    assert "reviews/citation-picker.css" in page
    assert f'data-url="{citations_url(draft)}"' in page
    assert 'id="citation-picker"' in page


def test_a_review_the_user_may_only_view_has_no_picker(client, writer):
    published = ReviewFactory(created_by=writer)
    client.force_login(writer)
    page = client.get(admin_url(Review, "change", published.pk)).content.decode()
    assert 'id="citation-picker"' not in page


def test_the_body_help_text_shows_the_syntax_as_text_not_as_tags(client, writer, draft):
    client.force_login(writer)
    page = client.get(admin_url(Review, "change", draft.pk)).content.decode()
    help_text = page.split('id="id_body_helptext"', 1)[1].split("</div>", 2)[0]
    assert "track:&lt;album&gt;/&lt;disc&gt;/&lt;track&gt;" in help_text
    assert "cue:&lt;film&gt;/&lt;cue&gt;" in help_text
    assert "<album>" not in page
    assert "<disc>" not in page
