"""Corrections and updates: dated notes on a published review, at the foot of its page, in its
feed entries (read with feedparser) and in its history; added only by those who may publish;
sanitised; purging the review's cached pages."""

import datetime

import feedparser
import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from editorial.revisions import versions_of
from editorial.tests.admin_forms import admin_url, datetime_fields, form_data, form_errors
from editorial.tests.factories import WriterFactory
from reviews.models import Correction, Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

PREFIX = "corrections"
WHEN = datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC)


@pytest.fixture
def review():
    with time_machine.travel(WHEN - datetime.timedelta(days=10), tick=False):
        return ReviewFactory(headline="Grid Lines", body="The album runs 22 tracks.")


def add_correction(data, note, kind="correction", when=WHEN):
    number = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data.update(
        {
            f"{PREFIX}-{number}-kind": kind,
            f"{PREFIX}-{number}-note": note,
            f"{PREFIX}-{number}-review": "",
            f"{PREFIX}-{number}-id": "",
            **datetime_fields(f"{PREFIX}-{number}-published_at", when),
        }
    )
    data[f"{PREFIX}-TOTAL_FORMS"] = str(number + 1)
    return data


def post_correction(client, review, note, **kwargs):
    url = admin_url(Review, "change", review.pk)
    return client.post(url, add_correction(form_data(client.get(url)), note, **kwargs))


def text_of(response):
    return " ".join(response.content.decode().split())


def read(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    feed = feedparser.parse(response.content, sanitize_html=False, resolve_relative_uris=False)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


# Readers ------------------------------------------------------------------------------------


def test_a_correction_shows_dated_at_the_foot_of_the_article(client, review):
    Correction.objects.create(review=review, note="It runs *24* tracks, not 22.", published_at=WHEN)
    page = text_of(client.get(review.get_absolute_url()))
    foot = page[page.index('<section class="corrections"') :]
    assert '<h2 id="corrections-title" class="section-title">Correction</h2>' in foot
    assert (
        '<strong>Correction, <time datetime="2026-12-03T10:00:00+00:00">3 Dec 2026</time>:'
        "</strong> It runs <em>24</em> tracks, not 22." in foot
    )
    # After the body, not above it.
    assert page.index("The album runs 22 tracks.") < page.index('<section class="corrections"')


def test_corrections_and_updates_are_listed_oldest_first(client, review):
    Correction.objects.create(review=review, kind="update", note="Now on vinyl.", published_at=WHEN)
    Correction.objects.create(
        review=review, note="It runs 24 tracks.", published_at=WHEN - datetime.timedelta(days=1)
    )
    page = text_of(client.get(review.get_absolute_url()))
    assert "Corrections and updates</h2>" in page
    assert page.index("Correction, <time") < page.index("Update, <time")
    assert "2 Dec 2026" in page


def test_a_hostile_note_reaches_the_page_as_text(client, review):
    Correction.objects.create(
        review=review,
        note='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">',
    )
    page = client.get(review.get_absolute_url()).content.decode()
    foot = page[page.index('<section class="corrections"') :]
    assert "<script>alert" not in foot
    assert "&lt;script&gt;" in foot
    assert 'href="javascript' not in foot
    assert "<img" not in foot


def test_the_feed_entry_carries_the_correction_and_is_updated(client, review):
    before = read(client, "/reviews/feed/atom/").entries[0].updated_parsed
    later = WHEN + datetime.timedelta(days=1)
    Correction.objects.create(review=review, note="It runs *24* tracks.", published_at=later)

    for path in ("/reviews/feed/", "/reviews/feed/atom/"):
        (entry,) = read(client, path).entries
        content = entry.content[0].value
        assert content.index("The album runs 22 tracks.") < content.index("Correction, 4 Dec")
        assert "<strong>Correction, 4 Dec 2026:</strong> It runs <em>24</em> tracks." in content
    # Atom says when the entry changed: the correction's date, after the review's last save.
    (entry,) = read(client, "/reviews/feed/atom/").entries
    assert entry.updated_parsed > before
    assert tuple(entry.updated_parsed)[:6] == later.utctimetuple()[:6]


def test_a_film_feed_carries_the_correction_too(client, review):
    Correction.objects.create(review=review, note="It runs 24 tracks.")
    (entry,) = read(client, f"{review.film.get_absolute_url()}feed/").entries
    assert "It runs 24 tracks." in entry.content[0].value


def test_a_correction_purges_the_cached_page_and_feed(client, review, settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    settings.FRAGMENT_CACHE_TIMEOUT = 600
    cache.clear()
    try:
        assert "corrections-title" not in text_of(client.get(review.get_absolute_url()))
        assert "Correction," not in text_of(client.get("/reviews/feed/"))
        note = Correction.objects.create(review=review, note="It runs 24 tracks.")
        assert "It runs 24 tracks." in text_of(client.get(review.get_absolute_url()))
        assert "It runs 24 tracks." in text_of(client.get("/reviews/feed/"))
        note.note = "It runs 25 tracks."
        note.save()
        assert "It runs 25 tracks." in text_of(client.get(review.get_absolute_url()))
        note.delete()
        assert "It runs 25 tracks." not in text_of(client.get(review.get_absolute_url()))
    finally:
        cache.clear()


# Editors ------------------------------------------------------------------------------------


def test_an_editor_adds_a_correction_to_a_published_review(editor_client, editor, review):
    response = post_correction(editor_client, review, "It runs 24 tracks, not 22.")
    assert response.status_code == 302, form_errors(response)
    note = review.corrections.get()
    assert (note.kind, note.note, note.published_at) == ("correction", note.note, WHEN)
    assert note.created_by == editor
    # The review's history keeps it, in the revision of that save.
    revision = versions_of(review).last().revision
    assert "Correction, 03 Dec 2026" in [v.object_repr for v in revision.version_set.all()]


def test_a_correction_dated_in_the_future_is_refused(editor_client, review):
    response = post_correction(
        editor_client, review, "Soon.", when=timezone.now() + datetime.timedelta(days=2)
    )
    assert response.status_code == 200
    assert "not in the future" in str(form_errors(response))
    assert not review.corrections.exists()


@pytest.mark.parametrize("note", ["", "   ", "x" * 100_000])
def test_an_empty_or_huge_note_is_a_form_error(editor_client, review, note):
    response = post_correction(editor_client, review, note)
    assert response.status_code == 200
    assert form_errors(response)[-1], "the correction row carries an error"
    assert not review.corrections.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "retraction"), ("kind", "x" * 10_000), ("published_at_0", "2026-13-45")],
)
def test_a_malformed_row_is_a_form_error(editor_client, review, field, value):
    url = admin_url(Review, "change", review.pk)
    data = add_correction(form_data(editor_client.get(url)), "A note.")
    data[f"{PREFIX}-0-{field}"] = value
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert not review.corrections.exists()


