"""The music page and the cue page with their reviews (``reviews.cue_pages``): the published
reviews citing each cue, and those a cue's facts come from; never a review readers cannot see."""

import datetime

import pytest
from django.utils import timezone

from editorial.tests.html import parse_html
from films.tests.factories import FilmFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import CueFactory, CueTrackFactory, SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200
    return parse_html(response.content.decode())


def music_url(film):
    return f"/films/{film.slug}/music/"


@pytest.fixture
def cue():
    return CueFactory(title="The Escape", slug="the-escape")


def citing(*cues):
    """A review body that cites ``cues`` as writers do, ``[text](cue:film/slug)``."""
    return " ".join(f"[{cue.title}](cue:{cue.film.slug}/{cue.slug})" for cue in cues)


def hidden_reviews(cue):
    """A draft, one in review, a withdrawn one and one scheduled for tomorrow, each citing
    ``cue`` and the source of its facts."""
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    reviews = [
        ReviewFactory(headline="Draft", status=Review.Status.DRAFT, body=citing(cue)),
        ReviewFactory(headline="In review", status=Review.Status.IN_REVIEW, body=citing(cue)),
        ReviewFactory(headline="Withdrawn", status=Review.Status.WITHDRAWN, body=citing(cue)),
        ReviewFactory(headline="Scheduled", publish_at=tomorrow, body=citing(cue)),
    ]
    for review in reviews:
        review.cues_sourced.add(cue)
    return reviews


def test_music_page_shows_the_published_reviews_citing_each_cue(client, cue):
    review = ReviewFactory(film=cue.film, headline="The score, reviewed", body=citing(cue))
    hidden_reviews(cue)

    html = page(client.get(music_url(cue.film)))

    row = html.find(id=cue.anchor)
    cited = [(a.text, a["href"]) for a in row.find_all("a") if a["href"].startswith("/reviews/")]
    assert cited == [("The score, reviewed", review.get_absolute_url())]
    assert "Cited in" in [th.text for th in html.find("table").find_all("th")]
    for hidden in ("Draft", "In review", "Withdrawn", "Scheduled"):
        assert hidden not in html.text


def test_music_page_has_no_cited_in_column_when_no_published_review_cites_a_cue(client, cue):
    hidden_reviews(cue)

    html = page(client.get(music_url(cue.film)))

    assert "Cited in" not in [th.text for th in html.find("table").find_all("th")]
    assert "Draft" not in html.text


def test_cue_page_shows_the_reviews_citing_it_and_those_its_facts_come_from(client, cue):
    cue.known_from = cue.Source.ARTICLE
    cue.save()
    ReviewFactory(headline="Citing", body=citing(cue))
    source = ReviewFactory(film=cue.film, headline="Where it is known from")
    source.cues_sourced.add(cue)
    hidden_reviews(cue)

    html = page(client.get(cue.get_absolute_url()))

    cited = html.find("section", **{"aria-labelledby": "cited-title"})
    assert [a.text for a in cited.find_all("a")] == ["Citing"]
    known = html.text_of(".cue-facts")
    assert "Known from An article or review; Where it is known from" in known
    assert html.find("a", href=source.get_absolute_url())
    for hidden in ("Draft", "In review", "Withdrawn", "Scheduled"):
        assert hidden not in html.text


def test_cue_page_names_a_published_source_even_without_known_from(client, cue):
    ReviewFactory(film=cue.film, headline="The source").cues_sourced.add(cue)

    html = page(client.get(cue.get_absolute_url()))

    assert "Known from The source" in html.text_of(".cue-facts")


def test_review_infobox_links_to_the_films_music_page(client, cue):
    review = ReviewFactory(film=cue.film)

    html = page(client.get(review.get_absolute_url()))

    link = html.find("p.infobox-music").find("a")
    assert link["href"] == music_url(cue.film)
    assert page(client.get(link["href"])).find(id=cue.anchor)


def test_review_infobox_has_no_music_link_for_a_film_without_a_cue_sheet(client, db):
    review = ReviewFactory(film=FilmFactory())

    html = page(client.get(review.get_absolute_url()))

    assert html.find(".infobox") is not None
    assert html.find("p.infobox-music") is None


def build(size):
    """A film of ``size`` cues, each on an album track, each cited by two published reviews and
    sourced from one, with hidden reviews citing them too."""
    film = FilmFactory(runtime=240)
    album = SoundtrackFactory(film=film)
    cues = [
        CueTrackFactory(
            track=TrackFactory(soundtrack=album),
            cue__film=film,
            cue__start=n * 60,
            cue__end=n * 60 + 30,
        ).cue
        for n in range(size)
    ]
    count = max(2, size // 20)
    for n in range(count):
        cited = [cue for i, cue in enumerate(cues) if i % count in (n, (n + 1) % count)]
        ReviewFactory(film=film, body=citing(*cited)).cues_sourced.set(cited)
    ReviewFactory(film=film, headline="Draft", status=Review.Status.DRAFT, body=citing(*cues))
    return film, cues


# The same counts as the pages without reviews plus one (the music page) and two (the cue
# page): soundtracks/tests/test_music_pages.py pins those through these views.
@pytest.mark.parametrize("size", [3, 200])
@pytest.mark.parametrize(
    ("address", "queries"),
    [
        (lambda film, cues: music_url(film), 9),
        (lambda film, cues: cues[1].get_absolute_url(), 8),
    ],
    ids=["music page", "cue page"],
)
def test_citations_add_a_fixed_number_of_queries(
    client, django_assert_num_queries, address, queries, size
):
    path = address(*build(size))

    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200
    assert b"Draft" not in response.content
    # The cue cited by two published reviews and sourced from one shows them.
    assert response.content.count(b'href="/reviews/review-') >= 2
