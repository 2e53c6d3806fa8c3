"""The demo fixtures: ``manage.py loaddata tron`` loads the first publication.

The fixtures carry no primary keys, only natural keys, so they can be loaded twice, loaded into a
database that already holds content, and dumped and reloaded, without touching anything else.
They also have to carry the seed article and the checked facts in ``facts/tron.md`` faithfully.

Over 400 lines on purpose: each checked fact of the seed gets a test of its own here, next to
the others it is read with, so that a fixture edit meets every fact it could break.
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Sum

from films.models import Credit, Film, Person
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory
from soundtracks.models import Cue, CueTrack, Soundtrack, Track, TrackNote
from soundtracks.tests.factories import (
    CueTrackFactory,
    SoundtrackFactory,
    TrackFactory,
    TrackNoteFactory,
)

CONTENT_APPS = ("films", "soundtracks", "reviews")

# A copy of /work/shared/seed/tron-ares-score-review.txt, kept with the tests so they run anywhere.
ARTICLE = Path(__file__).parent / "data" / "tron-ares-score-review.txt"
REVIEW_SLUG = "tron-ares-nine-inch-nails-score-review"
SUBHEADS = [
    "‘Tron’s Legacy Has Always Been Closely Associated With Its Musical Identity",
    "The Music of ‘Tron: Ares’ Should be Experienced in Theaters",
    "Nine Inch Nails’ ‘Tron: Ares’ Album Is the Best of the Franchise",
]
TRACK_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\(track:(?P<ref>[^)\s]+)\)")

# Rows per table after ``loaddata tron``, auto-created M2M tables included. Tables derived from
# these on load (such as a review's cited tracks) are their own feature's to test.
EXPECTED_ROWS = {
    "films.Franchise": 1,
    "films.Person": 37,
    "films.Person_members": 2,
    "films.Film": 3,
    "films.Credit": 47,
    "soundtracks.Soundtrack": 3,
    "soundtracks.Soundtrack_artists": 4,
    "soundtracks.Track": 67,
    "soundtracks.TrackNote": 3,
    "soundtracks.Cue": 3,
    "soundtracks.Cue_composers": 3,
    "soundtracks.CueTrack": 3,
    "reviews.Author": 1,
    "reviews.Tag": 3,
    "reviews.Review": 1,
    "reviews.Review_authors": 1,
    "reviews.Review_other_films": 2,
    "reviews.Review_soundtracks": 3,
    "reviews.Review_tags": 3,
    "reviews.Review_cues_sourced": 3,
    "reviews.Review_notes_sourced": 3,
}


def content_models():
    """Every model of the content apps, the auto-created M2M tables included."""
    return [
        model
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in content_models()}


def canonical_content():
    """All content rows by natural keys, so two databases compare equal whatever their pks.

    M2M relations are part of their owner's row; their order carries no meaning, so it is sorted.
    """
    rows = []
    for model in content_models():
        if model._meta.auto_created:
            continue
        # Relations through a model of their own (a cue's tracks) are that model's rows.
        m2m_names = {
            field.name
            for field in model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        }
        for row in serializers.serialize(
            "python",
            model._default_manager.all(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        ):
            for name in m2m_names:
                row["fields"][name] = sorted(row["fields"][name])
            rows.append(json.dumps(row, sort_keys=True, default=str))
    return sorted(rows)


def rows_by_pk():
    """All content rows by primary key, as stored: what "left unchanged" is measured against."""
    return {
        (row["model"], row["pk"]): row
        for model in content_models()
        for row in serializers.serialize("python", model._default_manager.all())
    }


def load_tron():
    call_command("loaddata", "tron", verbosity=0)


def seed_article():
    """The article's prose lines and its trailing infobox list, which a blank line separates."""
    prose, infobox = ARTICLE.read_text(encoding="utf-8").split("\n\n", 1)
    return prose.splitlines(), infobox.splitlines()


def parse_track_ref(ref):
    """``album/position`` (disc 1) or ``album/disc/position`` → a Track natural key."""
    album, *numbers = ref.split("/")
    disc, position = (1, *numbers) if len(numbers) == 1 else numbers
    return album, int(disc), int(position)


