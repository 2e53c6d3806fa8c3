"""Absolute URLs come from SITE_URL, never from the request's Host, and the cache ignores Host.

One request with another allowed Host once put that host into the canonical links of a page the
cache then served to everyone. Every page type is fetched here under many Host values: every
absolute URL it carries is on SITE_URL, the page is one cache entry, and a Host that is not
allowed is a 400 that the cache never answers or stores.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from reviews.models import Review
from reviews.preview import share_url
from reviews.tests.factories import ReviewFactory

SITE = "https://cuesheet.example"
REVIEW_URL = "/reviews/tron-ares-nine-inch-nails-score-review/"
PAGES = [
    "/",
    "/reviews/",
    REVIEW_URL,
    "/films/",
    "/films/tron-ares/",
    "/soundtracks/tron-ares-soundtrack/",
    "/people/trent-reznor/",
    "/people/nine-inch-nails/",
    "/franchises/tron/",
    "/tags/tron/",
    "/authors/cuesheet-staff/",
    "/search/",
    "/search/?q=tron",
    "/reviews/feed/",
    "/reviews/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
]
# What the site links to elsewhere, and the namespaces of its XML: not the site's own URLs.
ELSEWHERE = {
    "schema.org",
    "www.imdb.com",
    "www.themoviedb.org",
    "www.sitemaps.org",
    "www.w3.org",
    "purl.org",
}
ALLOWED = ["testserver", "127.0.0.1", "localhost", "[::1]", "alt.example"]
# Allowed hosts as clients write them: another port, another case, a trailing dot.
ALLOWED_VARIANTS = [
    "testserver",
    "127.0.0.1",
    "127.0.0.1:8000",
    "localhost",
    "LocalHost:8080",
    "[::1]",
    "[::1]:8000",
    "alt.example",
    "alt.example.",
]
DISALLOWED = [
    "evil.example",
    "evil.example:8000",
    "127.0.0.1.evil.example",
    "localhost.evil.example",
    "localhost@evil.example",
    "evil.example#@localhost",
    "evil.example/localhost",
    "alt.example.evil.example",
    "[::2]",
    "[::1",
    "local host",
    "localhost\x00",
    "évil.example",
    "a" * 300 + ".example",
]
ABSOLUTE = re.compile(r"""https?://[^\s"'<>)]+""")


@pytest.fixture(autouse=True)
def site(settings, db):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ALLOWED
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


def page_entries():
    """The pages the cache holds (the tests' cache is local memory)."""
    return [key for key in cache._cache if "pagecache:page:" in key]


def own_urls(content):
    """Every absolute URL in ``content`` that is not a link elsewhere or an XML namespace."""
    urls = ABSOLUTE.findall(content)
    return [url for url in urls if urlsplit(url).hostname not in ELSEWHERE]


@pytest.fixture
def tron(tron_with_images):
    """The demo publication, its pictures attached: every kind of page, Open Graph images."""


