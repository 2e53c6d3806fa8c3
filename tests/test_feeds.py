"""The review feeds, read by feedparser as a feed reader reads them: the site's, and those of a
film, a person or group and a tag, in RSS and Atom; full text, absolute links, only what is
published, fixed query counts, and the pages that announce them."""

import datetime
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import feedparser
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from films.tests.factories import CreditFactory, FilmFactory, PersonFactory
from reviews.feeds import FEED_LENGTH, absolute_links
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory
from soundtracks.tests.factories import SoundtrackFactory

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
EDITIONS = [("", RSS), ("atom/", ATOM)]


def read(client, path, content_type=None):
    """The feed at ``path``, parsed as it was sent: feedparser's own sanitising and resolving of
    relative links off, so that what it reads is what the site wrote."""
    response = client.get(path)
    assert response.status_code == 200, path
    if content_type:
        assert response["Content-Type"] == content_type, path
    feed = feedparser.parse(response.content, sanitize_html=False, resolve_relative_uris=False)
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def links(feed):
    return {entry.link for entry in feed.entries}


def url(review):
    return f"{SITE}{review.get_absolute_url()}"


def hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


@pytest.fixture
def catalogue():
    """Two films, each with a review; a composer credited on the first, a group with the
    second's album, a member of that group; a tag on the first review only."""
    composer = PersonFactory(name="Trent Reznor", slug="trent-reznor")
    group = PersonFactory(name="Nine Inch Nails", slug="nine-inch-nails", is_group=True)
    group.members.add(composer)
    ares, legacy = FilmFactory(slug="ares"), FilmFactory(slug="legacy")
    CreditFactory(film=ares, person=composer, role="composer")
    album = SoundtrackFactory(film=legacy)
    album.artists.add(group)
    tag = TagFactory(slug="industrial")
    of_ares = ReviewFactory(film=ares, headline="Ares reviewed")
    of_ares.tags.add(tag)
    of_legacy = ReviewFactory(film=legacy, headline="Legacy reviewed")
    of_legacy.soundtracks.add(album)
    return {
        "composer": composer,
        "group": group,
        "ares": ares,
        "legacy": legacy,
        "tag": tag,
        "of_ares": of_ares,
        "of_legacy": of_legacy,
    }


def every_feed(catalogue):
    """Every feed's path in both editions, and the reviews it should hold."""
    c = catalogue
    both = {c["of_ares"], c["of_legacy"]}
    feeds = {
        "/reviews/feed/": both,
        "/films/ares/feed/": {c["of_ares"]},
        "/films/legacy/feed/": {c["of_legacy"]},
        # The composer through the film's credit and, through the group, the album's artist.
        "/people/trent-reznor/feed/": both,
        "/people/nine-inch-nails/feed/": {c["of_legacy"]},
        "/tags/industrial/feed/": {c["of_ares"]},
    }
    return {
        f"{path}{edition}": (reviews, content_type)
        for path, reviews in feeds.items()
        for edition, content_type in EDITIONS
    }


def test_every_feed_parses_and_holds_exactly_its_reviews(client, catalogue):
    for path, (reviews, content_type) in every_feed(catalogue).items():
        feed = read(client, path, content_type)
        assert links(feed) == {url(review) for review in reviews}, path
        assert feed.feed.title.startswith(f"{settings.SITE_NAME}: "), path
        # The feed's own address and its page's, on the site's address.
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == [f"{SITE}{path}"], path
        assert feed.feed.link.startswith(f"{SITE}/"), path


def test_each_item_carries_its_whole_body_and_its_standfirst(client, catalogue):
    review = catalogue["of_ares"]
    for path in ["/reviews/feed/", "/reviews/feed/atom/", "/films/ares/feed/"]:
        (entry,) = [e for e in read(client, path).entries if e.link == url(review)]
        assert entry.title == review.headline
        assert entry.summary == review.dek
        (content,) = entry.content
        assert content.type == "text/html"
        assert content.value == review.body_html
        assert "<h2>A subhead</h2>" in content.value
        assert entry.author == ", ".join(a.name for a in review.authors.all())


