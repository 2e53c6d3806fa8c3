"""Person, group and franchise pages list the published reviews that discuss them (issue 13,
item 2), and so do the pages of all of them.

A review discusses everyone credited on its films (its film and other films) and the artists
of its albums and of its films' albums; a person also through the groups they are in, a group
not through its members' other work (``reviews.discussed``). Drafts, reviews in review,
withdrawn and scheduled ones are never listed.
"""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from editorial.tests.html import parse_html
from films.models import Credit
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.catalogue import DISCUSSED_SHOWN
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory
from soundtracks.tests.factories import SoundtrackFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 20


def listed(response):
    """The headlines of the review cards on a page, in order."""
    assert response.status_code == 200
    html = parse_html(response.content.decode())
    return [heading.find("a").text for heading in html.find_all(".card-title")]


def test_the_tron_ares_review_is_on_the_pages_of_reznor_the_group_and_the_franchise(client, tron):
    headline = Review.objects.get().headline
    for url in (
        "/people/trent-reznor/",
        "/people/atticus-ross/",
        "/people/nine-inch-nails/",
        "/people/joachim-ronning/",
        "/franchises/tron/",
        # Its other films: it weighs the score against Carlos's and Daft Punk's.
        "/people/wendy-carlos/",
        "/people/daft-punk/",
    ):
        assert listed(client.get(url)) == [headline], url


@pytest.fixture
def person():
    return PersonFactory(name="Trent Reznor")


def test_a_review_of_a_film_they_are_credited_on_in_any_role(client, person):
    film = FilmFactory()
    CreditFactory(film=film, person=person, role=Credit.Role.CAST)
    ReviewFactory(film=film, headline="Of the film")
    ReviewFactory(headline="Of another film").other_films.add(film)
    ReviewFactory(headline="Not theirs")

    assert sorted(listed(client.get(person.get_absolute_url()))) == [
        "Of another film",
        "Of the film",
    ]


def test_a_review_of_their_album_or_of_an_album_of_their_film(client, person):
    album = SoundtrackFactory()
    album.artists.add(person)
    ReviewFactory(film=None, headline="Of their album").soundtracks.add(album)
    scored = FilmFactory()
    CreditFactory(film=scored, person=person, role=Credit.Role.COMPOSER)
    other_album = SoundtrackFactory(film=scored)
    ReviewFactory(film=None, headline="Of their film's album").soundtracks.add(other_album)

    assert sorted(listed(client.get(person.get_absolute_url()))) == [
        "Of their album",
        "Of their film's album",
    ]


def test_a_member_is_discussed_through_the_group_but_not_the_group_through_a_member(client, person):
    group = PersonFactory(name="Nine Inch Nails", is_group=True)
    group.members.add(person)
    band_film = FilmFactory()
    CreditFactory(film=band_film, person=group, role=Credit.Role.COMPOSER)
    solo_film = FilmFactory()
    CreditFactory(film=solo_film, person=person, role=Credit.Role.COMPOSER)
    ReviewFactory(film=band_film, headline="The band's score")
    ReviewFactory(film=solo_film, headline="A solo score")

    assert sorted(listed(client.get(person.get_absolute_url()))) == [
        "A solo score",
        "The band's score",
    ]
    assert listed(client.get(group.get_absolute_url())) == ["The band's score"]


def test_a_review_covering_several_of_their_films_and_albums_is_listed_once(client, person):
    films = [FilmFactory() for _ in range(3)]
    for film in films:
        CreditFactory(film=film, person=person, role=Credit.Role.COMPOSER)
    review = ReviewFactory(film=films[0], headline="Everything")
    review.other_films.add(*films[1:])
    review.soundtracks.add(*(SoundtrackFactory(film=film) for film in films))

    assert listed(client.get(person.get_absolute_url())) == ["Everything"]


HIDDEN = {
    "draft": {"status": Review.Status.DRAFT, "publish_at": None},
    "in review": {"status": Review.Status.IN_REVIEW, "publish_at": None},
    "withdrawn": {"status": Review.Status.WITHDRAWN},
    "scheduled": {"publish_at": timezone.now() + datetime.timedelta(days=2)},
}


