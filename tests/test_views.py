"""The reader site: every page type with the Tron demo content, visibility, and query counts.

Over 400 lines on purpose: the pinned query counts of every public page sit in one table at the
end, measured at two sizes of content by one helper, so that a page's cost is read beside the
others'; the page tests above share the seed article and its parser.
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from editorial.tests.html import parse_html
from films.models import Credit
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    SoundtrackFactory,
    ThemeFactory,
    TrackFactory,
    TrackNoteFactory,
)

ARTICLE = Path(__file__).parent / "data" / "tron-ares-score-review.txt"
REVIEW_SLUG = "tron-ares-nine-inch-nails-score-review"
REVIEW_URL = f"/reviews/{REVIEW_SLUG}/"

TRON_PAGES = {
    "home": "/",
    "review archive": "/reviews/",
    "review": REVIEW_URL,
    "film list": "/films/",
    "film": "/films/tron-ares/",
    "film without a review of its own": "/films/tron/",
    "soundtrack": "/soundtracks/tron-ares-soundtrack/",
    "person": "/people/trent-reznor/",
    "group": "/people/nine-inch-nails/",
    "franchise": "/franchises/tron/",
    "search": "/search/?q=tron",
    "search in one kind": "/search/?q=tron&kind=tracks",
    "empty search": "/search/",
    "tag": "/tags/tron/",
    "author": "/authors/cuesheet-staff/",
}


def page(response):
    assert response.status_code == 200
    return parse_html(response.content.decode())


def links_on(html):
    return [(a.get("href"), a.text) for a in html.find_all("a")]


def headings(html):
    return [(h.tag, h.text) for h in html.find_all("h1, h2, h3")]


def json_ld(html):
    return [json.loads(s.text) for s in html.find_all("script", type="application/ld+json")]


def seed_article():
    prose, infobox = ARTICLE.read_text(encoding="utf-8").split("\n\n", 1)
    return prose.splitlines(), infobox.splitlines()


# The seed review, faithfully


def test_review_page_carries_every_paragraph_and_subhead_of_the_article(client, tron):
    prose, _ = seed_article()
    html = page(client.get(REVIEW_URL))
    body = html.text_of(".prose")
    body_subheads = {text for level, text in headings(html) if level == "h2"}

    for line in prose:
        assert " ".join(line.split()) in body, line
    # The three short lines without a full stop are the subheads, as <h2>.
    subheads = [line for line in prose if not line.rstrip().endswith((".", "?", "!"))]
    assert len(subheads) == 3
    assert set(subheads) <= body_subheads


def test_review_infobox_lists_the_articles_facts_in_its_order(client, tron):
    _, infobox = seed_article()
    expected = [line.removeprefix("- ") for line in infobox if line.strip() not in {"", "-"}]

    html = page(client.get(REVIEW_URL))

    # Release Date, October 10, 2025, Runtime, 119 minutes, Director, …, Producers, five names;
    # then the composer, as the film's change form promises (its "infobox, as readers see it").
    assert html.text_of(".infobox").endswith(" ".join(expected) + " Composer Nine Inch Nails")
    assert (
        expected[-1] == "Jared Leto, Jeffrey Silver, Sean Bailey, Steven Lisberger, Emma Ludbrook"
    )


def test_review_infobox_names_link_to_their_people(client, tron):
    html = page(client.get(REVIEW_URL))
    links = {text: href for href, text in links_on(html)}

    assert links["Joachim Rønning"] == "/people/joachim-ronning/"
    assert links["Jared Leto"] == "/people/jared-leto/"
    assert links["Emma Ludbrook"] == "/people/emma-ludbrook/"


def test_review_track_mentions_link_to_the_tracks_on_the_soundtrack_page(client, tron):
    review_links = {text: href for href, text in links_on(page(client.get(REVIEW_URL)))}
    soundtrack = page(client.get("/soundtracks/tron-ares-soundtrack/"))

    for title, anchor in [
        ("Init", "track-1-1"),
        ("I Know You Can Feel It", "track-1-7"),
        ("Who Wants to Live Forever?", "track-1-12"),
    ]:
        assert review_links[title] == f"/soundtracks/tron-ares-soundtrack/#{anchor}"
        assert soundtrack.find(id=anchor) is not None
        assert soundtrack.text_of(f"#{anchor}").startswith(f"Track {anchor.rsplit('-', 1)[1]}")
        assert title in soundtrack.text_of(f"#{anchor}")


def test_review_page_names_its_byline_date_film_and_soundtracks(client, tron):
    html = page(client.get(REVIEW_URL))
    hrefs = {href for href, _ in links_on(html)}

    assert "By Cuesheet Staff · October 14, 2025" in html.text_of(".meta")
    assert "Updated" not in html.text_of(".meta")
    assert {
        "/authors/cuesheet-staff/",
        "/films/tron-ares/",
        "/soundtracks/tron-ares-soundtrack/",
        "/soundtracks/tron-legacy-soundtrack/",
        "/soundtracks/tron-soundtrack/",
        "/films/tron/",
        "/tags/tron/",
    } <= hrefs


def test_review_shows_updated_when_the_review_says_it_was(client, db, monkeypatch):
    review = ReviewFactory(publish_at=timezone.now() - datetime.timedelta(days=10))
    edited = timezone.now() - datetime.timedelta(days=3)
    # What counts as a material edit is the workflow's rule; the page asks Review.updated_on.
    monkeypatch.setattr(Review, "updated_on", property(lambda review: edited))

    meta = page(client.get(review.get_absolute_url())).text_of(".meta")

    assert f"Updated {edited:%B} {edited.day}, {edited.year}" in meta


def test_soundtrack_page_lists_tracks_with_durations_vocals_notes_and_citations(client, tron):
    ares = page(client.get("/soundtracks/tron-ares-soundtrack/"))
    carlos = page(client.get("/soundtracks/tron-soundtrack/"))

    assert "24, 4 with vocals" in ares.text_of(".facts")
    # Nothing is timed on the Ares album yet: no total, no placeholder times, nothing made up.
    assert "Total running time" not in ares.text_of(".facts")
    assert "not yet verified" not in ares.text_of("main")
    assert "–:––" not in ares.text_of("main")
    # Vocal tracks say so in words, not only with a glyph.
    assert "Vocal" in ares.text_of("#track-1-3")
    assert "Vocal" not in ares.text_of("#track-1-1")
    assert "Opening credits" in ares.text_of("#track-1-1")
    assert "Cited in Whatever You Make of" in ares.text_of("#track-1-1")
    assert "Cited in" not in ares.text_of("#track-1-2")
    # Carlos's album: 21 timed tracks adding up to 57:47, each m:ss.
    assert "57:47" in carlos.text_of(".facts")
    assert (
        carlos.find("#track-1-2")
        .text_of(".track-line")
        .endswith("Only Solutions (Journey) Vocal 3:15")
    )
    # Where each track is in the film comes from the cue sheet (soundtracks/tests/
    # test_album_usage.py): Carlos's film has none here yet.
    assert carlos.find("#track-1-2").text_of(".film-usage") == "In the film: not known"


def test_person_page_follows_a_member_through_the_group_to_its_films(client, tron):
    html = page(client.get("/people/trent-reznor/"))
    hrefs = {href for href, _ in links_on(html)}

    assert "/people/nine-inch-nails/" in hrefs
    assert "/films/tron-ares/" in hrefs
    assert "/soundtracks/tron-ares-soundtrack/" in hrefs


def test_group_page_lists_its_members_and_credits(client, tron):
    html = page(client.get("/people/nine-inch-nails/"))
    hrefs = {href for href, _ in links_on(html)}

    assert {"/people/trent-reznor/", "/people/atticus-ross/", "/franchises/tron/"} <= hrefs
    assert ("h2", "Composer") in headings(html)


def test_franchise_page_orders_films_and_their_composers(client, tron):
    html = page(client.get("/franchises/tron/"))

    films = [text for level, text in headings(html) if level == "h2"]
    assert films == ["Tron 1982", "Tron: Legacy 2010", "Tron: Ares 2025", "Reviews of these films"]
    assert re.search(
        r"Wendy Carlos\W+then Daft Punk\W+then Nine Inch Nails", html.text_of(".sound-line")
    )


def test_film_page_groups_credits_by_role_in_billing_order(client, tron):
    html = page(client.get("/films/tron-ares/"))
    credits = html.text_of(".credits")

    assert "Directed by Joachim Rønning" in credits
    assert (
        "Produced by Jared Leto, Jeffrey Silver, Sean Bailey, Steven Lisberger, Emma Ludbrook"
        in credits
    )
    assert "Jared Leto Ares" in html.text_of(".cast")
    assert "Previous film Tron: Legacy (2010)" in html.text_of(".franchise-nav")
    assert "Next film" not in html.text_of(".franchise-nav")


@pytest.mark.parametrize("path", TRON_PAGES.values(), ids=TRON_PAGES.keys())
def test_page_renders_with_title_description_canonical_and_structured_data(client, tron, path):
    html = page(client.get(path))

    assert html.text_of("title").endswith(" · Cuesheet")
    assert html.meta["description"]
    assert html.meta["og:title"]
    assert html.meta["og:description"]
    canonical = [link["href"] for link in html.find_all("link") if link.get("rel") == "canonical"]
    assert canonical
    assert canonical[0].startswith("http://testserver/")
    assert json_ld(html)
    assert [level for level, _ in headings(html)].count("h1") == 1


def test_every_page_has_its_own_title(client, tron):
    titles = [page(client.get(path)).text_of("title") for path in TRON_PAGES.values()]

    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize(
    ("path", "types"),
    [
        (REVIEW_URL, {"Review", "Article", "BreadcrumbList"}),
        ("/films/tron-ares/", {"Movie", "BreadcrumbList"}),
        ("/soundtracks/tron-ares-soundtrack/", {"MusicAlbum", "MusicRelease", "BreadcrumbList"}),
        ("/people/trent-reznor/", {"Person", "BreadcrumbList"}),
        ("/people/nine-inch-nails/", {"MusicGroup", "BreadcrumbList"}),
        ("/", {"WebSite"}),
    ],
)
def test_structured_data_describes_the_page(client, tron, path, types):
    data = json_ld(page(client.get(path)))

    assert {kind for item in data for kind in types_of(item)} == types


def types_of(item):
    """An item's schema.org types: one, or a list of them."""
    kinds = item["@type"]
    return [kinds] if isinstance(kinds, str) else kinds