def test_the_body_is_in_the_elements_readers_look_for(client, catalogue):
    """RSS: the content module's ``content:encoded``, its namespace declared; Atom: ``content``
    of type html. Read with the standard library's XML parser, apart from feedparser."""
    review = catalogue["of_ares"]
    rss = ElementTree.fromstring(client.get("/films/ares/feed/").content)
    (item,) = rss.iter("item")
    assert item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") == review.body_html
    assert item.findtext("description") == review.dek
    atom = ElementTree.fromstring(client.get("/films/ares/feed/atom/").content)
    (entry,) = atom.iter("{http://www.w3.org/2005/Atom}entry")
    content = entry.find("{http://www.w3.org/2005/Atom}content")
    assert content.get("type") == "html"
    assert content.text == review.body_html
    assert entry.findtext("{http://www.w3.org/2005/Atom}summary") == review.dek


@pytest.mark.parametrize("edition", ["", "atom/"])
def test_links_in_the_body_are_absolute(client, edition):
    film = FilmFactory(slug="grid")
    review = ReviewFactory(
        film=film,
        slug="links",
        body="[film](/films/grid/) [notes](#notes) [near](other/) "
        "[away](https://example.com/a?b=1&c=2) [mail](mailto:a@example.com) "
        '[titled](/films/grid/ "a > b & \\"c\\"")',
    )
    (entry,) = read(client, f"/films/grid/feed/{edition}").entries
    page = url(review)
    assert hrefs(entry.content[0].value) == [
        f"{SITE}/films/grid/",
        f"{page}#notes",
        f"{page}other/",
        "https://example.com/a?b=1&amp;c=2",
        "mailto:a@example.com",
        f"{SITE}/films/grid/",
    ]
    assert 'title="a &gt; b &amp; &quot;c&quot;"' in entry.content[0].value
    # The words stay as they were.
    assert _text(entry.content[0].value) == _text(review.body_html)


def _text(html):
    parser = HTMLParser()
    words = []
    parser.handle_data = words.append
    parser.feed(html)
    return "".join(words)


def test_absolute_links_leaves_text_that_looks_like_a_link_alone():
    html = '<p>write href="/x" or &lt;a href="/y"&gt;</p><a href="/z" title="href=&quot;/w">z</a>'
    assert absolute_links(html, f"{SITE}/reviews/r/") == (
        '<p>write href="/x" or &lt;a href="/y"&gt;</p>'
        f'<a href="{SITE}/z" title="href=&quot;/w">z</a>'
    )


def test_a_hostile_body_reaches_no_feed_as_script(client):
    ReviewFactory(
        slug="hostile",
        body='Before <script>alert(1)</script> <img src=x onerror="alert(2)"> '
        "[x](javascript:alert(3)) after.",
    )
    for path in ["/reviews/feed/", "/reviews/feed/atom/"]:
        response = client.get(path)
        text = response.content.decode()
        for word in ("alert(", "onerror", "javascript:"):
            assert word not in text
        (entry,) = read(client, path).entries
        assert "Before" in entry.content[0].value
        assert "<script" not in entry.content[0].value


def hidden_reviews(**kwargs):
    """A review in each state a reader never sees, all of one film, album and tag."""
    now = timezone.now()
    return [
        ReviewFactory(status=Review.Status.DRAFT, headline="Draft", **kwargs),
        ReviewFactory(status=Review.Status.IN_REVIEW, headline="In review", **kwargs),
        ReviewFactory(status=Review.Status.WITHDRAWN, headline="Withdrawn", **kwargs),
        ReviewFactory(publish_at=now + datetime.timedelta(days=1), headline="Scheduled", **kwargs),
    ]


