"""Fragments rendered once per content version (pagemeta.fragments): the same bytes from the
cache as rendered, fresh after any change to what they show, never a preview's."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from films.models import Credit
from films.tests.factories import CreditFactory, PersonFactory
from pagemeta import fragments
from reviews.models import Review
from reviews.tests.factories import ReviewFactory, TagFactory
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.FRAGMENT_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.fixture
def review():
    review = ReviewFactory(headline="Grid Lines")
    CreditFactory(film=review.film, role=Credit.Role.DIRECTOR, person=PersonFactory(name="Ana"))
    review.tags.add(TagFactory(name="Synths"))
    return review


def test_a_page_from_its_fragments_is_the_page_rendered(client, review, django_assert_num_queries):
    first = get(client, review.get_absolute_url())
    # The review alone: its byline, infobox, albums, tags, related reviews and JSON-LD come
    # from the fragments (8 queries rendered).
    with django_assert_num_queries(1):
        second = get(client, review.get_absolute_url())
    assert second.content == first.content
    # The page still names everything it shows, for the front cache.
    assert second["xkey"] == first["xkey"]
    assert f"film:{review.film.pk}" in second["xkey"].split()


def test_a_change_to_what_a_fragment_shows_is_seen_at_once(client, review):
    get(client, review.get_absolute_url())
    director = review.film.credits.get(role=Credit.Role.DIRECTOR).person
    director.name = "Ana Renamed"
    director.save()
    review.tags.add(TagFactory(name="Strings"))

    page = get(client, review.get_absolute_url()).text
    assert "Ana Renamed" in page
    assert "Strings" in page


def test_an_unrelated_change_keeps_the_fragments(client, review, django_assert_num_queries):
    get(client, review.get_absolute_url())
    PersonFactory(name="Someone Else").save()
    # The review, and the schedule of reviews going live, read again after any change.
    with django_assert_num_queries(2):
        get(client, review.get_absolute_url())


def test_a_scheduled_related_review_appears_when_its_time_passes(client, review):
    publish_at = timezone.now() + datetime.timedelta(hours=1)
    ReviewFactory(headline="Scheduled Sibling", film=review.film, publish_at=publish_at)
    assert "Scheduled Sibling" not in get(client, review.get_absolute_url()).text

    with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
        assert "Scheduled Sibling" in get(client, review.get_absolute_url()).text


def test_a_preview_is_never_stored(editor_client):
    draft = ReviewFactory(headline="Secret Draft", status=Review.Status.DRAFT, publish_at=None)
    assert "Secret Draft" in get(editor_client, draft.get_absolute_url()).text
    for part in ("head", "aside", "related", "json-ld"):
        assert cache.get(f"{fragments.PREFIX}review-{part}:{draft.pk}") is None
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_off_renders_every_time(client, review, settings, django_assert_num_queries):
    settings.FRAGMENT_CACHE_TIMEOUT = 0
    first = get(client, review.get_absolute_url())
    # The review's album ratings, badges and corrections are three of them.
    with django_assert_num_queries(11):
        second = get(client, review.get_absolute_url())
    assert second.content == first.content


@pytest.fixture
def album(review):
    album = SoundtrackFactory(film=review.film)
    TrackFactory(soundtrack=album, title="Opening")
    review.soundtracks.add(album)
    return album


@pytest.mark.parametrize("page", ["film", "album", "person"])
def test_catalogue_pages_from_their_fragments_are_the_pages_rendered(client, review, album, page):
    url = {
        "film": review.film.get_absolute_url(),
        "album": album.get_absolute_url(),
        "person": review.film.credits.get().person.get_absolute_url(),
    }[page]
    with CaptureQueriesContext(connection) as rendered:
        first = get(client, url)
    with CaptureQueriesContext(connection) as served:
        second = get(client, url)
    assert second.content == first.content
    assert second["xkey"] == first["xkey"]
    # The page's own row (and an album's running time) alone: the rest is in the fragments.
    assert len(served) == 1 < len(rendered)


def test_a_track_renamed_is_seen_on_the_album_and_a_review_on_the_film(client, review, album):
    get(client, album.get_absolute_url())
    get(client, review.film.get_absolute_url())
    track = album.tracks.get()
    track.title = "Overture"
    track.save()
    ReviewFactory(headline="Second Opinion", film=review.film)

    assert "Overture" in get(client, album.get_absolute_url()).text
    assert "Second Opinion" in get(client, review.film.get_absolute_url()).text
