"""The cue sheet's rules: those the database holds, and those ``clean()`` adds across tables."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from films.tests.factories import FilmFactory, FranchiseFactory
from soundtracks.models import Cue, CueTrack, Theme, ThemeAppearance
from soundtracks.tests.factories import CueFactory, ThemeFactory, TrackFactory

pytestmark = pytest.mark.django_db


def refused_by_the_database(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cue.objects.create(**fields)


@pytest.mark.parametrize(("start", "end"), [(60, 60), (61, 60), (3600, 0)])
def test_a_cue_ends_after_it_starts_in_the_database_and_in_forms(start, end):
    film = FilmFactory()
    refused_by_the_database(film=film, title="Backwards", slug="b", start=start, end=end)
    cue = Cue(film=film, title="Backwards", slug="b", start=start, end=end)
    with pytest.raises(ValidationError, match="must end after it starts"):
        cue.full_clean()


@pytest.mark.parametrize(("start", "end"), [(None, None), (None, 10), (10, None), (0, 1)])
def test_either_time_may_be_unknown(start, end):
    cue = Cue(film=FilmFactory(runtime=100), title="Open", start=start, end=end)
    cue.full_clean()
    cue.save()
    assert cue.length == (None if None in (start, end) else end - start)


def test_a_cue_code_names_one_cue_per_film_and_empty_codes_repeat():
    film, other = FilmFactory(), FilmFactory()
    CueFactory(film=film, code="1M03")
    refused_by_the_database(film=film, title="Again", slug="again", code="1M03")
    CueFactory(film=other, code="1M03")  # another film's 1M03 is another cue
    CueFactory(film=film, code="")
    CueFactory(film=film, code="")
    with pytest.raises(ValidationError, match="has this cue code"):
        Cue(film=film, title="Form", code="1M03").full_clean()


@pytest.mark.parametrize(("field", "seconds"), [("start", 7201), ("end", 7201), ("end", 10**6)])
def test_a_cue_plays_within_the_film_when_its_runtime_is_known(field, seconds):
    film = FilmFactory(runtime=120)
    cue = Cue(film=film, title="Late", **{field: seconds})
    with pytest.raises(ValidationError) as raised:
        cue.full_clean()
    assert list(raised.value.message_dict) == [field]
    assert "after the end of the film (2:00:00)" in raised.value.message_dict[field][0]
    Cue(film=film, title="Last second", start=7199, end=7200).full_clean()
    # Unknown runtime: nothing to check against.
    Cue(film=FilmFactory(runtime=None), title="Any", end=10**6).full_clean()


def test_slugs_come_from_the_code_or_the_title_and_stay_unique_in_the_film():
    film = FilmFactory()
    first = Cue.objects.create(film=film, title="The Grid")
    second = Cue.objects.create(film=film, title="The Grid")
    coded = Cue.objects.create(film=film, title="Anything", code="1M05")
    elsewhere = Cue.objects.create(film=FilmFactory(), title="The Grid")
    untitled = Cue.objects.create(film=film, title="★★★")
    assert [first.slug, second.slug, coded.slug, elsewhere.slug, untitled.slug] == [
        "the-grid",
        "the-grid-2",
        "1m05",
        "the-grid",
        "cue",
    ]
    refused_by_the_database(film=film, title="Same slug", slug="the-grid")
    assert first.get_absolute_url() == f"/films/{film.slug}/music/the-grid/"


def test_a_cue_links_only_to_tracks_of_its_own_films_albums():
    cue = CueFactory()
    own = TrackFactory(soundtrack__film=cue.film)
    foreign = TrackFactory(soundtrack__title="Legacy", soundtrack__film__title="Tron: Legacy")
    CueTrack(cue=cue, track=own, extent=CueTrack.Extent.PART).full_clean()
    link = CueTrack(cue=cue, track=foreign)
    with pytest.raises(ValidationError) as raised:
        link.full_clean()
    assert "is on Legacy, an album of Tron: Legacy" in raised.value.message_dict["track"][0]


def test_a_cue_is_on_a_track_once_and_a_suite_holds_several_cues():
    track = TrackFactory()
    first, second = CueFactory(film=track.soundtrack.film), CueFactory(film=track.soundtrack.film)
    CueTrack.objects.create(cue=first, track=track)
    CueTrack.objects.create(cue=second, track=track)
    assert list(track.cues.order_by("order")) == [first, second]
    with pytest.raises(IntegrityError), transaction.atomic():
        CueTrack.objects.create(cue=first, track=track)


def test_a_theme_belongs_to_a_film_or_to_a_franchise_never_both_nor_neither():
    film, franchise = FilmFactory(), FranchiseFactory()
    for fields in ({}, {"film": film, "franchise": franchise}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Theme.objects.create(name="Theme", slug="theme", **fields)
    Theme.objects.create(name="Film theme", slug="film-theme", film=film)
    Theme.objects.create(name="Franchise theme", slug="franchise-theme", franchise=franchise)


def test_a_theme_appears_only_in_cues_of_its_film_or_franchise():
    franchise = FranchiseFactory(name="Tron")
    ares, legacy = FilmFactory(franchise=franchise), FilmFactory(franchise=franchise)
    outsider = FilmFactory(title="Elsewhere")
    film_theme = ThemeFactory(film=ares)
    franchise_theme = ThemeFactory(film=None, franchise=franchise)
    legacy_cue, outside_cue = CueFactory(film=legacy), CueFactory(film=outsider)

    ThemeAppearance(theme=franchise_theme, cue=legacy_cue).full_clean()
    ThemeAppearance(theme=film_theme, cue=CueFactory(film=ares)).full_clean()
    for theme, cue in ((film_theme, legacy_cue), (franchise_theme, outside_cue)):
        with pytest.raises(ValidationError, match="is in"):
            ThemeAppearance(theme=theme, cue=cue).full_clean()


def test_a_film_with_a_cue_sheet_cannot_be_deleted_from_under_it():
    cue = CueFactory()
    with pytest.raises(ProtectedError):
        cue.film.delete()
    assert Cue.objects.filter(pk=cue.pk).exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"start": 60, "end": 90}, (60, 90, 30)),
        ({"start": 60, "duration": 30}, (60, 90, 30)),
        ({"end": 90, "duration": 30}, (60, 90, 30)),
        ({"duration": 30}, (None, None, 30)),  # a royalty cue sheet gives only lengths
        ({"start": 60, "end": 90, "duration": 30}, (60, 90, 30)),
    ],
)
def test_in_out_and_length_make_each_other(given, expected):
    cue = Cue(film=FilmFactory(runtime=100), title="Timed", **given)
    cue.full_clean()
    cue.save()
    cue.refresh_from_db()
    assert (cue.start, cue.end, cue.duration) == expected
    assert cue.length == 30


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"start": 60, "end": 90, "duration": 31}, "duration", "Leave one of the three empty"),
        ({"end": 20, "duration": 30}, "duration", "longer than its out"),
        ({"duration": 0}, "duration", "longer than 0:00"),
        ({"start": 7100, "duration": 200}, "end", "after the end of the film"),
    ],
)
def test_times_that_disagree_are_a_form_error_on_the_field(given, field, message):
    cue = Cue(film=FilmFactory(runtime=120), title="Odd", **given)
    with pytest.raises(ValidationError) as raised:
        cue.full_clean()
    assert message in " ".join(raised.value.message_dict[field])


def test_the_database_refuses_a_length_that_is_not_out_minus_in():
    film = FilmFactory()
    cue = Cue.objects.create(film=film, title="Timed", start=60, end=90)
    # Past save() and clean(), as a script or a bulk path writes.
    for duration in (31, 0):
        with pytest.raises(IntegrityError), transaction.atomic():
            Cue.objects.filter(pk=cue.pk).update(duration=duration)
    refused_by_the_database(film=film, title="Zero", slug="zero", duration=0)