def test_unpublished_reviews_are_in_no_feed(client, catalogue):
    ares = catalogue["ares"]
    for review in hidden_reviews(film=ares):
        review.tags.add(catalogue["tag"])
        review.soundtracks.add(SoundtrackFactory(film=catalogue["legacy"]))
    for path, (reviews, _) in every_feed(catalogue).items():
        response = client.get(path)
        for headline in ("Draft", "In review", "Withdrawn", "Scheduled"):
            assert f">{headline}<" not in response.content.decode(), (path, headline)
        assert links(read(client, path)) == {url(review) for review in reviews}, path


def test_a_film_person_or_tag_only_unpublished_reviews_are_of_has_no_feed(client):
    film, person, tag = (
        FilmFactory(slug="secret"),
        PersonFactory(slug="secret"),
        TagFactory(slug="secret"),
    )
    CreditFactory(film=film, person=person)
    for review in hidden_reviews(film=film):
        review.tags.add(tag)
    FilmFactory(slug="unreviewed")
    for path in [
        "/films/secret/feed/",
        "/people/secret/feed/",
        "/tags/secret/feed/",
        "/films/unreviewed/feed/atom/",
    ]:
        assert client.get(path).status_code == 404, path


HOSTILE_SLUGS = [
    "x" * 10_000,
    "nope",
    "ünïcødé",
    "%E2%80%AE",
    "..",
    "..%2F..%2Fetc",
    "%00",
    "a%00b",
    "%2e%2e",
    "-",
]


@pytest.mark.parametrize("kind", ["films", "people", "tags"])
@pytest.mark.parametrize("slug", HOSTILE_SLUGS, ids=range(len(HOSTILE_SLUGS)))
@pytest.mark.parametrize("edition", ["", "atom/"])
def test_hostile_slugs_are_404(client, catalogue, kind, slug, edition):
    assert client.get(f"/{kind}/{slug}/feed/{edition}").status_code == 404


def build(size, feed):
    """``size`` reviews of one film, each with two bylines, by a composer, with a tag and an
    album; the path of ``feed``'s feed."""
    film = FilmFactory(slug="grid")
    composer = PersonFactory(slug="composer")
    CreditFactory(film=film, person=composer, role="composer")
    tag = TagFactory(slug="grid")
    album = SoundtrackFactory(film=film)
    for _ in range(size):
        review = ReviewFactory(film=film, authors=[AuthorFactory(), AuthorFactory()])
        review.tags.add(tag)
        review.soundtracks.add(album)
    return {
        "site": "/reviews/feed/",
        "film": "/films/grid/feed/",
        "person": "/people/composer/feed/",
        "tag": "/tags/grid/feed/",
    }[feed]


# The site's feed: its reviews, their bylines and their corrections; another's: the film,
# person or tag first.
QUERIES = {"site": 3, "film": 4, "person": 4, "tag": 4}


@pytest.mark.parametrize("size", [1, FEED_LENGTH + 5])
@pytest.mark.parametrize("edition", ["", "atom/"])
@pytest.mark.parametrize(("feed", "queries"), QUERIES.items(), ids=QUERIES.keys())
def test_feed_query_count_does_not_grow_with_its_reviews(
    client, django_assert_num_queries, feed, queries, edition, size
):
    path = build(size, feed) + edition
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    assert len(read(client, path).entries) == min(size, FEED_LENGTH)


@pytest.mark.usefixtures("page_cache_on")
def test_feeds_name_what_they_show_for_the_page_cache(client, catalogue):
    composer, ares, tag = catalogue["composer"], catalogue["ares"], catalogue["tag"]
    expected = {
        "/reviews/feed/": set(),
        "/films/ares/feed/": {f"film:{ares.pk}"},
        "/people/trent-reznor/feed/atom/": {f"person:{composer.pk}"},
        "/tags/industrial/feed/": {f"tag:{tag.pk}"},
    }
    for path, own in expected.items():
        names = set(client.get(path)["xkey"].split())
        # Any review joining or leaving the list purges it; so does a change to its object.
        assert {"list:review", *own} <= names, path
        assert f"review:{catalogue['of_ares'].pk}" in names, path