def test_album_structured_data_lists_every_track_as_a_recording(client, tron):
    album = next(
        item
        for item in json_ld(page(client.get("/soundtracks/tron-soundtrack/")))
        if "MusicAlbum" in types_of(item)
    )

    assert album["numTracks"] == 21 == len(album["track"])
    url = "http://testserver/soundtracks/tron-soundtrack/"
    assert album["track"][1] == {
        "@type": "MusicRecording",
        "name": "Only Solutions",
        "position": 2,
        "duration": "PT3M15S",
        "url": f"{url}#track-1-2",
        "inAlbum": {"@type": "MusicAlbum", "name": album["name"], "url": url},
        "byArtist": {"@type": "MusicGroup", "name": "Journey"},
    }


def test_structured_data_cannot_close_its_script_element(client, db):
    review = ReviewFactory(headline="</script><script>alert(1)</script>")

    content = client.get(review.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in content
    assert "\\u003C/script\\u003E" in content


def test_hostile_body_renders_inert_on_the_page(client, db):
    review = ReviewFactory(
        body='<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    )

    content = client.get(review.get_absolute_url()).content.decode()

    assert "alert(" not in content
    assert "onerror" not in content


def test_feeds_list_the_published_review(client, tron):
    for path in ["/reviews/feed/", "/reviews/feed/atom/"]:
        content = client.get(path).content.decode()
        assert f"http://testserver{REVIEW_URL}" in content


def test_sitemap_lists_every_kind_of_public_page(client, tron):
    content = client.get("/sitemap.xml").content.decode()

    for path in [
        REVIEW_URL,
        "/films/tron/",
        "/soundtracks/tron-ares-soundtrack/",
        "/people/trent-reznor/",
        "/franchises/tron/",
        "/tags/tron/",
        "/authors/cuesheet-staff/",
        "/films/",
    ]:
        assert f"<loc>http://testserver{path}</loc>" in content


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_server_error_page_renders_without_a_request():
    # Django renders 500.html with an empty context: no request, no context processors.
    html = parse_html(render_to_string("500.html"))

    assert html.text_of("title") == "Server error · Cuesheet"
    assert [text for level, text in headings(html) if level == "h1"] == ["Something went wrong"]


def test_not_found_page_is_the_sites_own(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found · Cuesheet" in response.content.decode()


# What readers never see


UNKNOWN = [
    "/reviews/no-such-review/",
    "/films/no-such-film/",
    "/soundtracks/no-such-album/",
    "/people/no-such-person/",
    "/franchises/no-such-franchise/",
    "/tags/no-such-tag/",
    "/authors/no-such-author/",
    "/reviews/?page=99",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_content_is_404(client, tron, path):
    assert client.get(path).status_code == 404


HIDDEN = {
    "draft": {"status": Review.Status.DRAFT, "publish_at": None},
    "in review": {"status": Review.Status.IN_REVIEW, "publish_at": None},
    "withdrawn": {"status": Review.Status.WITHDRAWN},
    "scheduled": {"publish_at": timezone.now() + datetime.timedelta(days=2)},
}


@pytest.fixture(params=HIDDEN.values(), ids=HIDDEN.keys())
def hidden_review(request, db):
    """A review readers must not see, with its own tag and byline and citing a track."""
    track = TrackFactory(title="Hidden Cue")
    review = ReviewFactory(
        headline="Secret Grid Sequel",
        slug="secret-grid-sequel",
        body=f"Hear [it](track:{track.soundtrack.slug}/{track.position}) leak.",
        film=track.soundtrack.film,
        authors=[AuthorFactory(slug="secret-writer")],
        **request.param,
    )
    review.tags.add(TagFactory(slug="secret-tag"))
    review.soundtracks.add(track.soundtrack)
    return review


@pytest.mark.parametrize(
    "path", ["/reviews/secret-grid-sequel/", "/tags/secret-tag/", "/authors/secret-writer/"]
)
def test_hidden_review_and_what_only_it_carries_are_404(client, hidden_review, path):
    assert client.get(path).status_code == 404


def test_hidden_review_is_on_no_list_feed_search_or_catalogue_page(client, hidden_review):
    soundtrack = hidden_review.soundtracks.get()
    paths = [
        "/",
        "/reviews/",
        "/reviews/feed/",
        "/reviews/feed/atom/",
        "/sitemap.xml",
        "/search/?q=secret",
        "/search/?q=secret&kind=reviews",
        hidden_review.film.get_absolute_url(),
        soundtrack.get_absolute_url(),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Secret Grid Sequel" not in response.content.decode(), path
        assert "secret-grid-sequel" not in response.content.decode(), path


# Query counts: the same however much there is to show


def make_reviews(count, **kwargs):
    author = AuthorFactory()
    return [ReviewFactory(authors=[author, AuthorFactory()], **kwargs) for _ in range(count)]


def build_review_page(size):
    franchise = FranchiseFactory()
    film = FilmFactory(franchise=franchise)
    for _ in range(size):
        CreditFactory(film=film, role=Credit.Role.PRODUCER)
    CreditFactory(film=film, role=Credit.Role.DIRECTOR)
    review = ReviewFactory(film=film, authors=[AuthorFactory() for _ in range(max(1, size // 10))])
    review.tags.set([TagFactory() for _ in range(max(1, size // 10))])
    review.soundtracks.set([SoundtrackFactory(film=film) for _ in range(max(1, size // 10))])
    review.other_films.set([FilmFactory() for _ in range(max(1, size // 10))])
    make_reviews(size, film=FilmFactory(franchise=franchise))
    return review.get_absolute_url()


def build_film_page(size):
    franchise = FranchiseFactory()
    film = FilmFactory(franchise=franchise)
    for _ in range(size):
        CueFactory(film=film)
    for _ in range(size):
        CreditFactory(film=film, role=Credit.Role.PRODUCER)
        CreditFactory(film=film, role=Credit.Role.CAST, character="Someone")
    for _ in range(max(1, size // 10)):
        FilmFactory(franchise=franchise)
        SoundtrackFactory(film=film)
    make_reviews(size, film=film)
    for review in make_reviews(size):
        review.other_films.add(film)
    return film.get_absolute_url()


def build_soundtrack_page(size):
    soundtrack = SoundtrackFactory()
    soundtrack.artists.set([PersonFactory() for _ in range(max(1, size // 10))])
    tracks = [TrackFactory(soundtrack=soundtrack, is_vocal=n % 4 == 0) for n in range(size)]
    for track in tracks:
        TrackNoteFactory(track=track)
    # Cues on two tracks in three, the first track a suite of several.
    for n, track in enumerate(tracks):
        if n % 3 != 2:
            CueTrackFactory(track=track, extent="part")
    CueTrackFactory(track=tracks[0])
    citations = " ".join(f"[t](track:{soundtrack.slug}/{track.position})" for track in tracks)
    for review in make_reviews(max(1, size // 10), body=citations):
        review.soundtracks.add(soundtrack)
    return soundtrack.get_absolute_url()


def build_member_page(size):
    person = PersonFactory()
    for _ in range(max(1, size // 10)):
        group = PersonFactory(is_group=True)
        group.members.add(person)
        CreditFactory(person=group, role=Credit.Role.COMPOSER)
        SoundtrackFactory().artists.add(group)
    for _ in range(size):
        CreditFactory(person=person, role=Credit.Role.CAST, film=FilmFactory(franchise=None))
        SoundtrackFactory().artists.add(person)
    return person.get_absolute_url()


def build_group_page(size):
    group = PersonFactory(is_group=True)
    group.members.set([PersonFactory() for _ in range(size)])
    for _ in range(size):
        CreditFactory(person=group, role=Credit.Role.COMPOSER)
        SoundtrackFactory().artists.add(group)
    return group.get_absolute_url()


def build_franchise_page(size):
    franchise = FranchiseFactory()
    ThemeFactory(film=None, franchise=franchise)
    for order in range(size):
        film = FilmFactory(franchise=franchise, franchise_order=order + 1)
        CreditFactory(film=film, role=Credit.Role.COMPOSER)
        SoundtrackFactory(film=film).artists.add(PersonFactory())
        ThemeFactory(film=film)
    return franchise.get_absolute_url()


def build_film_list(size):
    for _ in range(size):
        film = FilmFactory(franchise=FranchiseFactory())
        CreditFactory(film=film, role=Credit.Role.DIRECTOR)
        CreditFactory(film=film, role=Credit.Role.COMPOSER)
    return "/films/"


def build_home(size):
    for review in make_reviews(size):
        review.soundtracks.add(SoundtrackFactory(film=review.film))
    return "/"


def build_archive(size):
    make_reviews(size)
    return "/reviews/"


def build_tag_page(size):
    tag = TagFactory()
    for review in make_reviews(size):
        review.tags.add(tag)
    return tag.get_absolute_url()


def build_author_page(size):
    author = AuthorFactory()
    for _ in range(size):
        ReviewFactory(authors=[author])
    return author.get_absolute_url()


def build_search(size, kind=""):
    for n in range(size):
        film = FilmFactory(title=f"Grid {n}")
        PersonFactory(name=f"Grid Person {n}")
        TrackFactory(title=f"Grid Track {n}")
        ReviewFactory(headline=f"Grid Review {n}", film=film)
    return f"/search/?q=grid&kind={kind}"


# page type: (builder, small size, large size, queries)
# Two more on every page of review cards, once per list of them: the reviews' album ratings
# (with their albums) and their badges, for the verdict a card shows (reviews.querysets).
QUERY_COUNTS = {
    "home": (build_home, 1, 30, 5),
    "review archive": (build_archive, 1, 30, 5),
    # 10 with its fragments rendered (the tests cache none): the albums' artists for the
    # JSON-LD's itemReviewed and the bylines' other reviews are read only for their fragments,
    # and a page served its cached fragments runs none of them. Five more, for fragments too:
    # its album ratings, badges and corrections, and its related reviews' ratings and badges.
    "review": (build_review_page, 2, 40, 15),
    "tag": (build_tag_page, 1, 30, 6),
    "author": (build_author_page, 1, 30, 6),
    "film list": (build_film_list, 2, 60, 3),
    # One more on a film's or person's page: whether a published review discusses it, for the
    # links to its feeds in the head (reviews.feeds.alternates); without one, what a review that
    # comes to discuss it would purge (two more for a person: their films, their albums).
    "film": (build_film_page, 2, 40, 13),
    # One more than before the cue sheet: each track's cue links, for how the film uses it.
    "soundtrack": (build_soundtrack_page, 3, 60, 10),
    # One fewer: a group's albums come with their films in one query. One more: the reviews
    # that discuss them (none here; their bylines are one more: reviews/tests/test_index_pages.py).
    "person (a member of groups)": (build_member_page, 2, 40, 11),
    "person (a group)": (build_group_page, 2, 40, 9),
    # One more: the themes of the franchise and of its films. One more: its films' reviews.
    "franchise": (build_franchise_page, 2, 12, 7),
    # One for every kind's ranks, snippets and totals, then the rows of the four kinds found
    # (films, people, tracks, reviews), and the reviews' bylines.
    "search": (build_search, 1, 30, 8),
    "search in one kind": (lambda size: build_search(size, "reviews"), 1, 30, 5),
    # One more: the reviews' corrections, under their bodies.
    "feed": (lambda size: build_archive(size) and "/reviews/feed/", 1, 30, 3),
}


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize(
    ("builder", "small", "large", "queries"), QUERY_COUNTS.values(), ids=QUERY_COUNTS.keys()
)
def test_page_query_count_does_not_grow_with_its_content(
    client, db, django_assert_num_queries, builder, small, large, queries, size
):
    path = builder(small if size == "small" else large)

    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200
    # The large page really shows more than the small one fits on a handful of rows.
    assert re.search(rb"<main", response.content) or path.endswith("/feed/")
