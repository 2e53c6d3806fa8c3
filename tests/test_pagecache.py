"""The public page cache: hits for anonymous readers, fresh after every kind of change."""

import datetime
import random
import secrets
import time

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from pagecache import versions
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


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


# The key: the path and the parameters the page reads, nothing else (middleware.page_query).


def page_entries():
    """The pages the cache holds (the tests' cache is local memory)."""
    return [key for key in cache._cache if "pagecache:page:" in key]


TRACKING = ["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "msclkid", "ref"]
# Query strings a page does not read: tracking, typos, junk and hostile encodings. The values are
# random but seeded: every xdist worker must collect the same test ids.
_VALUES = random.Random(2026)
UNREAD_QUERIES = [
    *(f"{name}={_VALUES.randbytes(8).hex()}" for name in TRACKING),
    "mc_cid=abc&mc_eid=def",
    "utm_source=a&utm_source=b&utm_source=c",
    "",
    "&&&",
    "=",
    "==&=x",
    "x",
    "utm%5Fsource=percent-encoded",
    "%E2%9C%93=%E2%9C%93",
    "%00=%00",
    "nul=%00",
    "bad=%ZZ%",
    "%FF%FE=%C3%28",
    "a[b][c][d][e]=nested",
    "x=" + "y" * 20_000,
    "&".join(f"k{n}=v" for n in range(500)),
    "share=",
    "page=",
    "q=tron",
]


@pytest.mark.parametrize("query", UNREAD_QUERIES)
def test_a_review_is_one_entry_whatever_it_is_not_asked_for(client, query):
    review = ReviewFactory(headline="One Entry")
    clean = get(client, review.get_absolute_url())
    assert clean["X-Cache"] == "miss"

    response = get(client, f"{review.get_absolute_url()}?{query}")

    assert response["X-Cache"] == "hit"
    assert response.content == clean.content
    assert len(page_entries()) == 1


def test_random_tracking_parameters_fill_no_cache(client):
    ReviewFactory()
    for _ in range(50):
        response = get(client, f"/reviews/?utm_source={secrets.token_urlsafe(12)}")
        assert "X-Cache" in response
    assert len(page_entries()) == 1


def test_the_page_is_rendered_without_what_it_does_not_read(client):
    for _ in range(21):
        ReviewFactory()
    response = get(client, "/reviews/?page=2&utm_source=poison&fbclid=x%22%3E")

    assert response["X-Cache"] == "miss"
    assert "poison" not in response.text
    assert "fbclid" not in response.text
    assert 'href="?page=1"' in response.text  # the pagination link, without the tracking
    # The clean URL is that entry.
    assert get(client, "/reviews/?page=2")["X-Cache"] == "hit"


def test_unread_parameters_are_gone_whether_the_cache_is_on_or_not(client, settings):
    settings.PAGE_CACHE_TIMEOUT = 0
    for _ in range(21):
        ReviewFactory()
    response = get(client, "/reviews/?page=2&utm_source=poison")

    assert "poison" not in response.text
    assert "X-Cache" not in response


def test_each_page_of_a_list_is_its_own_entry(client):
    for _ in range(21):
        ReviewFactory()
    assert get(client, "/reviews/")["X-Cache"] == "miss"
    assert get(client, "/reviews/?page=2")["X-Cache"] == "miss"
    assert get(client, "/reviews/?page=2&page=2&utm_source=x")["X-Cache"] == "hit"
    assert get(client, "/reviews/?page=")["X-Cache"] == "hit"  # empty: the first page
    assert len(page_entries()) == 2


#: Page numbers that are none: each would be a page cache entry of its own if stored.
NOT_PAGE_NUMBERS = [
    "abc",
    "0",
    "-1",
    "+2",
    "02",
    "1.0",
    "2.0",
    "1e0",
    " 2",
    "2 ",
    "\uff12",  # a full-width 2: int() takes it
    "%00",
    "2%00",
    "999999",
    "9" * 10,
    "9" * 5000,
    "last",
]


def test_a_page_number_that_is_not_one_is_never_stored(client):
    for _ in range(21):  # two pages of the archive
        ReviewFactory()
    for value in NOT_PAGE_NUMBERS:  # one archive for all: each is asked twice, then checked
        for _ in range(2):
            response = client.get(f"/reviews/?page={value}")
            assert response.status_code in (200, 404), value
            assert "X-Cache" not in response, value
        assert page_entries() == [], value


def test_search_results_are_never_stored_but_the_empty_search_page_is(client):
    ReviewFactory(headline="Derezzed")
    for query in ["derezzed", secrets.token_hex(6), "q" * 300, "%00", "derezzed&kind=reviews"]:
        for _ in range(2):
            response = get(client, f"/search/?q={query}")
            assert "X-Cache" not in response
    assert page_entries() == []

    assert get(client, "/search/")["X-Cache"] == "miss"
    assert get(client, "/search/?q=&utm_source=x")["X-Cache"] == "hit"
    assert get(client, "/search/?kind=&page=")["X-Cache"] == "hit"
    assert len(page_entries()) == 1


def test_a_share_parameter_is_rendered_for_and_never_stored(client):
    review = ReviewFactory(headline="Shared Anyway")
    for token in ["garbage", secrets.token_urlsafe(40), "%00", "x" * 5000]:
        response = get(client, f"{review.get_absolute_url()}?share={token}")
        assert "Shared Anyway" in response.text
        assert "X-Cache" not in response
    assert page_entries() == []


def test_head_and_get_share_one_entry(client):
    review = ReviewFactory()
    head = client.head(f"{review.get_absolute_url()}?utm_source=x")
    assert head.status_code == 200
    assert head["X-Cache"] == "miss"

    response = get(client, review.get_absolute_url())
    assert response["X-Cache"] == "hit"
    assert b"</html>" in response.content  # the whole page, not HEAD's empty body
    assert client.head(review.get_absolute_url())["X-Cache"] == "hit"
    assert len(page_entries()) == 1


def test_too_many_parameters_are_a_bad_request_not_an_error(client):
    ReviewFactory()
    response = client.get("/reviews/?" + "&".join(f"k{n}=v" for n in range(1500)))

    assert response.status_code == 400
    assert page_entries() == []


@pytest.mark.parametrize(
    "path",
    [
        "/reviews/%00/",
        "/reviews/nope/",
        "/reviews/../admin/",
        "/%2Freviews/",
        "/reviews//",
        "/reviews/a%2Fb/",
        "/REVIEWS/",
        "/reviews/" + "a" * 5000 + "/",
        "/reviews/%E2%9C%93/",
        "/reviews/%FF/",
        "/reviews",
        "/films/tron-ares/music/../../",
        "/sitemap.xml/",
    ],
)
def test_odd_paths_are_answered_without_an_error_and_never_stored(client, path):
    ReviewFactory()
    for _ in range(2):
        response = client.get(path)
        assert response.status_code in (200, 301, 302, 400, 404), path
        assert response.get("X-Cache") != "hit"
    assert page_entries() == []


def test_a_sitemap_page_that_does_not_exist_is_not_stored(client):
    ReviewFactory()
    assert client.get("/sitemap.xml?p=2").status_code == 404
    assert client.get("/sitemap.xml?p=abc").status_code == 404
    assert page_entries() == []
    assert get(client, "/sitemap.xml?p=1")["X-Cache"] == "miss"


# Class 3 inside one process: the keys are purged again when the withdrawal commits.


@pytest.mark.django_db(transaction=True)
def test_a_page_stored_while_a_withdrawal_commits_is_never_served(client):
    review = ReviewFactory(headline="Withdrawn Later")
    assert get(client, review.get_absolute_url())["X-Cache"] == "miss"
    (key,) = (entry.split(":", 2)[2] for entry in page_entries())

    with transaction.atomic():  # as the admin saves
        review.status = Review.Status.WITHDRAWN
        review.save()
        # A reader in another process reads the versions purged by the save, then the rows,
        # which the uncommitted withdrawal does not show it yet: it stores the old page under
        # the new versions.
        stored_versions, old_page = cache.get(key)
        current = versions.versions_of(list(stored_versions), time.time_ns())
        cache.set(key, (current, old_page))
        assert "Withdrawn Later" in get(client, review.get_absolute_url()).text  # the hazard

    assert client.get(review.get_absolute_url()).status_code == 404


def test_a_run_of_saves_queues_one_commit_bump(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(20):
            ReviewFactory()
    assert len(callbacks) == 1