@pytest.fixture
def tron(tron_for_module, db):
    """Loaded once for the module's last section, whose tests only read it (tests/conftest.py)."""


# Loading


def test_loaddata_tron_loads_every_table_of_the_demo_publication(db):
    load_tron()

    counts = row_counts()
    assert {label: counts[label] for label in EXPECTED_ROWS} == EXPECTED_ROWS


def test_fixtures_name_rows_by_natural_key_and_carry_no_primary_keys():
    for label in CONTENT_APPS:
        path = Path(apps.get_app_config(label).path) / "fixtures" / "tron.json"
        for entry in json.loads(path.read_text(encoding="utf-8")):
            assert "pk" not in entry, entry


def test_loading_tron_twice_changes_no_row_count_and_no_content(db):
    load_tron()
    counts, content = row_counts(), canonical_content()

    load_tron()

    assert all(counts[label] for label in EXPECTED_ROWS), counts
    assert row_counts() == counts
    assert canonical_content() == content


def test_loading_tron_leaves_existing_content_with_colliding_pks_unchanged(db):
    # Existing content at pks 1–3 in every table: the pks a fixture written with pks would use.
    franchise = FranchiseFactory(pk=1)
    person_one, person_two = PersonFactory(pk=1), PersonFactory(pk=2)
    group = PersonFactory(pk=3, is_group=True)
    group.members.set([person_one, person_two])
    film = FilmFactory(pk=1, franchise=franchise, franchise_order=1)
    other_film, third_film = FilmFactory(pk=2), FilmFactory(pk=3)
    CreditFactory(pk=1, film=film, person=person_one, role=Credit.Role.DIRECTOR)
    CreditFactory(pk=2, film=film, person=group, role=Credit.Role.COMPOSER)
    CreditFactory(pk=3, film=other_film, person=person_two, role=Credit.Role.CAST, character="X")
    album = SoundtrackFactory(pk=1, film=film)
    album.artists.set([group])
    SoundtrackFactory(pk=2, film=other_film)
    SoundtrackFactory(pk=3, film=third_film)
    tracks = [TrackFactory(pk=n, soundtrack=album, position=n) for n in (1, 2, 3)]
    author, tag = AuthorFactory(pk=1), TagFactory(pk=1)
    review = ReviewFactory(pk=1, film=film, authors=[author])
    review.other_films.set([other_film])
    review.soundtracks.set([album])
    review.tags.set([tag])
    for n, track in enumerate(tracks, start=1):
        note = TrackNoteFactory(pk=n, track=track)
        link = CueTrackFactory(pk=n, track=track, cue__pk=n, cue__slug=f"cue-{n}")
        review.notes_sourced.add(note)
        review.cues_sourced.add(link.cue)
    # A real database's sequences are past its rows; PostgreSQL's do not move on explicit pks.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), content_models()):
            cursor.execute(sql)
    existing, counts = rows_by_pk(), row_counts()

    load_tron()

    after, added = rows_by_pk(), row_counts()
    assert {key: after.get(key) for key in existing} == existing
    assert {label: added[label] - counts[label] for label in EXPECTED_ROWS} == EXPECTED_ROWS


def test_dumpdata_then_loaddata_into_a_flushed_database_gives_back_the_same_content(
    transactional_db, tmp_path
):
    load_tron()
    counts, content = row_counts(), canonical_content()
    dump = tmp_path / "content.json"
    call_command(
        "dumpdata",
        *CONTENT_APPS,
        "--natural-foreign",
        "--natural-primary",
        output=str(dump),
        verbosity=0,
    )

    call_command("flush", interactive=False, verbosity=0)
    assert not any(row_counts().values())
    call_command("loaddata", str(dump), verbosity=0)

    assert '"pk"' not in dump.read_text(encoding="utf-8")
    assert row_counts() == counts
    assert canonical_content() == content


# The article


def test_review_body_is_the_seed_article_verbatim_with_subheads_as_headings(tron):
    prose, _ = seed_article()
    body = Review.objects.get(slug=REVIEW_SLUG).body

    plain = TRACK_LINK.sub(r"\g<text>", body)

    assert set(SUBHEADS) <= set(prose)
    assert plain.split("\n\n") == [f"## {line}" if line in SUBHEADS else line for line in prose]
    assert [line for line in body.splitlines() if line.startswith("#")] == [
        f"## {subhead}" for subhead in SUBHEADS
    ]