# Autodiscovery

ALTERNATE = re.compile(r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">')


def alternates(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    head = response.content.decode().partition("</head>")[0]
    return ALTERNATE.findall(head)


SITE_FEEDS = [
    ("application/rss+xml", "Cuesheet: latest reviews (RSS)", "/reviews/feed/"),
    ("application/atom+xml", "Cuesheet: latest reviews (Atom)", "/reviews/feed/atom/"),
]


@pytest.mark.parametrize(
    ("path", "own"),
    [
        ("/", None),
        ("/reviews/", None),
        ("/films/tron-ares/", "/films/tron-ares/feed/"),
        ("/people/trent-reznor/", "/people/trent-reznor/feed/"),
        ("/people/nine-inch-nails/", "/people/nine-inch-nails/feed/"),
        ("/tags/tron/", "/tags/tron/feed/"),
    ],
)
def test_pages_announce_their_own_feeds_then_the_sites(client, tron, path, own):
    found = alternates(client, path)
    assert found[-2:] == SITE_FEEDS
    if own:
        assert [href for _, _, href in found[:-2]] == [own, f"{own}atom/"]
    else:
        assert found == SITE_FEEDS
    for content_type, title, href in found:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"] == f"{content_type}; charset=utf-8", href
        feed = read(client, href)
        assert title.startswith(feed.feed.title), href
        assert feed.entries, href


def test_a_page_without_published_reviews_announces_only_the_sites_feeds(client):
    film = FilmFactory(slug="unreviewed")
    person = PersonFactory(slug="unreviewed")
    CreditFactory(film=film, person=person)
    hidden_reviews(film=film)
    for path in ["/films/unreviewed/", "/people/unreviewed/"]:
        assert alternates(client, path) == SITE_FEEDS, path


@pytest.fixture
def fragments_on(settings):
    settings.FRAGMENT_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


def announced(client, path):
    return [href for _, _, href in alternates(client, path)[:-2]]


@pytest.mark.usefixtures("fragments_on")
def test_the_links_come_and_go_with_the_reviews_discussing_the_page(client):
    """The answer is kept as a fragment: a review coming to discuss the film or the person, or
    going, is seen on the next rendering of the page."""
    film = FilmFactory(slug="grid")
    composer, group = PersonFactory(slug="composer"), PersonFactory(slug="band", is_group=True)
    group.members.add(composer)
    CreditFactory(film=film, person=composer, role="composer")
    elsewhere = FilmFactory(slug="elsewhere")
    album = SoundtrackFactory(film=elsewhere)
    for path in ["/films/grid/", "/people/composer/", "/people/band/", "/films/elsewhere/"]:
        assert announced(client, path) == [], path
        with CaptureQueriesContext(connection) as served:
            assert announced(client, path) == [], path
        assert not any("reviews_review" in query["sql"] for query in served), path

    review = ReviewFactory(film=film)
    assert announced(client, "/films/grid/") == ["/films/grid/feed/", "/films/grid/feed/atom/"]
    assert announced(client, "/people/composer/")[0] == "/people/composer/feed/"
    assert announced(client, "/people/band/") == []

    # A review of another film's album, whose artist the group is: the group's, its member's.
    album.artists.add(group)
    of_album = ReviewFactory(film=None)
    of_album.soundtracks.add(album)
    assert announced(client, "/people/band/")[0] == "/people/band/feed/"
    assert announced(client, "/films/elsewhere/")[0] == "/films/elsewhere/feed/"

    review.status = Review.Status.WITHDRAWN
    review.save()
    assert announced(client, "/films/grid/") == []
    for href in announced(client, "/people/composer/"):
        assert client.get(href).status_code == 200, href
