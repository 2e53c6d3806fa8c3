"""Verdicts: album ratings on the publication's scale, a verdict line and badges, in the admin,
on the review's page and on its cards, said in words; hostile input is a form error."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.factories import WriterFactory
from reviews.models import AlbumRating, Badge, Review
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import SoundtrackFactory

pytestmark = pytest.mark.django_db

PREFIX = "album_ratings"


@pytest.fixture
def review():
    review = ReviewFactory(headline="Grid Lines", verdict="Loud, lean and never idle.")
    album = SoundtrackFactory(film=review.film, title="Grid Lines (Score)")
    review.soundtracks.add(album)
    return review


def album_of(review):
    return review.soundtracks.get()


def with_ratings(data, *rows):
    """``data`` with the album-rating rows ``rows`` (``(album id, score)``) added as new rows."""
    existing = int(data[f"{PREFIX}-TOTAL_FORMS"])
    for number, (album, score) in enumerate(rows, existing):
        data[f"{PREFIX}-{number}-soundtrack"] = str(album)
        data[f"{PREFIX}-{number}-score"] = str(score)
        data[f"{PREFIX}-{number}-review"] = ""
        data[f"{PREFIX}-{number}-id"] = ""
    data[f"{PREFIX}-TOTAL_FORMS"] = str(existing + len(rows))
    return data


def post_ratings(client, review, *rows, **changes):
    url = admin_url(Review, "change", review.pk)
    data = with_ratings(form_data(client.get(url)), *rows)
    data.update(changes)
    return client.post(url, data)


def text_of(response):
    return " ".join(response.content.decode().split())


# The page and its cards ---------------------------------------------------------------------


def test_the_page_says_the_rating_verdict_and_badges_in_words(client, review):
    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=8)
    review.badges.add(Badge.objects.create(name="Best of the year", slug="best-of-the-year"))

    page = text_of(client.get(review.get_absolute_url()))

    head = page[page.index('<header class="review-head') :]
    head = head[: head.index("</header>")]
    assert "Verdict:</span> Loud, lean and never idle." in head
    assert 'Grid Lines (Score)</a>: <strong class="rating-score">Rated 8 out of 10' in head
    assert '<li class="badge">Best of the year</li>' in head


def test_a_review_without_a_verdict_shows_none(client):
    page = text_of(client.get(ReviewFactory().get_absolute_url()))
    assert 'class="verdict' not in page
    assert "Rated" not in page


def test_cards_show_the_verdict_the_ratings_and_the_badges(client, review):
    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=7)
    review.badges.add(Badge.objects.create(name="Essential", slug="essential"))
    page = text_of(client.get("/reviews/"))
    card = page[page.index('<article class="card') :]
    card = card[: card.index("</article>")]
    assert "Loud, lean and never idle." in card
    # One rating: the card needs no album's name, and says it in words.
    assert '<strong class="rating-score">Rated 7 out of 10</strong>' in card
    assert "Grid Lines (Score):" not in card
    assert '<li class="badge">Essential</li>' in card
    # The home page's lead review says it too, and its cards are the same cards.
    assert "Rated 7 out of 10" in text_of(client.get("/"))
    ReviewFactory(headline="Newer")
    home = text_of(client.get("/"))
    assert home.index("Newer") < home.index("Rated 7 out of 10")
    assert '<li class="badge">Essential</li>' in home


def test_a_card_of_several_ratings_names_each_album(client, review):
    score = album_of(review)
    other = SoundtrackFactory(title="Grid Lines (Songs)")
    review.soundtracks.add(other)
    AlbumRating.objects.create(review=review, soundtrack=other, score=5)
    AlbumRating.objects.create(review=review, soundtrack=score, score=9)
    page = text_of(client.get("/reviews/"))
    # The album of the review's film first, whatever order they were rated in.
    first = page.index("Grid Lines (Score): <strong")
    assert first < page.index("Grid Lines (Songs): <strong")
    assert "Rated 9 out of 10" in page
    assert "Rated 5 out of 10" in page


def test_cards_run_a_fixed_number_of_queries_however_many_are_rated(
    client, django_assert_num_queries
):
    badge = Badge.objects.create(name="Essential", slug="essential")

    def rated(count):
        for _ in range(count):
            review = ReviewFactory()
            album = SoundtrackFactory(film=review.film)
            review.soundtracks.add(album)
            review.badges.add(badge)
            AlbumRating.objects.create(review=review, soundtrack=album, score=6)

    rated(1)
    with django_assert_num_queries(5) as one:
        Client().get("/reviews/")
    rated(12)
    with django_assert_num_queries(len(one.captured_queries)):
        response = Client().get("/reviews/")
    assert text_of(response).count("Rated 6 out of 10") == 13


def test_a_renamed_badge_is_seen_on_the_cached_page(client, review, settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_TIMEOUT = 600
    settings.FRAGMENT_CACHE_TIMEOUT = 600
    cache.clear()
    badge = Badge.objects.create(name="Essential", slug="essential")
    review.badges.add(badge)
    assert "Essential" in text_of(client.get(review.get_absolute_url()))
    badge.name = "Essential listening"
    badge.save()
    rating = AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=3)
    page = text_of(client.get(review.get_absolute_url()))
    assert "Essential listening" in page
    assert "Rated 3 out of 10" in page
    rating.score = 4
    rating.save()
    assert "Rated 4 out of 10" in text_of(client.get(review.get_absolute_url()))
    assert "Rated 4 out of 10" in text_of(client.get("/reviews/"))
    cache.clear()


# The admin ----------------------------------------------------------------------------------


def test_an_editor_rates_an_album_the_review_covers(editor_client, review):
    response = post_ratings(editor_client, review, (album_of(review).pk, 9))
    assert response.status_code == 302, form_errors(response)
    rating = review.album_ratings.get()
    assert (rating.soundtrack, rating.score, rating.out_of) == (album_of(review), 9, 10)


def test_an_album_added_in_the_same_save_may_be_rated(editor_client, review):
    new = SoundtrackFactory()
    albums = [str(album_of(review).pk), str(new.pk)]
    response = post_ratings(editor_client, review, (new.pk, 6), soundtracks=albums)
    assert response.status_code == 302, form_errors(response)
    assert review.album_ratings.get().soundtrack == new


def test_the_scale_is_the_publications(editor_client, review, settings):
    settings.REVIEW_RATING_SCALE = 5
    response = post_ratings(editor_client, review, (album_of(review).pk, 6))
    assert response.status_code == 200
    assert "less than or equal to 5" in str(form_errors(response))
    response = post_ratings(editor_client, review, (album_of(review).pk, 5))
    assert response.status_code == 302, form_errors(response)
    assert review.album_ratings.get().out_of == 5


@pytest.mark.parametrize("score", ["0", "11", "-3", "7.5", "abc", "", str(10**30), "%00"])
def test_a_score_off_the_scale_or_not_a_number_is_a_form_error(editor_client, review, score):
    response = post_ratings(editor_client, review, (album_of(review).pk, score))
    assert response.status_code == 200
    assert form_errors(response)[1], "the rating row carries an error"
    assert not review.album_ratings.exists()


def test_an_album_the_review_does_not_cover_is_refused_on_its_row(editor_client, review):
    # Another review's album: it exists, but this review does not cover it.
    elsewhere = ReviewFactory()
    theirs = SoundtrackFactory(film=elsewhere.film)
    elsewhere.soundtracks.add(theirs)
    response = post_ratings(editor_client, review, (theirs.pk, 8))
    assert response.status_code == 200
    assert "is not one of the albums this review covers" in str(form_errors(response))
    assert not AlbumRating.objects.exists()


def test_removing_a_rated_album_from_the_review_is_refused(editor_client, review):
    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=8)
    url = admin_url(Review, "change", review.pk)
    data = form_data(editor_client.get(url))
    data.pop("soundtracks")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "is not one of the albums this review covers" in str(form_errors(response))
    assert review.soundtracks.count() == 1


def test_an_album_rated_twice_is_refused(editor_client, review):
    album = album_of(review).pk
    response = post_ratings(editor_client, review, (album, 8), (album, 3))
    assert response.status_code == 200
    assert not review.album_ratings.exists()


@pytest.mark.parametrize("album", ["abc", str(10**30), "%00", "-1", "999999"])
def test_an_album_that_is_none_is_a_form_error(editor_client, review, album):
    response = post_ratings(editor_client, review, (album, 8))
    assert response.status_code == 200
    assert not review.album_ratings.exists()


def test_a_huge_verdict_is_a_form_error_and_keeps_the_old_one(editor_client, review):
    url = admin_url(Review, "change", review.pk)
    data = form_data(editor_client.get(url))
    data["verdict"] = "x" * 100_000
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "at most 140 characters" in str(form_errors(response))
    review.refresh_from_db()
    assert review.verdict == "Loud, lean and never idle."


def test_a_writer_rates_their_own_draft(client, review):
    writer = WriterFactory()
    draft = ReviewFactory(status=Review.Status.DRAFT, publish_at=None, created_by=writer)
    album = SoundtrackFactory(film=draft.film)
    draft.soundtracks.add(album)
    client.force_login(writer)
    response = post_ratings(client, draft, (album.pk, 4))
    assert response.status_code == 302, form_errors(response)
    assert draft.album_ratings.get().score == 4


def test_editors_define_badges_and_writers_only_see_them(client, editor_client):
    response = editor_client.post(
        admin_url(Badge, "add"), {"name": "Best of the year", "slug": "best-of-the-year"}
    )
    assert response.status_code == 302, form_errors(response)
    badge = Badge.objects.get()
    assert str(badge) == "Best of the year"
    client.force_login(WriterFactory())
    assert client.get(admin_url(Badge, "changelist")).status_code == 200
    assert client.post(admin_url(Badge, "add"), {"name": "Mine", "slug": "mine"}).status_code == 403
    assert Badge.objects.count() == 1


@pytest.mark.parametrize("name", ["", "x" * 100_000])
def test_a_badge_without_a_name_or_with_a_huge_one_is_a_form_error(editor_client, name):
    response = editor_client.post(admin_url(Badge, "add"), {"name": name, "slug": "a-badge"})
    assert response.status_code == 200
    assert not Badge.objects.exists()


# The model ----------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, 11])
def test_the_database_refuses_a_score_off_its_scale(review, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=score)


def test_the_database_refuses_a_second_rating_of_one_album(review):
    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=6)


def test_a_rating_is_kept_in_the_reviews_history(editor_client, review):
    from editorial.revisions import versions_of

    post_ratings(editor_client, review, (album_of(review).pk, 9))
    revision = versions_of(review).last().revision
    kept = [version.object_repr for version in revision.version_set.all()]
    assert "Grid Lines (Score): 9 out of 10" in kept


def test_a_deleted_review_comes_back_with_its_ratings_and_corrections(editor, review):
    from editorial.revisions import deleted_version, deleted_version_ids, recover
    from reviews.models import Correction

    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=8)
    Correction.objects.create(review=review, note="It runs 24 tracks.")
    review.delete()
    assert not AlbumRating.objects.exists()

    (version_id,) = deleted_version_ids(Review)
    back, warnings = recover(deleted_version(Review, version_id), user=editor)

    assert not warnings
    assert [(r.soundtrack.title, r.score) for r in back.album_ratings.all()] == [
        ("Grid Lines (Score)", 8)
    ]
    assert [note.note for note in back.corrections.all()] == ["It runs 24 tracks."]


def test_the_api_gives_the_verdict_and_each_rating_on_its_scale(client, review):
    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=4, out_of=5)
    data = client.get(f"/api/reviews/{review.slug}").json()
    assert data["verdict"] == "Loud, lean and never idle."
    assert data["ratings"] == [{"soundtrack": album_of(review).slug, "score": 4, "out_of": 5}]
    # The old single rating was out of 10: a score on another scale is not passed off as one.
    assert data["rating"] is None


def test_the_api_keeps_the_old_rating_out_of_10_for_clients_that_read_it(client, review):
    assert client.get(f"/api/reviews/{review.slug}").json()["rating"] is None
    AlbumRating.objects.create(review=review, soundtrack=album_of(review), score=8, out_of=10)
    for data in (
        client.get(f"/api/reviews/{review.slug}").json(),
        client.get("/api/reviews/").json()["results"][0],
    ):
        assert data["rating"] == 8
        assert data["ratings"] == [{"soundtrack": album_of(review).slug, "score": 8, "out_of": 10}]