def test_review_body_leaves_out_the_infobox_list(tron):
    _, infobox = seed_article()
    body = Review.objects.get(slug=REVIEW_SLUG).body
    body_lines = set(body.splitlines())

    labels = [line.removeprefix("-").strip() for line in infobox]
    assert "Release Date" in labels
    for label in filter(None, labels):
        assert label not in body_lines
    assert "Release Date" not in body
    assert "119 minutes" not in body


def test_track_mentions_in_the_body_point_at_existing_tracks_of_the_same_title(tron):
    body = Review.objects.get(slug=REVIEW_SLUG).body
    mentions = list(TRACK_LINK.finditer(body))

    assert [mention["text"] for mention in mentions] == [
        "Init",
        "I Know You Can Feel It",
        "Who Wants to Live Forever?",
    ]
    for mention in mentions:
        track = Track.objects.get_by_natural_key(*parse_track_ref(mention["ref"]))
        assert track.title == mention["text"]
        # The article's curly quotes stay around the link, outside the brackets.
        assert body[mention.start() - 1] == "“"


def test_review_is_published_in_the_past_under_the_house_byline(tron):
    review = Review.objects.get(slug=REVIEW_SLUG)
    published = datetime.datetime(2025, 10, 14, 12, tzinfo=datetime.UTC)

    assert review in Review.objects.published()
    assert review.publish_at == review.first_published_at == published
    assert not review.album_ratings.exists()  # the facts give no rating: none is made up
    assert review.film.slug == "tron-ares"
    assert {film.slug for film in review.other_films.all()} == {"tron", "tron-legacy"}
    assert [author.slug for author in review.authors.all()] == ["cuesheet-staff"]
    assert review.soundtracks.count() == 3


def test_tron_ares_record_reproduces_the_articles_infobox(tron):
    _, infobox = seed_article()
    values = [line for line in infobox if line and not line.startswith("-")]
    film = Film.objects.with_credits().get(slug="tron-ares")

    assert values == [
        f"{film.release_date:%B} {film.release_date.day}, {film.release_date.year}",
        f"{film.runtime} minutes",
        ", ".join(person.name for person in film.directors),
        ", ".join(person.name for person in film.producers),
    ]


# The checked facts


def test_films_have_the_checked_dates_runtimes_certificates_and_ids(tron):
    films = {film.slug: film for film in Film.objects.select_related("franchise")}

    assert {
        slug: (
            film.release_date,
            film.runtime,
            film.certificate,
            film.franchise.slug,
            film.franchise_order,
            film.imdb_id,
            film.tmdb_id,
        )
        for slug, film in films.items()
    } == {
        "tron": (datetime.date(1982, 7, 9), 96, "PG", "tron", 1, "tt0084827", 97),
        "tron-legacy": (datetime.date(2010, 12, 17), 125, "PG", "tron", 2, "tt1104001", 20526),
        "tron-ares": (datetime.date(2025, 10, 10), 119, "PG-13", "tron", 3, "tt6604188", 533533),
    }


def test_tron_ares_producers_are_the_articles_five_in_billing_order(tron):
    producers = Credit.objects.filter(film__slug="tron-ares", role=Credit.Role.PRODUCER)

    assert [credit.person.slug for credit in producers.order_by("billing_order")] == [
        "jared-leto",
        "jeffrey-silver",
        "sean-bailey",
        "steven-lisberger",
        "emma-ludbrook",
    ]


def test_each_film_credits_its_composer(tron):
    composers = {
        film.slug: [person.slug for person in film.composers]
        for film in Film.objects.with_credits()
    }

    assert composers == {
        "tron": ["wendy-carlos"],
        "tron-legacy": ["daft-punk"],
        "tron-ares": ["nine-inch-nails"],
    }


def test_nine_inch_nails_is_a_group_of_reznor_and_ross(tron):
    nin = Person.objects.get(slug="nine-inch-nails")

    assert nin.is_group
    assert {member.slug for member in nin.members.all()} == {"trent-reznor", "atticus-ross"}
    for slug in ("daft-punk", "journey"):
        group = Person.objects.get(slug=slug)
        assert group.is_group
        assert not group.members.exists()