def fetch(path, host):
    response = Client().get(path, HTTP_HOST=host)
    assert response.status_code == 200, (path, host, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_every_absolute_url_is_on_the_site_url_whatever_the_host(path, tron):
    for host in ALLOWED_VARIANTS:
        cache.clear()  # rendered for this host, not replayed from the last one
        content = fetch(path, host)

        urls = own_urls(content)
        assert urls, f"{path} carries no absolute URL of its own"
        assert [url for url in urls if not url.startswith(f"{SITE}/")] == [], host
        if host.startswith("alt.example"):  # a name no page would carry but for the request
            assert "alt.example" not in content


def head_links(content):
    return dict(re.findall(r'<link rel="(canonical)" href="([^"]+)"', content)) | dict(
        re.findall(r'<meta property="(og:url|og:image)" content="([^"]+)"', content)
    )


def json_ld_urls(content):
    """Every URL-valued field of the page's JSON-LD blocks."""
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    found = []

    def walk(value, key=None):
        if isinstance(value, dict):
            for child_key, child in value.items():
                walk(child, child_key)
        elif isinstance(value, list):
            for child in value:
                walk(child, key)
        elif key in {"url", "item", "image", "target"} and isinstance(value, str):
            found.append(value)

    for block in blocks:
        walk(json.loads(block))
    return found


def test_review_page_canonical_open_graph_and_json_ld_are_on_the_site_url(tron):
    for host in ["localhost:8000", "alt.example", "[::1]"]:
        cache.clear()
        content = fetch(f"{REVIEW_URL}?utm_source=x", host)

        links = head_links(content)
        assert links["canonical"] == f"{SITE}{REVIEW_URL}"
        assert links["og:url"] == f"{SITE}{REVIEW_URL}"
        assert links["og:image"].startswith(f"{SITE}/media/")
        urls = json_ld_urls(content)
        assert f"{SITE}{REVIEW_URL}" in urls
        assert f"{SITE}/" in urls  # the breadcrumb trail starts at home
        assert all(url.startswith(f"{SITE}/") for url in urls), urls


def test_search_action_in_the_home_pages_json_ld_is_on_the_site_url(tron):
    urls = json_ld_urls(fetch("/", "alt.example"))

    assert f"{SITE}/search/?q={{query}}" in urls


@pytest.mark.parametrize("path", ["/reviews/feed/", "/reviews/feed/atom/"])
def test_feeds_link_the_site_and_their_items_on_the_site_url(path, tron):
    content = fetch(path, "alt.example")

    assert f"{SITE}{REVIEW_URL}" in content
    assert f"{SITE}/reviews/" in content
    assert f"{SITE}{path}" in content  # the feed's own address
    assert "alt.example" not in content


def test_sitemap_locations_are_on_the_site_url(tron):
    content = fetch("/sitemap.xml", "localhost:8000")

    locations = re.findall(r"<loc>([^<]+)</loc>", content)
    assert f"{SITE}{REVIEW_URL}" in locations
    assert f"{SITE}/" in locations
    assert len(locations) > 10
    assert all(location.startswith(f"{SITE}/") for location in locations)


def test_robots_txt_names_the_sitemap_on_the_site_url(tron):
    assert f"Sitemap: {SITE}/sitemap.xml" in fetch("/robots.txt", "alt.example")


def test_a_share_link_is_on_the_site_url(rf, tron):
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    review.status = Review.Status.DRAFT
    review.save()

    url = share_url(rf.get("/", HTTP_HOST="alt.example"), review, days=1)

    assert url.startswith(f"{SITE}{REVIEW_URL}?share=")
    response = Client().get(url.removeprefix(SITE), HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "X-Cache" not in response


@pytest.mark.parametrize("path", [REVIEW_URL, "/reviews/", "/reviews/feed/", "/sitemap.xml"])
def test_a_page_is_one_cache_entry_whatever_the_host(path, tron):
    responses = [Client().get(path, HTTP_HOST=host) for host in ALLOWED_VARIANTS]

    assert [response["X-Cache"] for response in responses] == ["miss"] + ["hit"] * (
        len(ALLOWED_VARIANTS) - 1
    )
    assert len({response.content for response in responses}) == 1
    assert len(page_entries()) == 1


@pytest.mark.parametrize("host", DISALLOWED)
def test_a_host_that_is_not_allowed_is_refused_and_never_cached(host):
    ReviewFactory(slug="tron-ares-nine-inch-nails-score-review", headline="Nine Inch Nails")
    refused = Client().get(REVIEW_URL, HTTP_HOST=host)
    assert refused.status_code == 400
    assert "X-Cache" not in refused
    assert page_entries() == []

    assert Client().get(REVIEW_URL)["X-Cache"] == "miss"
    warm = Client().get(REVIEW_URL, HTTP_HOST=host)
    assert warm.status_code == 400  # not answered from the cache either
    assert "X-Cache" not in warm
    assert b"Nine Inch Nails" not in warm.content
