"""Surrogate keys: each page names what it shows, and a change purges exactly those pages.

The in-process page cache is on (local memory) and checks the same keys the front cache is
sent, so "purged" here is what a reader sees: a miss, and the new content. One module, over
400 lines, for one rule (each change purges what shows it, and nothing else), case by case.
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from films.tests.factories import CreditFactory, FilmFactory, PersonFactory
from pagecache import frontcache, keys, versions
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory
from soundtracks.tests.factories import (
    CueFactory,
    SoundtrackFactory,
    ThemeFactory,
    TrackFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


class Sent(list):
    """The keys of each purge the front cache is told of, in order; ``soft`` holds those of
    the soft purges among them."""

    def __init__(self):
        super().__init__()
        self.soft = []

    def __call__(self, keys, soft=False):
        self.append(set(keys))
        if soft:
            self.soft.append(set(keys))

    def clear(self):
        super().clear()
        self.soft.clear()


@pytest.fixture
def sent(monkeypatch):
    """What the front cache is told, purge by purge."""
    purges = Sent()
    monkeypatch.setattr(frontcache, "purge", purges)
    return purges


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def keys_of(response):
    return set(response["xkey"].split())


@pytest.fixture
def catalogue():
    """Two films, each with a review, a director, an album with a track and a cue."""
    made = {}
    for name in ("ares", "legacy"):
        film = FilmFactory(title=f"Tron {name}")
        director = PersonFactory(name=f"Director of {name}")
        CreditFactory(film=film, person=director, role="director")
        album = SoundtrackFactory(film=film, title=f"{name} album")
        track = TrackFactory(soundtrack=album, title=f"{name} theme")
        cue = CueFactory(film=film, title=f"{name} cue")
        review = ReviewFactory(film=film, headline=f"{name} reviewed")
        review.soundtracks.add(album)
        review.tags.add(TagFactory(name=f"{name} tag"))
        review.authors.add(AuthorFactory(name=f"{name} writer"))
        made[name] = {
            "film": film,
            "director": director,
            "album": album,
            "track": track,
            "cue": cue,
            "review": review,
        }
    return made


def test_a_review_page_names_the_rows_it_shows(client, catalogue):
    ares = catalogue["ares"]
    review = ares["review"]
    names = keys_of(get(client, review.get_absolute_url()))
    expected = {
        "all",
        f"review:{review.pk}",
        f"film:{ares['film'].pk}",
        f"person:{ares['director'].pk}",
        f"soundtrack:{ares['album'].pk}",
        *(f"tag:{tag.pk}" for tag in review.tags.all()),
        *(f"author:{author.pk}" for author in review.authors.all()),
    }
    assert expected <= names
    legacy = catalogue["legacy"]
    assert f"review:{legacy['review'].pk}" not in names
    assert f"film:{legacy['film'].pk}" not in names


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("film", ["film", "director", "album", "review"]),
        ("album", ["album", "film"]),
        ("director", ["director", "film"]),
        ("music", ["film", "cue"]),
        ("cue", ["cue", "film"]),
    ],
)
def test_every_page_type_names_the_rows_it_shows(client, catalogue, page, shown):
    ares = catalogue["ares"]
    film = ares["film"]
    urls = {
        "film": film.get_absolute_url(),
        "album": ares["album"].get_absolute_url(),
        "director": ares["director"].get_absolute_url(),
        "music": f"{film.get_absolute_url()}music/",
        "cue": ares["cue"].get_absolute_url(),
    }
    names = keys_of(get(client, urls[page]))
    for thing in shown:
        row = ares[thing]
        assert f"{type(row)._meta.model_name}:{row.pk}" in names, (page, thing)
    assert f"film:{catalogue['legacy']['film'].pk}" not in names


@pytest.mark.parametrize(
    ("url", "listed"),
    [
        ("/", "list:review"),
        ("/reviews/", "list:review"),
        ("/reviews/feed/", "list:review"),
        ("/reviews/feed/atom/", "list:review"),
        ("/films/", "list:film"),
        ("/sitemap.xml", "list:cue"),
    ],
)
def test_a_list_says_which_model_it_lists(client, catalogue, url, listed):
    assert listed in keys_of(get(client, url))


def test_the_sitemap_lists_every_model(client, catalogue):
    names = keys_of(get(client, "/sitemap.xml"))
    for model in ("review", "film", "person", "soundtrack", "cue", "theme", "tag", "author"):
        assert f"list:{model}" in names


def test_a_page_of_very_many_rows_names_their_model_instead():
    collected = keys.Keys()
    for pk in range(keys.ROWS_NAMED_PER_MODEL + 1):
        collected.add_row("cue", pk)
    collected.add_row("film", 3)
    assert collected.names() == ["all", "film:3", "list:cue"]


def cached(client, *urls):
    for url in urls:
        get(client, url)
        assert get(client, url)["X-Cache"] == "hit", url


def test_an_edit_of_a_film_purges_its_pages_and_its_reviews_and_nothing_else(client, catalogue):
    ares, legacy = catalogue["ares"], catalogue["legacy"]
    pages = {
        name: [
            parts["review"].get_absolute_url(),
            parts["film"].get_absolute_url(),
            parts["album"].get_absolute_url(),
        ]
        for name, parts in catalogue.items()
    }
    cached(client, *pages["ares"], *pages["legacy"])

    ares["film"].title = "Tron: Ares (2025)"
    ares["film"].save()

    for url in pages["ares"]:
        response = get(client, url)
        assert response["X-Cache"] == "miss", url
        assert "Tron: Ares (2025)" in response.text, url
    for url in pages["legacy"]:
        assert get(client, url)["X-Cache"] == "hit", url
    assert legacy["film"].title in get(client, pages["legacy"][0]).text


def test_renaming_a_person_purges_every_page_crediting_them(client, catalogue):
    ares = catalogue["ares"]
    review_url = ares["review"].get_absolute_url()
    unrelated = catalogue["legacy"]["review"].get_absolute_url()
    cached(client, review_url, ares["director"].get_absolute_url(), unrelated)

    ares["director"].name = "Joachim Rønning"
    ares["director"].save()

    assert "Joachim Rønning" in get(client, review_url).text
    assert get(client, ares["director"].get_absolute_url())["X-Cache"] == "miss"
    assert get(client, unrelated)["X-Cache"] == "hit"


def test_a_track_edit_purges_its_album_and_the_pages_showing_the_album(client, catalogue):
    ares = catalogue["ares"]
    album_url = ares["album"].get_absolute_url()
    unrelated = catalogue["legacy"]["album"].get_absolute_url()
    cached(client, album_url, unrelated)

    ares["track"].title = "Infiltrator"
    ares["track"].save()

    assert "Infiltrator" in get(client, album_url).text
    assert get(client, unrelated)["X-Cache"] == "hit"


def test_a_new_credit_reaches_the_film_and_the_person(client, catalogue):
    ares = catalogue["ares"]
    composer = PersonFactory(name="Trent Reznor")
    cached(client, ares["film"].get_absolute_url(), composer.get_absolute_url())

    CreditFactory(film=ares["film"], person=composer, role="composer")

    assert "Trent Reznor" in get(client, ares["film"].get_absolute_url()).text
    assert ares["film"].title in get(client, composer.get_absolute_url()).text


def test_a_new_cue_reaches_the_music_page_and_a_deleted_one_leaves_it(client, catalogue):
    film = catalogue["ares"]["film"]
    music = f"{film.get_absolute_url()}music/"
    cached(client, music)

    cue = CueFactory(film=film, title="Echoes of the Grid")
    assert "Echoes of the Grid" in get(client, music).text
    cached(client, music)

    cue.delete()
    assert "Echoes of the Grid" not in get(client, music).text


def test_tagging_a_review_and_clearing_its_tags_reach_the_tag_page(client, catalogue):
    review = catalogue["legacy"]["review"]
    tag = TagFactory(name="Synthesizers")
    catalogue["ares"]["review"].tags.add(tag)  # a tag page lists at least one review
    cached(client, tag.get_absolute_url())

    review.tags.add(tag)
    assert review.headline in get(client, tag.get_absolute_url()).text
    cached(client, tag.get_absolute_url())

    review.tags.clear()
    assert review.headline not in get(client, tag.get_absolute_url()).text


def test_publishing_a_review_reaches_the_lists_and_its_films_page(client, catalogue):
    film = catalogue["ares"]["film"]
    draft = ReviewFactory(
        film=film, headline="A second look", status=Review.Status.DRAFT, publish_at=None
    )
    unrelated = catalogue["legacy"]["film"].get_absolute_url()
    cached(client, "/", "/reviews/", film.get_absolute_url(), unrelated)

    draft.status = Review.Status.PUBLISHED
    draft.save()

    for url in ("/", "/reviews/", film.get_absolute_url()):
        assert "A second look" in get(client, url).text, url
    assert get(client, unrelated)["X-Cache"] == "hit"


def test_a_withdrawal_purges_the_review_everywhere(client, catalogue):
    ares = catalogue["ares"]
    review = ares["review"]
    pages = ["/", "/reviews/", ares["film"].get_absolute_url(), ares["album"].get_absolute_url()]
    cached(client, review.get_absolute_url(), *pages)

    review.status = Review.Status.WITHDRAWN
    review.save()

    assert client.get(review.get_absolute_url()).status_code == 404
    for url in pages:
        assert review.headline not in get(client, url).text, url


def test_a_scheduled_review_is_fresh_to_proxies_only_until_it_goes_live(
    client, catalogue, settings
):
    settings.FRONT_CACHE_URLS = ["http://127.0.0.1:9"]  # a front cache the purges reach
    film = catalogue["ares"]["film"]
    publish_at = timezone.now() + datetime.timedelta(seconds=30)
    ReviewFactory(film=film, headline="Scheduled Sailer", publish_at=publish_at)
    unrelated = catalogue["legacy"]["film"].get_absolute_url()

    listing = get(client, "/reviews/")
    assert "max-age=30" in listing["Cache-Control"] or "max-age=29" in listing["Cache-Control"]
    assert "s-maxage=30" in listing["Cache-Control"] or "s-maxage=29" in listing["Cache-Control"]
    assert (
        f"s-maxage={settings.PAGE_CACHE_FRONT_MAX_AGE}" in get(client, unrelated)["Cache-Control"]
    )
    cached(client, film.get_absolute_url(), unrelated)

    with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
        assert "Scheduled Sailer" in get(client, film.get_absolute_url()).text
        assert "Scheduled Sailer" in get(client, "/reviews/").text
        assert get(client, unrelated)["X-Cache"] == "hit"


def test_without_a_front_cache_proxies_keep_a_page_as_long_as_browsers(client, catalogue):
    response = get(client, catalogue["ares"]["review"].get_absolute_url())
    assert "s-maxage" not in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]


def test_staff_pages_carry_no_keys(editor_client, catalogue):
    response = editor_client.get(catalogue["ares"]["review"].get_absolute_url())
    assert response.status_code == 200
    assert "xkey" not in response
    assert "private" in response["Cache-Control"]


def test_a_page_whose_keys_were_purged_while_it_rendered_is_not_kept():
    started = versions.time.time_ns()
    assert versions.versions_of(["film:1", "review:2"], started) is not None
    versions.bump(["film:1"])
    assert versions.versions_of(["film:1", "review:2"], started) is None


def test_a_key_no_version_is_recorded_for_is_a_miss():
    stored = versions.versions_of(["film:1"], versions.time.time_ns())
    assert versions.still_current(stored)
    cache.delete(versions.KEY_PREFIX + "film:1")  # evicted
    assert not versions.still_current(stored)
    assert not versions.still_current({})


# The front cache is told once per transaction, when it commits, and never for a rollback.


@pytest.mark.django_db(transaction=True)
def test_the_front_cache_is_told_once_when_the_change_commits(sent):
    film = FilmFactory()
    sent.clear()
    with transaction.atomic():
        film.title = "Changed"
        film.save()
        ReviewFactory(film=film)
        assert sent == []
    assert len(sent) == 1
    assert {f"film:{film.pk}", "list:review"} <= sent[0]


@pytest.mark.django_db(transaction=True)
def test_an_edit_that_moves_nothing_purges_only_the_pages_showing_the_row(sent, catalogue):
    review = catalogue["ares"]["review"]
    sent.clear()
    review.dek = "A new standfirst."
    review.save()
    assert sent == [{f"review:{review.pk}"}]
    assert sent.soft == sent  # stale for a moment in the front cache, not gone from it


@pytest.mark.django_db(transaction=True)
def test_a_front_cache_without_soft_purges_is_purged_hard(sent, catalogue, settings):
    settings.FRONT_CACHE_SOFT_PURGE = False
    review = catalogue["ares"]["review"]
    sent.clear()
    review.dek = "A new standfirst."
    review.save()
    assert sent == [{f"review:{review.pk}"}]
    assert sent.soft == []


@pytest.mark.django_db(transaction=True)
def test_an_edit_of_a_row_shown_as_part_of_another_is_soft_too(sent, catalogue):
    track, album = catalogue["ares"]["track"], catalogue["ares"]["album"]
    sent.clear()
    track.title = "Retitled"
    track.save()
    assert sent.soft == sent == [{f"soundtrack:{album.pk}"}]


@pytest.mark.django_db(transaction=True)
def test_a_key_purged_soft_and_hard_in_one_transaction_is_purged_hard(sent, catalogue):
    review, film = catalogue["ares"]["review"], catalogue["ares"]["film"]
    sent.clear()
    with transaction.atomic():
        film.synopsis = "Edited first"
        film.save()  # soft: film:<pk>
        review.status = Review.Status.WITHDRAWN
        review.save()  # hard: the review, its film, the lists
    assert sent.soft == []
    (purged,) = sent
    assert {f"film:{film.pk}", f"review:{review.pk}", "list:review"} <= purged
    sent.clear()
    legacy = catalogue["legacy"]
    with transaction.atomic():
        legacy["director"].bio = "Edited"
        legacy["director"].save()  # soft, and nothing else purges it
        legacy["review"].delete()  # hard: the review, its film, the lists
    hard, soft = sent
    assert sent.soft == [soft] == [{f"person:{legacy['director'].pk}"}]
    assert {f"film:{legacy['film'].pk}", "list:review"} <= hard
    assert not hard & soft


@pytest.mark.django_db(transaction=True)
def test_what_takes_nothing_out_of_view_is_purged_soft(sent, catalogue):
    ares, legacy = catalogue["ares"], catalogue["legacy"]
    review = ares["review"]
    sent.clear()
    ReviewFactory(film=ares["film"])  # a new row
    review.film = legacy["film"]  # moved to another film's page
    review.save()
    ares["film"].title = "Retitled"  # moved on the film list
    ares["film"].save()
    review.tags.clear()  # a link undone
    assert len(sent) >= 4
    assert sent.soft == sent
    soft = list(sent.soft)
    review.publish_at = review.publish_at.replace(year=review.publish_at.year + 50)
    review.save()  # a later publish time hides it: hard
    assert sent.soft == soft
    assert {f"review:{review.pk}", "list:review"} <= sent[-1]


@pytest.mark.django_db(transaction=True)
def test_a_review_moved_to_another_film_purges_both_films_lists(sent, catalogue):
    review, old_film = catalogue["ares"]["review"], catalogue["ares"]["film"]
    new_film = catalogue["legacy"]["film"]
    sent.clear()
    review.film = new_film
    review.save()
    (purged,) = sent
    assert {f"review:{review.pk}", f"film:{old_film.pk}", f"film:{new_film.pk}"} <= purged
    assert "list:review" in purged


@pytest.mark.django_db(transaction=True)
def test_withdrawing_a_review_purges_the_lists_it_leaves(sent, catalogue):
    review = catalogue["ares"]["review"]
    sent.clear()
    review.status = Review.Status.WITHDRAWN
    review.save()
    (purged,) = sent
    assert {f"review:{review.pk}", f"film:{review.film_id}", "list:review"} <= purged
    assert sent.soft == []  # gone from the front cache at once: nobody is served it again


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_tells_the_front_cache_nothing(sent):
    film = FilmFactory()
    sent.clear()

    def change_then_fail():
        with transaction.atomic():
            film.title = "Never saved"
            film.save()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert sent == []
    FilmFactory()  # and the next change is told as usual
    assert len(sent) == 1


@pytest.mark.django_db(transaction=True)
def test_a_deletion_purges_what_listed_the_row_before_it_went(sent):
    ares_film = FilmFactory()
    album = SoundtrackFactory(film=ares_film)
    review = ReviewFactory(film=ares_film)
    review.soundtracks.add(album)
    theme = ThemeFactory(film=ares_film)
    sent.clear()

    pk = review.pk
    review.delete()
    (purged,) = sent
    assert sent.soft == []
    assert {f"review:{pk}", f"film:{ares_film.pk}", f"soundtrack:{album.pk}"} <= purged
    sent.clear()
    pk = theme.pk
    theme.delete()
    assert {f"theme:{pk}", f"film:{ares_film.pk}"} <= sent[0]


def test_keys_for_a_change_of_every_registered_model(catalogue):
    ares = catalogue["ares"]
    film, album, track, cue = ares["film"], ares["album"], ares["track"], ares["cue"]
    assert keys.for_change(track) == {f"soundtrack:{album.pk}", "list:soundtrack"}
    assert keys.for_change(cue) == {f"cue:{cue.pk}", "list:cue", f"film:{film.pk}"}
    credit = film.credits.get()
    assert keys.for_change(credit) == {
        f"film:{film.pk}",
        "list:film",
        f"person:{ares['director'].pk}",
    }


@pytest.mark.django_db(transaction=True)
def test_loaddata_purges_what_it_loads_when_it_commits(sent):
    call_command("loaddata", "tron", verbosity=0)
    purged = set().union(*sent)
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    assert {f"review:{review.pk}", f"film:{review.film_id}", "list:review", "list:cue"} <= purged
    for tag in review.tags.all():
        assert f"tag:{tag.pk}" in purged
