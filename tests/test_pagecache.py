"""The public page cache: hits for anonymous readers, fresh after every kind of change."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from reviews.models import Review
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_second_request_is_served_from_the_cache(client, django_assert_num_queries):
    review = ReviewFactory(headline="Grid Lines")
    first = get(client, review.get_absolute_url())
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get(client, review.get_absolute_url())
    assert second["X-Cache"] == "hit"
    assert second.content == first.content


def test_a_hit_replays_the_headers_of_the_middleware_it_skips(client):
    review = ReviewFactory()
    first = get(client, review.get_absolute_url())
    second = get(client, review.get_absolute_url())
    assert second["X-Cache"] == "hit"
    for header in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert second[header] == first[header], header


def test_cached_pages_carry_validators_for_proxies(client):
    review = ReviewFactory()
    response = get(client, review.get_absolute_url())
    assert response["ETag"]
    assert response["Last-Modified"]
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    not_modified = client.get(review.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304


def test_page_is_fresh_immediately_after_an_edit(client):
    review = ReviewFactory(headline="Before the edit")
    assert "Before the edit" in get(client, review.get_absolute_url()).text
    review.headline = "After the edit"
    review.save()
    response = get(client, review.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert "After the edit" in response.text


def test_archive_is_fresh_after_a_publish_and_a_withdraw(client):
    review = ReviewFactory(headline="Derezzed Again", status=Review.Status.DRAFT, publish_at=None)
    assert "Derezzed Again" not in get(client, "/reviews/").text

    review.status = Review.Status.PUBLISHED
    review.save()
    assert "Derezzed Again" in get(client, "/reviews/").text

    review.status = Review.Status.WITHDRAWN
    review.save()
    assert "Derezzed Again" not in get(client, "/reviews/").text
    assert client.get(review.get_absolute_url()).status_code == 404


def test_a_scheduled_review_appears_when_its_time_passes(client):
    publish_at = timezone.now() + datetime.timedelta(hours=1)
    ReviewFactory(headline="Scheduled Sailer", publish_at=publish_at)
    assert "Scheduled Sailer" not in get(client, "/reviews/").text
    assert "Scheduled Sailer" not in get(client, "/reviews/").text  # cached, still hidden

    with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
        response = get(client, "/reviews/")
    assert response["X-Cache"] == "miss"
    assert "Scheduled Sailer" in response.text


def test_staff_responses_are_never_cached(editor_client):
    review = ReviewFactory()
    for _ in range(2):
        response = get(editor_client, review.get_absolute_url())
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]


def test_admin_is_never_cached(editor_client):
    response = editor_client.get("/admin/")
    assert "X-Cache" not in response
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert "X-Cache" not in Client().get("/admin/login/")


def test_a_draft_never_enters_the_cache(editor_client):
    draft = ReviewFactory(headline="Secret Draft", status=Review.Status.DRAFT, publish_at=None)
    assert "Secret Draft" in get(editor_client, draft.get_absolute_url()).text  # the preview
    editor_client.get("/reviews/")
    client = Client()  # a reader, not the editor's logged-in client
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret Draft" not in get(client, "/reviews/").text


def test_a_shared_draft_is_shown_but_never_cached(rf):
    from reviews.preview import share_url

    draft = ReviewFactory(headline="Shared Draft", status=Review.Status.DRAFT, publish_at=None)
    url = share_url(rf.get("/"), draft, days=1)
    reader = Client()
    for _ in range(2):
        response = get(reader, url)
        assert "Shared Draft" in response.text
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"]
    assert reader.get(draft.get_absolute_url()).status_code == 404