@pytest.mark.parametrize("state", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_review_readers_cannot_see_is_on_no_person_or_franchise_page(client, person, state):
    film = FilmFactory(franchise=FranchiseFactory())
    CreditFactory(film=film, person=person, role=Credit.Role.COMPOSER)
    ReviewFactory(film=film, headline="Secret Grid Sequel", **state)

    for url in (
        person.get_absolute_url(),
        film.franchise.get_absolute_url(),
        f"{person.get_absolute_url()}reviews/",
        f"{film.franchise.get_absolute_url()}reviews/",
    ):
        assert "Secret Grid Sequel" not in client.get(url).content.decode(), url


def test_the_franchise_lists_the_reviews_of_its_films_and_their_albums(client):
    franchise = FranchiseFactory(name="Tron")
    films = [FilmFactory(franchise=franchise) for _ in range(3)]
    ReviewFactory(film=films[0], headline="Of the first")
    ReviewFactory(film=FilmFactory(), headline="Against the second").other_films.add(films[1])
    ReviewFactory(film=None, headline="Of the third's album").soundtracks.add(
        SoundtrackFactory(film=films[2])
    )
    ReviewFactory(headline="Of another film")

    assert sorted(listed(client.get(franchise.get_absolute_url()))) == [
        "Against the second",
        "Of the first",
        "Of the third's album",
    ]


def reviews_of(person, count):
    film = FilmFactory()
    CreditFactory(film=film, person=person, role=Credit.Role.COMPOSER)
    now = timezone.now()
    return [
        ReviewFactory(
            film=film, headline=f"Review {n:02}", publish_at=now - datetime.timedelta(hours=n)
        )
        for n in range(count)
    ]


def test_the_page_shows_the_newest_few_and_links_to_all_of_them(client, person):
    reviews_of(person, DISCUSSED_SHOWN + 1)

    response = client.get(person.get_absolute_url())

    assert listed(response) == [f"Review {n:02}" for n in range(DISCUSSED_SHOWN)]
    assert f'href="{person.get_absolute_url()}reviews/"' in response.content.decode()


def test_no_link_to_all_of_them_when_the_page_shows_them_all(client, person):
    reviews_of(person, DISCUSSED_SHOWN)

    response = client.get(person.get_absolute_url())

    assert len(listed(response)) == DISCUSSED_SHOWN
    assert f"{person.get_absolute_url()}reviews/" not in response.content.decode()


def test_the_page_of_all_of_them_is_paginated_newest_first(client, person):
    reviews_of(person, PER_PAGE + 1)
    url = f"{person.get_absolute_url()}reviews/"

    assert listed(client.get(url)) == [f"Review {n:02}" for n in range(PER_PAGE)]
    assert listed(client.get(f"{url}?page=2")) == [f"Review {PER_PAGE:02}"]
    html = parse_html(client.get(url).content.decode())
    assert html.text_of("h1") == "Reviews discussing Trent Reznor"
    trail = html.find("nav.breadcrumbs").find_all("a")
    assert [a.text for a in trail] == ["Home", "People", "Trent Reznor", "Reviews"]


@pytest.mark.parametrize("value", ["0", "-1", "2", str(10**30), "abc"])
def test_a_page_of_them_that_does_not_exist_is_404(client, person, value):
    reviews_of(person, 1)

    assert client.get(f"{person.get_absolute_url()}reviews/?page={value}").status_code == 404


def test_the_page_of_all_of_them_is_404_without_any_or_for_no_such_person(client, person):
    franchise = FranchiseFactory()
    FilmFactory(franchise=franchise)

    assert client.get(f"{person.get_absolute_url()}reviews/").status_code == 404
    assert client.get(f"{franchise.get_absolute_url()}reviews/").status_code == 404
    assert client.get("/people/no-such-person/reviews/").status_code == 404
    assert client.get("/franchises/no-such-franchise/reviews/").status_code == 404


def test_the_franchise_page_of_all_of_them(client):
    franchise = FranchiseFactory(name="Tron")
    film = FilmFactory(franchise=franchise)
    for n in range(DISCUSSED_SHOWN + 1):
        ReviewFactory(film=film, headline=f"Review {n:02}")

    page = client.get(franchise.get_absolute_url()).content.decode()
    assert f'href="{franchise.get_absolute_url()}reviews/"' in page
    assert len(listed(client.get(f"{franchise.get_absolute_url()}reviews/"))) == (
        DISCUSSED_SHOWN + 1
    )


# Query counts: one query for the reviews and one for their bylines, however many there are.


def build_member(size):
    person = PersonFactory()
    group = PersonFactory(is_group=True)
    group.members.add(person)
    for n in range(size):
        film = FilmFactory()
        CreditFactory(film=film, person=group if n % 2 else person, role=Credit.Role.COMPOSER)
        album = SoundtrackFactory(film=film)
        album.artists.add(person)
        review = ReviewFactory(film=film, authors=[AuthorFactory(), AuthorFactory()])
        review.soundtracks.add(album)
    return person.get_absolute_url()


def build_group(size):
    group = PersonFactory(is_group=True)
    group.members.set([PersonFactory() for _ in range(3)])
    for _ in range(size):
        film = FilmFactory()
        CreditFactory(film=film, person=group, role=Credit.Role.COMPOSER)
        ReviewFactory(film=film).other_films.add(FilmFactory())
    return group.get_absolute_url()


def build_franchise(size):
    franchise = FranchiseFactory()
    for n in range(size):
        film = FilmFactory(franchise=franchise, franchise_order=n + 1)
        CreditFactory(film=film, role=Credit.Role.COMPOSER)
        ReviewFactory(film=film)
    return franchise.get_absolute_url()


def build_all_of_a_person(size):
    return f"{build_member(size)}reviews/"


# page: (builder, queries). The person and franchise pages run what they ran before, plus the
# reviews and their bylines (a franchise without albums skips their artists); the page of all
# of them: the person, the count, the page of reviews and their bylines.
# And one on a person's page: whether any published review discusses them, for the links to
# their feeds in its head (reviews.feeds.alternates). And two for the reviews' cards: their
# album ratings (with the albums) and badges, for the verdict each card shows.
QUERY_COUNTS = {
    "person (a member of a group)": (build_member, 12),
    "person (a group)": (build_group, 10),
    "franchise": (build_franchise, 9),
    "all the reviews discussing a person": (build_all_of_a_person, 6),
}


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize(("builder", "queries"), QUERY_COUNTS.values(), ids=QUERY_COUNTS.keys())
def test_the_query_count_does_not_grow_with_the_reviews(
    client, django_assert_num_queries, builder, queries, size
):
    url = builder(size)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert len(listed(response)) == min(size, PER_PAGE if url.endswith("reviews/") else 6)


# The page cache: an edit of a review listed on a person's page reaches that page.


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    settings.FRAGMENT_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


def cached(client, *urls):
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Cache"] == "hit", url


@pytest.mark.usefixtures("page_cache_on")
def test_an_edit_of_a_listed_review_reaches_the_person_and_franchise_pages(client, person):
    film = FilmFactory(franchise=FranchiseFactory())
    CreditFactory(film=film, person=person, role=Credit.Role.COMPOSER)
    review = ReviewFactory(film=film, headline="Grid Lines")
    other = PersonFactory()
    CreditFactory(person=other, role=Credit.Role.COMPOSER)
    ReviewFactory(film=other.credits.get().film)
    pages = [
        person.get_absolute_url(),
        f"{person.get_absolute_url()}reviews/",
        film.franchise.get_absolute_url(),
    ]
    cached(client, *pages, other.get_absolute_url())

    review.headline = "Grid Lines, Redrawn"
    review.save()

    for url in pages:
        response = client.get(url)
        assert response["X-Cache"] == "miss", url
        assert listed(response) == ["Grid Lines, Redrawn"], url
    assert client.get(other.get_absolute_url())["X-Cache"] == "hit"


@pytest.mark.usefixtures("page_cache_on")
def test_a_review_published_or_withdrawn_reaches_the_person_page(client, person):
    film = FilmFactory()
    CreditFactory(film=film, person=person, role=Credit.Role.COMPOSER)
    ReviewFactory(film=film, headline="First")
    draft = ReviewFactory(film=film, headline="Second", status=Review.Status.DRAFT, publish_at=None)
    cached(client, person.get_absolute_url())

    draft.status = Review.Status.PUBLISHED
    draft.publish_at = timezone.now()
    draft.save()
    assert listed(client.get(person.get_absolute_url())) == ["Second", "First"]
    cached(client, person.get_absolute_url())

    draft.status = Review.Status.WITHDRAWN
    draft.save()
    assert listed(client.get(person.get_absolute_url())) == ["First"]


@pytest.mark.usefixtures("page_cache_on")
def test_a_new_credit_brings_the_films_reviews_to_the_person_page(client, person):
    film = FilmFactory()
    ReviewFactory(film=film, headline="Of the film")
    reviews_of(person, 1)
    cached(client, person.get_absolute_url(), f"{person.get_absolute_url()}reviews/")

    CreditFactory(film=film, person=person, role=Credit.Role.COMPOSER)

    for url in (person.get_absolute_url(), f"{person.get_absolute_url()}reviews/"):
        assert "Of the film" in listed(client.get(url)), url