def test_a_draft_has_no_corrections_to_add(editor_client):
    draft = ReviewFactory(status=Review.Status.DRAFT, publish_at=None)
    page = editor_client.get(admin_url(Review, "change", draft.pk))
    assert f"{PREFIX}-TOTAL_FORMS" not in page.content.decode()
    # Posted anyway: not saved.
    data = add_correction(
        {**form_data(page), f"{PREFIX}-TOTAL_FORMS": "0", f"{PREFIX}-INITIAL_FORMS": "0"},
        "Sneaked in.",
    )
    editor_client.post(admin_url(Review, "change", draft.pk), data)
    assert not Correction.objects.exists()


def test_a_writer_cannot_add_a_correction(client, review):
    writer = WriterFactory()
    mine = ReviewFactory(created_by=writer, status=Review.Status.IN_REVIEW, publish_at=None)
    # Gone live once and sent back: the writer may edit it again, but not correct it.
    Review.objects.filter(pk=mine.pk).update(first_published_at=WHEN)
    client.force_login(writer)
    url = admin_url(Review, "change", mine.pk)
    data = form_data(client.get(url))
    # They see the corrections (none yet), and may add none.
    assert str(data[f"{PREFIX}-MAX_NUM_FORMS"]) == "0"
    client.post(url, add_correction(data, "Sneaked in."))
    assert not Correction.objects.exists()


def test_the_corrections_foot_adds_no_query_per_correction(
    client, review, django_assert_num_queries
):
    Correction.objects.create(review=review, note="One.")
    with django_assert_num_queries(11) as one:  # tests/test_views.py: the page's own pin
        client.get(review.get_absolute_url())
    for number in range(10):
        Correction.objects.create(review=review, note=f"More {number}.")
    with django_assert_num_queries(len(one.captured_queries)):
        page = text_of(client.get(review.get_absolute_url()))
    assert "More 9." in page
