"""Review bodies: Markdown rendered once, sanitised, with ``track:`` links resolved to tracks."""

import json

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.markdown import TrackReference, render_markdown
from reviews.models import Review
from tests.factories import ReviewFactory, SoundtrackFactory, TrackFactory


@pytest.fixture
def album(db):
    album = SoundtrackFactory(slug="grid-album")
    TrackFactory(soundtrack=album, disc=1, position=1, title="Boot")
    TrackFactory(soundtrack=album, disc=1, position=2, title="Derez")
    TrackFactory(soundtrack=album, disc=2, position=3, title="Reboot")
    return album


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("Hello <script>alert(1)</script> world", ["<script", "alert(1)"]),
        ('A picture <img src="x" onerror="alert(1)">', ["<img", "onerror", "alert"]),
        ("[x](javascript:alert(1))", ["javascript:", "alert"]),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:", "base64"]),
        ('<a href="https://example.com" onclick="steal()">x</a>', ["onclick", "steal"]),
        ('<p style="color:red" class="x" id="y">styled</p>', ["style=", "class=", "id="]),
        ("<iframe src='https://example.com'></iframe>", ["<iframe"]),
    ],
    ids=["script", "img-onerror", "javascript-url", "data-url", "event-handler", "attrs", "iframe"],
)
def test_sanitiser_renders_hostile_markup_inert(body, forbidden):
    html = render_markdown(body).html

    for text in forbidden:
        assert text not in html


def test_sanitiser_keeps_what_markdown_produces():
    body = (
        "## Subhead\n\nSome *emphasis*, **strength**, `code` and [a link](https://example.com).\n"
    )
    body += "\n> A quote\n\n1. one\n2. two\n\nBetween.\n\n- a\n- b\n"

    html = render_markdown(body).html

    for fragment in [
        "<h2>Subhead</h2>",
        "<em>emphasis</em>",
        "<strong>strength</strong>",
        "<code>code</code>",
        '<a href="https://example.com">a link</a>',
        "<blockquote>",
        "<ol>",
        "<ul>",
    ]:
        assert fragment in html


def test_a_top_level_heading_in_a_body_becomes_a_subhead():
    # The page's headline is its one <h1>.
    assert render_markdown("# Big\n\ntext").html.startswith("<h2>Big</h2>")


def test_track_reference_parses_with_and_without_a_disc():
    assert TrackReference.parse("track:grid-album/7") == TrackReference("grid-album", 1, 7)
    assert TrackReference.parse("track:grid-album/2/3") == TrackReference("grid-album", 2, 3)
    assert TrackReference.parse("track:grid-album") is None
    assert TrackReference.parse("track:grid album/1") is None


def test_track_link_points_at_the_track_anchor_on_its_soundtrack_page(album):
    review = ReviewFactory(
        body="It opens with [Boot](track:grid-album/1) and [R](track:grid-album/2/3)."
    )

    assert '<a href="/soundtracks/grid-album/#track-1-1">Boot</a>' in review.body_html
    assert '<a href="/soundtracks/grid-album/#track-2-3">R</a>' in review.body_html


def test_save_records_the_cited_tracks_and_follows_edits(album):
    review = ReviewFactory(body="[Boot](track:grid-album/1), [Derez](track:grid-album/2)")
    assert {track.title for track in review.cited_tracks.all()} == {"Boot", "Derez"}

    review.body = "Only [Derez](track:grid-album/2) now."
    review.save()

    assert [track.title for track in review.cited_tracks.all()] == ["Derez"]
    assert "#track-1-1" not in Review.objects.get(pk=review.pk).body_html


def test_save_with_update_fields_body_refreshes_the_html(album):
    review = ReviewFactory(body="old")
    review.body = "new [Boot](track:grid-album/1)"
    review.save(update_fields=["body"])

    review.refresh_from_db()
    assert "new" in review.body_html
    assert "#track-1-1" in review.body_html


@pytest.mark.parametrize(
    "reference", ["track:grid-album/9", "track:no-such-album/1", "track:grid-album/3/1", "track:x"]
)
def test_unknown_track_reference_is_a_validation_error_on_the_body(album, reference):
    review = ReviewFactory.build(film=None, status=Review.Status.DRAFT, body=f"[x]({reference})")

    with pytest.raises(ValidationError) as error:
        review.clean()

    assert reference in " ".join(error.value.message_dict["body"])


def test_known_track_references_pass_clean(album):
    review = ReviewFactory.build(
        film=None, status=Review.Status.DRAFT, body="[x](track:grid-album/1)"
    )

    review.clean()


def test_unknown_track_reference_renders_as_plain_text_never_a_broken_link(album):
    review = ReviewFactory(body="Hear [Ghost](track:grid-album/99) here.")

    assert review.body_html == "<p>Hear Ghost here.</p>"
    assert not review.cited_tracks.exists()


def test_raw_save_from_a_fixture_renders_the_body_and_records_citations(album):
    source = ReviewFactory(slug="loaded", body="plain")
    payload = json.loads(serializers.serialize("json", [source], use_natural_foreign_keys=True))
    payload[0]["fields"]["body"] = "Loaded with [Derez](track:grid-album/2)."
    payload[0]["fields"]["body_html"] = ""
    payload[0]["fields"].pop("cited_tracks")

    for obj in serializers.deserialize("json", json.dumps(payload)):
        obj.save()  # raw, as loaddata does: Review.save() is not called

    loaded = Review.objects.get(slug="loaded")
    assert '<a href="/soundtracks/grid-album/#track-1-2">Derez</a>' in loaded.body_html
    assert [track.title for track in loaded.cited_tracks.all()] == ["Derez"]


def test_loaddata_tron_renders_the_review_with_its_three_track_links(db):
    call_command("loaddata", "tron", verbosity=0)

    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    for anchor in ["#track-1-1", "#track-1-7", "#track-1-12"]:
        assert f'href="/soundtracks/tron-ares-soundtrack/{anchor}"' in review.body_html
    assert sorted(track.position for track in review.cited_tracks.all()) == [1, 7, 12]
