"""Every page type's structured data, read as a consumer reads it: the JSON-LD blocks taken out of
the HTML by lxml and expanded by pyld, a JSON-LD processor of its own, then checked against what
search engines look for (issue 13: Review and Article, MusicAlbum, MusicRecording, Movie,
Person, WebSite with SearchAction, the publisher's logo).

schema.org's context maps every term into its vocabulary (``"@vocab": "http://schema.org/"``);
the document loader serves that context offline, since the tests reach no network.
"""

import datetime
import json
import re

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from pyld import jsonld

from films.models import Person
from reviews.models import AlbumRating, Author, Correction, Review
from reviews.tests.factories import ReviewFactory
from soundtracks.models import Soundtrack

pytestmark = pytest.mark.django_db

S = "http://schema.org/"
REVIEW = "/reviews/tron-ares-nine-inch-nails-score-review/"
ISO_DURATION = re.compile(r"PT(\d+H)?(\d+M)?(\d+S)?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def offline(url, options=None):
    if url.rstrip("/") not in {"https://schema.org", "http://schema.org"}:
        raise AssertionError(f"a context no consumer could load offline: {url}")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": S}},
    }


class Graph:
    """The nodes of a page's JSON-LD, flattened: each a dict of full IRIs to lists of values."""

    def __init__(self, content):
        tree = lxml.html.fromstring(content)
        blocks = tree.xpath('//script[@type="application/ld+json"]/text()')
        assert blocks, "no JSON-LD on the page"
        self.nodes = {}
        for number, block in enumerate(blocks):
            flat = jsonld.flatten(json.loads(block), options={"documentLoader": offline})
            for node in flat:
                # Blank node names restart at each block: keep them apart.
                self.nodes[f"{number}/{node['@id']}"] = {"block": number, **node}

    def typed(self, kind):
        return [node for node in self.nodes.values() if S + kind in node.get("@type", [])]

    def one(self, kind, having=None):
        """The one node of type ``kind`` (that has a ``having`` property)."""
        (node,) = [node for node in self.typed(kind) if having is None or S + having in node]
        return node

    def values(self, node, name):
        """The literal values of ``name`` on ``node``."""
        return [value.get("@value", value.get("@id")) for value in node.get(S + name, [])]

    def value(self, node, name):
        (value,) = self.values(node, name)
        return value

    def linked(self, node, name):
        """The nodes ``name`` points at."""
        return [
            self.nodes[f"{node['block']}/{value['@id']}"]
            for value in node.get(S + name, [])
            if "@id" in value
        ]

    def types(self, node):
        return {kind.removeprefix(S) for kind in node.get("@type", [])}


