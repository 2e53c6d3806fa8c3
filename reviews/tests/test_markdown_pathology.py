"""Hostile review bodies: each renders, sanitised, in bounded time; none answers 500 in the admin.

The ``markdown`` package once took 30 seconds over 12,000 ``[`` and minutes over 20,000: a
writer could stall every worker with one save. Each input here is the class of such a body
at the length cap (``reviews.markdown.MAX_LENGTH``), the worst a form lets through. The
timeouts only guard against a hang; how long rendering takes is measured in bench/markdown.py.
"""

import random

import pytest

import reviews.models
from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.factories import EditorFactory
from reviews.markdown import MAX_LENGTH, render_markdown
from reviews.models import Review
from reviews.tests.test_markdown import assert_inert


def repeated(unit, size=MAX_LENGTH):
    return (unit * (size // len(unit) + 1))[:size]


def nested(line, size=MAX_LENGTH):
    lines, depth = [], 0
    while sum(map(len, lines)) < size:
        lines.append(line(depth))
        depth += 1
    return "".join(lines)[:size]


def random_bytes(seed, size=MAX_LENGTH):
    """What a browser sends for arbitrary bytes: UTF-8, undecodable bytes replaced."""
    data = random.Random(seed).randbytes(2 * size)
    return data.decode("utf-8", "replace")[:size]


def random_markdown(seed, size=MAX_LENGTH):
    """Markdown's own punctuation, shuffled: the characters every rule stops at."""
    alphabet = "[]()!*_`~<>&#;:/\\\"'-+=|.1a \n\n\t"
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(size))


HOSTILE_BODIES = {
    "[ × N": repeated("["),
    "] × N": repeated("]"),
    "[a]( × N": repeated("[a]("),
    "[]( × N": repeated("[]("),
    "![ × N": repeated("!["),
    "[a] × N then its definition": repeated("[a]", MAX_LENGTH - 18) + "\n\n[a]: https://x.y",
    "link definitions × N": repeated("[a]: <b\n"),
    "> × N": repeated(">"),
    "<div> × N": repeated("<div>"),
    "<a × N": repeated("<a "),
    "< × N": repeated("<"),
    "<script> × N": repeated("<script>"),
    "<!-- × N": repeated("<!--"),
    "raw html block of scripts and comments": "<div>\n"
    + repeated("<script>x</script><!--c-->y", MAX_LENGTH - 6),
    "<ul><li> × N": repeated("<ul><li>"),
    "* × N": repeated("*"),
    "_ × N": repeated("_"),
    "` × N": repeated("`"),
    "~ × N": repeated("~"),
    "*a × N": repeated("*a"),
    "**a_ × N": repeated("**a_"),
    "` a × N": repeated("` a"),
    "\\ × N": repeated("\\"),
    "&# × N": repeated("&#"),
    "&#x × N": repeated("&#x"),
    "&#1234567; × N": repeated("&#1234567;"),
    "nested lists N deep": nested(lambda depth: "  " * depth + "- x\n"),
    "nested ordered lists N deep": nested(lambda depth: "   " * depth + "1. x\n"),
    "nested blockquotes N deep": nested(lambda depth: ">" * (depth + 1) + " x\n"),
    "blockquoted lists N deep": repeated("> - "),
    "one long line": repeated("word"),
    "one long word": "a" * MAX_LENGTH,
    "short lines": repeated("a\n"),
    "blank lines": "\n" * MAX_LENGTH,
    "headings": repeated("# h\n"),
    "fences": repeated("```\n"),
    "NUL": repeated("\x00"),
    "NUL between markup": repeated("[\x00*\x00"),
    "bidi overrides and zero widths": repeated("\u202e\u200b\u200d\ufeff"),
    "combining marks": "a" + "\u0301" * (MAX_LENGTH - 1),
    "astral characters": repeated("🎹𝄞"),
    "lone surrogate": repeated("\ud800["),
    "random bytes (seed 9)": random_bytes(9),
    "random bytes (seed 2026)": random_bytes(2026),
    "random markdown (seed 9)": random_markdown(9),
    "random markdown (seed 2026)": random_markdown(2026),
}


def test_every_hostile_body_is_at_the_cap():
    assert {len(body) for body in HOSTILE_BODIES.values()} == {MAX_LENGTH}


def assert_sanitised(rendered):
    assert_inert(rendered.html)
    assert not rendered.truncated
    assert "\x00" not in rendered.html


# A browser cannot send a lone surrogate (it is not UTF-8); everything else a form can carry.
FORM_BODIES = {name: body for name, body in HOSTILE_BODIES.items() if name != "lone surrogate"}
ONLY_FROM_CODE = {name: body for name, body in HOSTILE_BODIES.items() if name not in FORM_BODIES}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("body", ONLY_FROM_CODE.values(), ids=ONLY_FROM_CODE.keys())
def test_a_hostile_body_renders_sanitised(body):
    """The bodies a form carries are rendered, and checked the same way, in the admin's test."""
    assert_sanitised(render_markdown(body, find_tracks=lambda references: {}))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unit", ["[", "[a](", "![", ">", "<div>"])
def test_a_body_far_over_the_cap_is_rendered_only_up_to_it(unit):
    rendered = render_markdown(repeated(unit, 5 * MAX_LENGTH))

    assert rendered.truncated
    assert_inert(rendered.html)


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def review_form(client, body):
    data = form_data(client.get(admin_url(Review, "add")))
    data.update({"headline": "Hostile", "slug": "hostile", "status": "draft", "body": body})
    return data


@pytest.mark.django_db
@pytest.mark.timeout(120)
@pytest.mark.parametrize("body", FORM_BODIES.values(), ids=FORM_BODIES.keys())
def test_a_hostile_body_renders_sanitised_and_the_admin_saves_it_or_says_why(
    editor_client, monkeypatch, body
):
    """Rendering the body at the cap takes seconds, so the admin's own rendering of it (the
    one ``clean()`` and ``save()`` share) is the one checked, when the admin rendered the body
    as sent; the form strips the ends of what it is sent and refuses NUL before rendering,
    and those bodies are rendered here as they are."""
    renderings = {}

    def kept(text, *args, **kwargs):
        rendered = renderings[text] = render_markdown(text, *args, **kwargs)
        return rendered

    monkeypatch.setattr(reviews.models, "render_markdown", kept)
    response = editor_client.post(admin_url(Review, "add"), review_form(editor_client, body))
    monkeypatch.undo()

    saved_html = None
    if response.status_code == 200:
        # Only the body can be wrong; NUL is refused by every Django text field.
        errors = response.context["adminform"].form.errors
        assert set(errors) == {"body"}, errors
        assert not Review.objects.filter(slug="hostile").exists()
    else:
        assert response.status_code == 302, form_errors(response)
        saved_html = Review.objects.get(slug="hostile").body_html
        assert_inert(saved_html)
    rendered = renderings.get(body) or render_markdown(body, find_tracks=lambda references: {})
    if rendered.html == saved_html:
        # What was saved is this rendering, already found inert above: the rest of the check.
        assert not rendered.truncated
        assert "\x00" not in rendered.html
    else:
        assert_sanitised(rendered)


@pytest.mark.django_db
@pytest.mark.timeout(120)
@pytest.mark.parametrize("extra", [1, 250_000])
def test_a_body_over_the_cap_in_the_admin_is_an_error_on_the_body(editor_client, extra):
    body = "[" * (MAX_LENGTH + extra)

    response = editor_client.post(admin_url(Review, "add"), review_form(editor_client, body))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["body"]
    assert error.code == "body_too_long"
    assert not Review.objects.filter(slug="hostile").exists()
