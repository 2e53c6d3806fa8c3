"""Today's track notes become cues (soundtracks 0009, reviews 0014, soundtracks 0010).

The database is taken back to the migrations before the cue sheet, filled with notes shaped like
the ones editors wrote (a scene, a cue time, each use, a source review, notes with and without
words), then migrated forward; nothing a note said may be lost.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("films", "0008_remove_poster_and_photo_columns"),
    ("soundtracks", "0008_remove_cover_columns"),
    ("reviews", "0013_remove_hero_image_columns"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    """Every app's latest migration: going back to BEFORE unapplies whatever depends on it, in
    any app (a films column, the search index), and all of it must come back for the tests that
    run after these on the same database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps(transactional_db):
    forward = latest()
    yield migrate(BEFORE)
    migrate(forward)
    # Back where every other test expects the database: nothing left unapplied.
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_notes_become_cues_and_keep_their_words_and_their_review(old_apps):
    Film = old_apps.get_model("films", "Film")
    Person = old_apps.get_model("films", "Person")
    Credit = old_apps.get_model("films", "Credit")
    Soundtrack = old_apps.get_model("soundtracks", "Soundtrack")
    Track = old_apps.get_model("soundtracks", "Track")
    TrackNote = old_apps.get_model("soundtracks", "TrackNote")
    Review = old_apps.get_model("reviews", "Review")

    film = Film.objects.create(title="Tron: Ares", slug="tron-ares", runtime=119)
    other = Film.objects.create(title="Tron", slug="tron")
    band = Person.objects.create(name="Nine Inch Nails", slug="nine-inch-nails", is_group=True)
    Credit.objects.create(film=film, person=band, role="composer")
    album = Soundtrack.objects.create(film=film, title="Tron: Ares", slug="ares")
    other_album = Soundtrack.objects.create(film=other, title="Tron", slug="tron-album")
    init, escape, forever, unused, plain = (
        Track.objects.create(soundtrack=album, position=n, title=title)
        for n, title in enumerate(
            ["Init", "I Know You Can Feel It", "Who Wants to Live Forever?", "Echoes", "Plain"], 1
        )
    )
    old_track = Track.objects.create(soundtrack=other_album, position=1, title="Creation of Tron")
    review = Review.objects.create(headline="A review", slug="a-review")
    notes = {
        "init": TrackNote.objects.create(
            track=init, scene="Opening credits", usage="unknown", text="", source_review=review
        ),
        "escape": TrackNote.objects.create(
            track=escape, scene="The escape", cue_start=3723, usage="part", text="Builds slowly."
        ),
        "forever": TrackNote.objects.create(
            track=forever, usage="whole", text="All of it.", source_review=review
        ),
        "unused": TrackNote.objects.create(
            track=unused, scene="A cut scene", cue_start=75, usage="not_used", text="Cut."
        ),
        "plain": TrackNote.objects.create(track=plain, usage="unknown", text="Just words."),
        "old": TrackNote.objects.create(track=old_track, scene="Light cycles", usage="whole"),
    }

    new = migrate(latest())

    Cue = new.get_model("soundtracks", "Cue")
    NewNote = new.get_model("soundtracks", "TrackNote")
    NewReview = new.get_model("reviews", "Review")
    cues = {cue.uid: cue for cue in Cue.objects.prefetch_related("track_links__track", "composers")}
    # The notes that placed a track in the film are cues, with the note's uid.
    assert set(cues) == {notes[key].uid for key in ("init", "escape", "forever", "old")}
    escape_cue = cues[notes["escape"].uid]
    assert (escape_cue.title, escape_cue.scene, escape_cue.start, escape_cue.film_id) == (
        "I Know You Can Feel It",
        "The escape",
        3723,
        film.pk,
    )
    assert [(link.track_id, link.extent) for link in escape_cue.track_links.all()] == [
        (escape.pk, "part")
    ]
    assert [link.extent for link in cues[notes["forever"].uid].track_links.all()] == ["whole"]
    assert [link.extent for link in cues[notes["init"].uid].track_links.all()] == [""]
    # In film order: timed cues first, then by track; each film's cues from 1.
    ares = Cue.objects.filter(film_id=film.pk).order_by("order")
    assert [(cue.order, cue.slug) for cue in ares] == [
        (1, "i-know-you-can-feel-it"),
        (2, "init"),
        (3, "who-wants-to-live-forever"),
    ]
    assert cues[notes["old"].uid].order == 1
    # Written by the film's composers; the other film has none credited.
    assert [person.pk for person in escape_cue.composers.all()] == [band.pk]
    assert not cues[notes["old"].uid].composers.exists()
    # The review a note came from now names the cue, and the note where it has words.
    moved = NewReview.objects.get(pk=review.pk)
    assert set(moved.cues_sourced.values_list("uid", flat=True)) == {
        notes["init"].uid,
        notes["forever"].uid,
    }
    assert list(moved.notes_sourced.values_list("uid", flat=True)) == [notes["forever"].uid]
    # Commentary stays with the track; a note with no words left is gone, its cue says it all.
    texts = dict(NewNote.objects.values_list("uid", "text"))
    assert notes["init"].uid not in texts
    assert notes["old"].uid not in texts
    assert texts[notes["escape"].uid] == "Builds slowly."
    assert texts[notes["plain"].uid] == "Just words."
    # "Not used in the film" makes no cue; its scene and time stay in its words.
    assert texts[notes["unused"].uid] == "Cut.\n\nScene: A cut scene. Cue at 1:15."
    assert notes["unused"].uid not in cues