def graph(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return Graph(response.content)


def test_the_review_is_a_review_and_an_article_of_its_films_album(client, tron):
    data = graph(client, REVIEW)
    review = data.one("Review")
    assert data.types(review) == {"Review", "Article"}
    headline = Review.objects.get(slug=REVIEW.split("/")[2]).headline
    assert data.value(review, "headline") == data.value(review, "name") == headline
    assert DATE.match(data.value(review, "datePublished"))
    assert DATE.match(data.value(review, "dateModified"))
    assert data.value(review, "url") == f"http://testserver{REVIEW}"

    (album,) = data.linked(review, "itemReviewed")
    assert data.types(album) == {"MusicAlbum"}  # a MusicPlaylist: review snippets take it
    assert data.value(album, "name") == "Tron: Ares (Original Motion Picture Soundtrack)"
    assert data.value(album, "albumProductionType") == "https://schema.org/SoundtrackAlbum"
    (artist,) = data.linked(album, "byArtist")
    assert (data.types(artist), data.value(artist, "name")) == ({"MusicGroup"}, "Nine Inch Nails")
    assert data.value(artist, "url") == "http://testserver/people/nine-inch-nails/"

    (film,) = data.linked(review, "about")
    assert data.types(film) == {"Movie"}
    assert data.value(film, "name") == "Tron: Ares"
    mentioned = {
        (kind, data.value(node, "url").removeprefix("http://testserver"))
        for node in data.linked(review, "mentions")
        for kind in data.types(node)
    }
    assert mentioned >= {
        ("MusicAlbum", "/soundtracks/tron-soundtrack/"),
        ("MusicAlbum", "/soundtracks/tron-legacy-soundtrack/"),
    }
    assert ("MusicAlbum", "/soundtracks/tron-ares-soundtrack/") not in mentioned


def test_a_house_byline_is_an_organisation_and_a_writer_a_person(client, tron):
    data = graph(client, REVIEW)
    (author,) = data.linked(data.one("Review"), "author")
    assert (data.types(author), data.value(author, "name")) == ({"Organization"}, "Cuesheet Staff")

    Author.objects.filter(slug="cuesheet-staff").update(is_organisation=False)
    data = graph(client, REVIEW)
    (author,) = data.linked(data.one("Review"), "author")
    assert data.types(author) == {"Person"}


def test_the_publisher_has_a_home_page_and_a_logo_that_is_served(client, tron):
    data = graph(client, REVIEW)
    (publisher,) = data.linked(data.one("Review"), "publisher")
    assert data.types(publisher) == {"Organization"}
    assert data.value(publisher, "url") == "http://testserver/"
    (logo,) = data.linked(publisher, "logo")
    url = data.value(logo, "url")
    assert url.startswith("http://testserver/static/")
    assert url.endswith(".png")
    assert int(data.value(logo, "width")) >= 112 <= int(data.value(logo, "height"))
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_a_rating_is_given_only_when_the_review_rates_the_album(client, tron):
    assert graph(client, REVIEW).one("Review", having="headline").get(S + "reviewRating") is None
    review = Review.objects.get(slug=REVIEW.split("/")[2])
    ares = Soundtrack.objects.get(slug="tron-ares-soundtrack")
    AlbumRating.objects.create(review=review, soundtrack=ares, score=8)
    data = graph(client, REVIEW)
    article = data.one("Review", having="headline")
    (rating,) = data.linked(article, "reviewRating")
    assert data.types(rating) == {"Rating"}
    assert [int(data.value(rating, name)) for name in ("ratingValue", "bestRating")] == [8, 10]
    assert int(data.value(rating, "worstRating")) == 1
    (album,) = data.linked(article, "itemReviewed")
    assert data.value(album, "url") == "http://testserver/soundtracks/tron-ares-soundtrack/"
    assert not article.get(S + "hasPart")


def test_each_other_rated_album_is_a_review_of_its_own(client, tron, settings):
    review = Review.objects.get(slug=REVIEW.split("/")[2])
    legacy = Soundtrack.objects.get(slug="tron-legacy-soundtrack")
    AlbumRating.objects.create(review=review, soundtrack=legacy, score=4, out_of=5)
    # A scale changed since leaves the rating on the scale it was given on.
    settings.REVIEW_RATING_SCALE = 100
    data = graph(client, REVIEW)
    article = data.one("Review", having="headline")
    assert article.get(S + "reviewRating") is None  # the album it is about is not rated
    (part,) = data.linked(article, "hasPart")
    assert data.types(part) == {"Review"}
    (album,) = data.linked(part, "itemReviewed")
    assert data.types(album) == {"MusicAlbum"}
    assert data.value(album, "url") == "http://testserver/soundtracks/tron-legacy-soundtrack/"
    (rating,) = data.linked(part, "reviewRating")
    assert [int(data.value(rating, name)) for name in ("ratingValue", "bestRating")] == [4, 5]
    (author,) = data.linked(part, "author")
    assert data.value(author, "name") == "Cuesheet Staff"


def test_a_correction_is_a_correction_comment_and_moves_the_date_modified(client, tron):
    review = Review.objects.get(slug=REVIEW.split("/")[2])
    before = graph(client, REVIEW).one("Review", having="headline")
    assert before.get(S + "correction") is None
    later = review.updated_at + datetime.timedelta(days=30)
    Correction.objects.create(
        review=review,
        note="The album runs *24* tracks, not 22. <script>alert(1)</script>",
        published_at=later,
    )
    data = graph(client, REVIEW)
    article = data.one("Review", having="headline")
    (note,) = data.linked(article, "correction")
    assert data.types(note) == {"CorrectionComment"}
    assert data.value(note, "text") == "The album runs 24 tracks, not 22. <script>alert(1)</script>"
    assert data.value(note, "datePublished") == later.isoformat()
    assert data.value(article, "dateModified") == later.isoformat()


def test_a_review_without_an_album_reviews_its_film(client, db):
    review = ReviewFactory()
    data = graph(client, review.get_absolute_url())
    (reviewed,) = data.linked(data.one("Review"), "itemReviewed")
    assert data.types(reviewed) == {"Movie"}


def test_an_album_is_a_release_by_its_artists_with_every_track(client, tron):
    data = graph(client, "/soundtracks/tron-ares-soundtrack/")
    album = data.one("MusicAlbum", having="track")
    assert data.types(album) == {"MusicAlbum", "MusicRelease"}
    assert [data.value(artist, "name") for artist in data.linked(album, "byArtist")] == [
        "Nine Inch Nails"
    ]
    labels = data.linked(album, "recordLabel")
    assert [(data.types(label), data.value(label, "name")) for label in labels] == [
        ({"Organization"}, "Interscope Records"),
        ({"Organization"}, "Walt Disney Records"),
        ({"Organization"}, "The Null Corporation"),
    ]
    tracks = data.linked(album, "track")
    assert len(tracks) == int(data.value(album, "numTracks")) > 0
    for track in tracks:
        assert data.types(track) == {"MusicRecording"}
        (in_album,) = data.linked(track, "inAlbum")
        assert data.value(in_album, "url") == data.value(album, "url")
        assert data.linked(track, "byArtist")
        for duration in data.values(track, "duration"):
            assert ISO_DURATION.fullmatch(duration), duration
    # Not every track's length is known: no total is made up.
    assert any(not data.values(track, "duration") for track in tracks)
    assert data.values(album, "duration") == []


def test_an_album_whose_every_track_is_timed_gives_its_total(client, tron):
    data = graph(client, "/soundtracks/tron-soundtrack/")
    album = data.one("MusicAlbum", having="track")
    tracks = data.linked(album, "track")
    seconds = 0
    for track in tracks:
        hours, minutes, secs = ISO_DURATION.fullmatch(data.value(track, "duration")).groups()
        seconds += sum(
            int(part[:-1]) * scale
            for part, scale in ((hours, 3600), (minutes, 60), (secs, 1))
            if part
        )
    hours, minutes, secs = ISO_DURATION.fullmatch(data.value(album, "duration")).groups()
    total = sum(
        int(part[:-1]) * scale for part, scale in ((hours, 3600), (minutes, 60), (secs, 1)) if part
    )
    assert total == seconds > 0
    (label,) = data.linked(album, "recordLabel")
    assert data.value(label, "name") == "Walt Disney Records"


def test_a_film_is_a_movie_with_its_music_by_its_composers(client, tron):
    data = graph(client, "/films/tron-ares/")
    movie = data.one("Movie")
    assert [data.value(node, "name") for node in data.linked(movie, "musicBy")] == [
        "Nine Inch Nails"
    ]
    assert DATE.match(data.value(movie, "datePublished"))
    assert data.value(movie, "sameAs") == "https://www.imdb.com/title/tt6604188/"


def test_a_person_is_the_same_as_their_pages_elsewhere_only_when_known(client, tron):
    data = graph(client, "/people/trent-reznor/")
    assert data.values(data.one("Person"), "sameAs") == []

    # Ids of the right shape, not Reznor's (unverified here): the page links whatever is set.
    Person.objects.filter(slug="trent-reznor").update(
        imdb_id="nm0000001", musicbrainz_id="00000000-0000-4000-8000-000000000000"
    )
    data = graph(client, "/people/trent-reznor/")
    assert sorted(data.values(data.one("Person"), "sameAs")) == [
        "https://musicbrainz.org/artist/00000000-0000-4000-8000-000000000000",
        "https://www.imdb.com/name/nm0000001/",
    ]
    group = graph(client, "/people/nine-inch-nails/")
    assert group.types(group.one("MusicGroup")) == {"MusicGroup"}


def test_the_site_is_described_once_on_the_home_page(client, tron):
    data = graph(client, "/")
    site = data.one("WebSite")
    assert data.value(site, "url") == "http://testserver/"
    (search,) = data.linked(site, "potentialAction")
    assert data.types(search) == {"SearchAction"}
    assert data.value(search, "target") == "http://testserver/search/?q={query}"
    (publisher,) = data.linked(site, "publisher")
    assert data.linked(publisher, "logo")
    for path in (REVIEW, "/films/tron-ares/", "/soundtracks/tron-ares-soundtrack/"):
        assert graph(client, path).typed("WebSite") == [], path


def test_cue_and_theme_pages(client, tron):
    data = graph(client, "/films/tron-ares/music/")
    recordings = data.typed("MusicRecording")
    assert recordings
    for recording in recordings:
        assert data.linked(recording, "inAlbum")
        for duration in data.values(recording, "duration"):
            assert ISO_DURATION.fullmatch(duration), duration


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("imdb_id", "tt0084827"),  # a title's id, not a person's
        ("imdb_id", "nm12"),
        ("imdb_id", "nm0000001\n"),
        ("imdb_id", "<script>"),
        ("musicbrainz_id", "00000000-0000-4000-8000-00000000000A"),
        ("musicbrainz_id", "00000000000040008000000000000000"),
        ("musicbrainz_id", "https://musicbrainz.org/artist/00000000"),
        ("musicbrainz_id", "x" * 36),
    ],
)
def test_a_person_id_that_is_not_one_is_refused_with_a_message(tron, field, value):
    person = Person.objects.get(slug="trent-reznor")
    setattr(person, field, value)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert field in error.value.message_dict


@pytest.mark.parametrize(
    "path",
    [
        "/reviews/",
        "/films/",
        "/soundtracks/",
        "/people/",
        "/composers/",
        "/franchises/tron/",
        "/tags/film-scores/",
        "/authors/cuesheet-staff/",
    ],
)
def test_a_list_page_is_an_item_list_of_what_it_shows(client, tron, path):
    response = client.get(path)
    assert response.status_code == 200, path
    data = Graph(response.content)
    (listed,) = data.typed("ItemList")
    items = sorted(data.linked(listed, "itemListElement"), key=lambda n: data.value(n, "position"))
    assert items
    assert int(data.value(listed, "numberOfItems")) == len(items)
    assert [int(data.value(item, "position")) for item in items] == list(range(1, len(items) + 1))
    links = set(lxml.html.fromstring(response.content).xpath("//main//a/@href"))
    for item in items:
        assert data.types(item) == {"ListItem"}
        assert data.value(item, "name")
        assert data.value(item, "url").removeprefix("http://testserver") in links