def test_soundtracks_have_21_22_and_24_tracks(tron):
    counts = {album.slug: album.tracks.count() for album in Soundtrack.objects.all()}

    assert counts == {
        "tron-soundtrack": 21,
        "tron-legacy-soundtrack": 22,
        "tron-ares-soundtrack": 24,
    }


def test_album_artists_are_the_credited_people_and_groups(tron):
    artists = {
        album.slug: {person.slug for person in album.artists.all()}
        for album in Soundtrack.objects.all()
    }

    assert artists == {
        "tron-soundtrack": {"wendy-carlos", "journey"},
        "tron-legacy-soundtrack": {"daft-punk"},
        "tron-ares-soundtrack": {"nine-inch-nails"},
    }


def test_vocal_tracks_are_only_the_sung_ones(tron):
    vocal = {
        album: sorted(
            Track.objects.filter(soundtrack__slug=album, is_vocal=True).values_list(
                "position", flat=True
            )
        )
        for album in ("tron-soundtrack", "tron-legacy-soundtrack", "tron-ares-soundtrack")
    }

    # "The Grid" (Tron: Legacy, track 2) has spoken narration, not singing.
    assert vocal == {
        "tron-soundtrack": [2],
        "tron-legacy-soundtrack": [],
        "tron-ares-soundtrack": [3, 7, 12, 24],
    }


def test_journey_is_credited_on_tron_tracks_2_and_11_only(tron):
    credited = Track.objects.filter(soundtrack__slug="tron-soundtrack").exclude(artist_credit="")

    assert list(credited.values_list("position", "artist_credit")) == [
        (2, "Journey"),
        (11, "Journey"),
    ]


@pytest.mark.parametrize(
    ("album", "total"),
    [("tron-soundtrack", 57 * 60 + 47), ("tron-legacy-soundtrack", 58 * 60 + 44)],
)
def test_track_durations_sum_to_the_album_length(tron, album, total):
    tracks = Track.objects.filter(soundtrack__slug=album)

    assert not tracks.filter(duration__isnull=True).exists()
    assert tracks.aggregate(total=Sum("duration"))["total"] == total


def test_tron_ares_track_durations_are_left_empty_as_unverified(tron):
    durations = Track.objects.filter(soundtrack__slug="tron-ares-soundtrack").values_list(
        "duration", flat=True
    )

    assert len(durations) == 24
    assert set(durations) == {None}


def test_the_cue_sheet_holds_the_scenes_the_review_describes_and_no_unverified_time(tron):
    cues = Cue.objects.filter(film__slug="tron-ares").prefetch_related(
        "track_links__track", "source_reviews", "composers"
    )

    assert [
        (
            cue.order,
            cue.title,
            cue.usage,
            [(link.track.position, link.extent) for link in cue.track_links.all()],
        )
        for cue in cues
    ] == [
        (1, "Init", Cue.Usage.MAIN_TITLE, [(1, "")]),
        (2, "I Know You Can Feel It", Cue.Usage.BACKGROUND_VOCAL, [(7, CueTrack.Extent.PART)]),
        (3, "Who Wants to Live Forever?", Cue.Usage.BACKGROUND_VOCAL, [(12, CueTrack.Extent.PART)]),
    ]
    for cue in cues:
        assert cue.scene
        assert (cue.code, cue.start, cue.end) == ("", None, None)  # none is verified
        assert [review.slug for review in cue.source_reviews.all()] == [REVIEW_SLUG]
        assert [person.slug for person in cue.composers.all()] == ["nine-inch-nails"]
    assert "Ares and Eve escape the Grid" in [cue.scene for cue in cues]


def test_track_notes_keep_the_commentary_and_name_the_review_they_came_from(tron):
    notes = TrackNote.objects.select_related("track__soundtrack").prefetch_related("source_reviews")

    assert sorted(note.track.position for note in notes) == [1, 7, 12]
    assert all(note.text for note in notes)
    assert {review.slug for note in notes for review in note.source_reviews.all()} == {REVIEW_SLUG}
