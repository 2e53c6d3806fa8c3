"""Review bodies: Markdown rendered once, sanitised, with ``track:`` links resolved to tracks."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command

import reviews.models
from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.html import parse_html
from films.tests.factories import FilmFactory
from reviews.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    MAX_LENGTH,
    CueReference,
    TrackReference,
    render_markdown,
)
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory


@pytest.fixture
def album(db):
    album = SoundtrackFactory(slug="grid-album")
    TrackFactory(soundtrack=album, disc=1, position=1, title="Boot")
    TrackFactory(soundtrack=album, disc=1, position=2, title="Derez")
    TrackFactory(soundtrack=album, disc=2, position=3, title="Reboot")
    return album


def assert_inert(html):
    """Only the allowed tags and attributes, and no link but to an allowed scheme."""
    for element in parse_html(html).find_all():
        tag, attrs = element.tag, element.attrs
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            scheme = urlsplit(href).scheme
            assert not scheme or scheme in ALLOWED_URL_SCHEMES, href


HOSTILE_MARKUP = {
    "script": "Hello <script>alert(1)</script> world",
    "img-onerror": 'A picture <img src="x" onerror="alert(1)">',
    "javascript-url": "[x](javascript:alert(1))",
    "javascript-url-upper-case": "[x](JAVASCRIPT:alert(1))",
    "javascript-url-entity": "[x](jav&#x61;script:alert(1))",
    "javascript-autolink": "<javascript:alert(1)>",
    "data-url": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "vbscript-url": "[x](vbscript:msgbox(1))",
    "event-handler": '<a href="https://example.com" onclick="steal()">x</a>',
    "attrs": '<p style="color:red" class="x" id="y">styled</p>',
    "iframe": "<iframe src='https://example.com'></iframe>",
    "html-block": "<div>\n<script>alert(1)</script>\n</div>",
    "comment": "<!-- hidden --> text",
    "svg": "<svg onload=alert(1)><circle/></svg>",
}


@pytest.mark.parametrize("body", HOSTILE_MARKUP.values(), ids=HOSTILE_MARKUP.keys())
def test_hostile_markup_makes_only_allowed_elements_and_links(body):
    assert_inert(render_markdown(body).html)


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


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("Hello <script>alert(1)</script> world", "<p>Hello  world</p>"),
        ("an <em>emphatic</em> word", "<p>an emphatic word</p>"),
        ('<p style="color:red">styled</p>', "<p>styled</p>"),
        ("<div>\na < b & c\n</div>", "<p>a &lt; b &amp; c</p>"),
        ("<!-- hidden --> text", "<p>text</p>"),
        ("<script>\nalert(1)\n</script>\n\nafter", "<p>after</p>"),
        ("<div>\n<script>alert(1)</script>\n</div>", ""),
        ("a <script>alert(1) and the rest", "<p>a </p>"),
        ("<svg onload=alert(1)><circle/></svg>", ""),
    ],
)
def test_raw_html_is_left_out_and_its_words_kept(body, html):
    assert render_markdown(body).html == html


@pytest.mark.parametrize("name", ["javascript-url", "data-url", "vbscript-url"])
def test_a_link_to_a_forbidden_scheme_keeps_its_text_and_loses_its_address(name):
    assert render_markdown(HOSTILE_MARKUP[name]).html == "<p><a>x</a></p>"


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


# What bodies rely on, rendered as before ------------------------------------------------------

SEED_HTML = Path(__file__).parent / "data" / "tron-review-body.html"


def test_the_seed_article_renders_exactly_as_it_did_before_markdown_it(db):
    """``tron-review-body.html`` is what the ``markdown`` package made of the seed body."""
    call_command("loaddata", "tron", verbosity=0)

    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")

    assert review.body_html == SEED_HTML.read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("Setext\n======", "<h2>Setext</h2>"),
        ("### Three", "<h3>Three</h3>"),
        ("line one  \nline two", "<p>line one<br>\nline two</p>"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
        ("    indented", "<pre><code>indented\n</code></pre>"),
        ("```\nfenced\n```", "<pre><code>fenced\n</code></pre>"),
        ("***", "<hr>"),
        ("Tom & Jerry < 3 &copy;", "<p>Tom &amp; Jerry &lt; 3 ©</p>"),
        ("“Quotes” — and – dashes… as typed", "<p>“Quotes” — and – dashes… as typed</p>"),
        ('"Straight" -- quotes stay straight', '<p>"Straight" -- quotes stay straight</p>'),
        ("<https://example.com>", '<p><a href="https://example.com">https://example.com</a></p>'),
        ('[t](https://e.com "Title")', '<p><a href="https://e.com" title="Title">t</a></p>'),
        ("[ref]\n\n[ref]: mailto:a@example.com", '<p><a href="mailto:a@example.com">ref</a></p>'),
        ("snake_case_word", "<p>snake_case_word</p>"),
    ],
)
def test_commonmark_renders_what_bodies_are_written_with(body, html):
    assert render_markdown(body).html == html


def test_track_references_are_looked_up_in_one_call_per_body():
    calls = []

    def find_tracks(references):
        calls.append(set(references))
        return {}

    body = "[a](track:x/1), [b](track:x/2/3), [a again](track:x/1), [bad](track:nope)"
    rendered = render_markdown(body, find_tracks)

    assert calls == [{TrackReference("x", 1, 1), TrackReference("x", 2, 3)}]
    assert rendered.unknown == ["track:x/1", "track:x/2/3", "track:x/1", "track:nope"]
    assert rendered.html == "<p>a, b, a again, bad</p>"


def test_a_body_without_track_links_looks_nothing_up():
    def find_tracks(references):
        raise AssertionError("called")

    assert render_markdown("[web](https://example.com)", find_tracks).tracks == []


# Rendered once per save -------------------------------------------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """The bodies ``reviews.models`` renders, in order."""
    rendered = []
    real = reviews.models.render_markdown

    def counting(text, *finders):
        rendered.append(text)
        return real(text, *finders)

    monkeypatch.setattr(reviews.models, "render_markdown", counting)
    return rendered


def test_a_save_renders_the_body_once(album, renders):
    review = ReviewFactory(body="first [Boot](track:grid-album/1)")
    assert renders == ["first [Boot](track:grid-album/1)"]

    review.body = "second"
    review.save()
    review.save(update_fields=["headline"])

    assert renders == ["first [Boot](track:grid-album/1)", "second"]


def test_full_clean_then_save_renders_the_body_once(album, renders):
    review = ReviewFactory.build(film=FilmFactory(), body="[Boot](track:grid-album/1)")
    review.full_clean()
    review.save()

    assert renders == ["[Boot](track:grid-album/1)"]
    assert "#track-1-1" in Review.objects.get(pk=review.pk).body_html


def test_a_body_changed_after_clean_is_rendered_as_saved(album, renders):
    review = ReviewFactory.build(film=FilmFactory(), body="[Boot](track:grid-album/1)")
    review.clean()
    review.body = "changed"
    review.save()

    assert Review.objects.get(pk=review.pk).body_html == "<p>changed</p>"


def test_the_admin_renders_a_saved_body_once(admin_client, album, renders):
    review = ReviewFactory(body="before")
    renders.clear()
    url = admin_url(Review, "change", review.pk)
    data = form_data(admin_client.get(url))
    data["body"] = "after [Derez](track:grid-album/2)"

    response = admin_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert renders == ["after [Derez](track:grid-album/2)"]
    assert "#track-1-2" in Review.objects.get(pk=review.pk).body_html


# The length cap ---------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_a_clear_error_on_the_body():
    review = ReviewFactory.build(film=None, status=Review.Status.DRAFT, body="a" * (MAX_LENGTH + 1))

    with pytest.raises(ValidationError) as error:
        review.clean()

    [problem] = error.value.error_dict["body"]
    assert problem.code == "body_too_long"
    assert "100,001 characters" in problem.messages[0]
    assert "at most 100,000" in problem.messages[0]


def test_a_body_at_the_cap_passes_clean(db):
    review = ReviewFactory.build(film=None, status=Review.Status.DRAFT, body="a" * MAX_LENGTH)

    review.clean()


def test_the_renderer_renders_only_up_to_the_cap():
    within = render_markdown("a" * MAX_LENGTH)
    beyond = render_markdown("a" * MAX_LENGTH + "b" * 10)

    assert not within.truncated
    assert beyond.truncated
    assert beyond.html == within.html


def test_the_admin_tells_editors_the_limit(admin_client, db):
    response = admin_client.get(admin_url(Review, "add"))

    assert "At most 100,000 characters." in response.content.decode()


def test_a_scheme_in_capitals_is_the_same_reference(album):
    # URL schemes are case-insensitive: "Track:" is no link to nowhere, it is a track link.
    review = ReviewFactory(body="[Boot](Track:grid-album/1) [R](TRACK:grid-album/2/3)")

    assert '<a href="/soundtracks/grid-album/#track-1-1">Boot</a>' in review.body_html
    assert '<a href="/soundtracks/grid-album/#track-2-3">R</a>' in review.body_html


def test_track_and_cue_references_are_looked_up_once_each_and_reported_in_body_order():
    calls = []

    def finder(kind):
        def find(references):
            calls.append((kind, set(references)))
            return {}

        return find

    body = "[a](cue:f/x) [b](track:x/1) [c](cue:f/1M05) [d](cue:) [e](track:x/1)"
    rendered = render_markdown(body, finder("tracks"), finder("cues"))

    assert calls == [
        ("tracks", {TrackReference("x", 1, 1)}),
        ("cues", {CueReference("f", "x"), CueReference("f", "1M05")}),
    ]
    assert rendered.unknown == ["cue:f/x", "track:x/1", "cue:f/1M05", "cue:", "track:x/1"]
    assert rendered.html == "<p>a b c d e</p>"
