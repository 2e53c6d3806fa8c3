"""A review's one rating becomes a rating of the album it is about (reviews 0019 to 0021), and
comes back going backwards: every score lands somewhere, none is made up."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reviews", "0018_review_planned_for")]
AFTER = [("reviews", "0021_remove_review_rating")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    forward = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield migrate(BEFORE)
    migrate(forward)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_each_rating_goes_to_the_album_it_was_of_and_back(old_apps):
    Film = old_apps.get_model("films", "Film")
    Soundtrack = old_apps.get_model("soundtracks", "Soundtrack")
    Review = old_apps.get_model("reviews", "Review")

    ares = Film.objects.create(title="Tron: Ares", slug="tron-ares")
    legacy = Film.objects.create(title="Tron: Legacy", slug="tron-legacy")
    tron = Film.objects.create(title="Tron", slug="tron")
    unscored = Film.objects.create(title="Unscored", slug="unscored")
    ares_album = Soundtrack.objects.create(film=ares, title="Ares", slug="ares")
    legacy_album = Soundtrack.objects.create(film=legacy, title="Legacy", slug="legacy")
    Soundtrack.objects.create(film=tron, title="Tron", slug="tron-score")
    Soundtrack.objects.create(film=tron, title="Tron songs", slug="tron-songs")

    def review(slug, film, rating, albums=()):
        made = Review.objects.create(headline=slug, slug=slug, film=film, rating=rating)
        made.soundtracks.set(albums)
        return made

    review("one-album", legacy, 8, [legacy_album])
    # Its film's album is the one it was about, listed second or not.
    review("several", ares, 7, [legacy_album, ares_album])
    review("no-album-one-of-its-film", legacy, 9)
    review("no-album-anywhere", tron, 6)
    review("no-album-no-film", unscored, 5)
    review("unrated", ares, None, [ares_album])

    new_apps = migrate(AFTER)
    Review = new_apps.get_model("reviews", "Review")
    AlbumRating = new_apps.get_model("reviews", "AlbumRating")
    rated = {
        (rating.review.slug, rating.soundtrack.slug): (rating.score, rating.out_of)
        for rating in AlbumRating.objects.select_related("review", "soundtrack")
    }
    assert rated == {
        ("one-album", "legacy"): (8, 10),
        ("several", "ares"): (7, 10),
        ("no-album-one-of-its-film", "legacy"): (9, 10),
    }
    # The film's only album is now among those it covers.
    assert list(
        Review.objects.get(slug="no-album-one-of-its-film").soundtracks.values_list(
            "slug", flat=True
        )
    ) == ["legacy"]
    verdicts = dict(Review.objects.values_list("slug", "verdict"))
    assert verdicts["no-album-anywhere"] == "Rated 6 out of 10."
    assert verdicts["no-album-no-film"] == "Rated 5 out of 10."
    assert verdicts["one-album"] == verdicts["unrated"] == ""

    # A rating of another album, given since, has no column to go back to.
    AlbumRating.objects.create(
        review=Review.objects.get(slug="several"),
        soundtrack=new_apps.get_model("soundtracks", "Soundtrack").objects.get(slug="legacy"),
        score=2,
        out_of=10,
    )
    Review = migrate(BEFORE).get_model("reviews", "Review")
    assert dict(Review.objects.values_list("slug", "rating")) == {
        "one-album": 8,
        "several": 7,
        "no-album-one-of-its-film": 9,
        "no-album-anywhere": 6,
        "no-album-no-film": 5,
        "unrated": None,
    }
