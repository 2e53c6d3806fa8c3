"""After a save, the editor is told what the body's renderer leaves out; the body stays as typed."""

import pytest
from django.contrib.messages import get_messages

from editorial.tests.admin_forms import post_change
from reviews.models import Review
from reviews.sanitising import MAX_NAMED, removed_markup
from reviews.tests.factories import ReviewFactory


def test_each_tag_attribute_and_scheme_left_out_is_named_once():
    body = (
        "Intro <script>alert(1)</script> and <b onclick='x()'>bold</b>, <b>again</b>.\n\n"
        "<div>A block</div>\n\n<!-- a note -->\n\n[bad](javascript:alert(1)) "
        "[fine](https://example.com) [Init](track:tron-ares-soundtrack/1) [c](cue:tron-ares/1M1)"
    )
    assert removed_markup(body) == [
        "The script tag was removed.",
        "The b tag was removed.",
        "The div tag was removed.",
        "An HTML comment was removed.",
        "The onclick attribute was removed.",
        "A javascript: link lost its address.",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "",
        None,
        "Plain words, *emphasis* and a [link](https://example.com).",
        "Code is shown as code: `<script>` and\n\n    <em>indented</em>\n",
        "A < b and c > d, 3 << 4.",
        "[relative](/films/tron/) and [anchor](#top)",
    ],
)
def test_nothing_is_reported_when_nothing_is_left_out(body):
    assert removed_markup(body) == []


def test_a_pasted_page_is_summed_up_not_listed():
    body = " ".join(f"<t{n}>" for n in range(50))
    sentences = removed_markup(body)
    assert len(sentences) == MAX_NAMED + 1
    assert sentences[-1] == f"And {50 - MAX_NAMED} more."


def test_a_huge_hostile_body_is_answered():
    # Within the longest body that is rendered; past it, nothing is rendered, or reported.
    found = removed_markup("<" * 50_000 + "<script>" * 6_000)
    assert found == ["The script tag was removed."]


@pytest.mark.django_db
def test_saving_a_body_with_html_warns_and_keeps_the_text_as_typed(editor_client):
    review = ReviewFactory()
    body = "Before <script>alert('x')</script> after, <span onclick=\"steal()\">click</span>."
    response = post_change(editor_client, review, body=body)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.body == body
    warnings = [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    text = str(warnings[0])
    assert "The script tag was removed." in text
    assert "The span tag was removed." in text
    assert "The onclick attribute was removed." in text
    assert "<script>" not in Review.objects.get(pk=review.pk).body_html


@pytest.mark.django_db
def test_a_clean_body_or_an_unchanged_one_brings_no_warning(editor_client):
    review = ReviewFactory(body="Old <b>bold</b>.")
    for changes in ({"headline": "A new headline"}, {"body": "Plain **Markdown**."}):
        response = post_change(editor_client, review, **changes)
        assert response.status_code == 302
        assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
        review.refresh_from_db()
