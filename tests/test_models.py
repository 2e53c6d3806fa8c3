import datetime

import pytest
import time_machine
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from films.models import Credit, Film, Franchise, Person
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.models import Author, Review, Tag
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory
from soundtracks.models import (
    Cue,
    CueTrack,
    Soundtrack,
    Theme,
    ThemeAppearance,
    Track,
    TrackNote,
)
from soundtracks.tests.factories import (
    CueTrackFactory,
    SoundtrackFactory,
    ThemeAppearanceFactory,
    TrackFactory,
    TrackNoteFactory,
)

pytestmark = pytest.mark.django_db


def test_duplicate_track_position_on_a_disc_is_refused():
    track = TrackFactory(disc=1, position=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackFactory(soundtrack=track.soundtrack, disc=1, position=3)


def test_same_position_on_another_disc_is_allowed():
    track = TrackFactory(disc=1, position=3)
    TrackFactory(soundtrack=track.soundtrack, disc=2, position=3)
    assert track.soundtrack.tracks.count() == 2


@pytest.mark.parametrize("runtime", [0, -5])
def test_runtime_must_be_positive(runtime):
    with pytest.raises(IntegrityError), transaction.atomic():
        FilmFactory(runtime=runtime)


def test_runtime_check_is_a_validation_error_for_forms():
    film = FilmFactory.build(runtime=0)
    with pytest.raises(ValidationError, match="Runtime must be a positive number"):
        film.full_clean()


@pytest.mark.parametrize(
    "factory", [FilmFactory, PersonFactory, FranchiseFactory, SoundtrackFactory, ReviewFactory]
)
def test_duplicate_slug_is_refused(factory):
    factory(slug="tron")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(slug="tron")


def test_zero_duration_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackFactory(duration=0)


def test_a_person_has_one_credit_per_role_on_a_film():
    credit = CreditFactory(role=Credit.Role.PRODUCER)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditFactory(film=credit.film, person=credit.person, role=Credit.Role.PRODUCER)
    CreditFactory(film=credit.film, person=credit.person, role=Credit.Role.DIRECTOR)


class TestPublished:
    def test_published_review_in_the_past_is_visible(self):
        review = ReviewFactory()
        assert list(Review.objects.published()) == [review]

    @pytest.mark.parametrize(
        "status", [Review.Status.DRAFT, Review.Status.IN_REVIEW, Review.Status.WITHDRAWN]
    )
    def test_unpublished_statuses_are_invisible(self, status):
        ReviewFactory(status=status)
        assert not Review.objects.published().exists()

    def test_future_publish_time_is_invisible_until_it_comes(self):
        publish_at = timezone.now() + datetime.timedelta(hours=2)
        review = ReviewFactory(publish_at=publish_at)
        assert not Review.objects.published().exists()
        assert not review.is_live
        with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
            assert list(Review.objects.published()) == [review]
            assert review.is_live

    def test_scheduled_is_published_with_a_time_to_come(self):
        publish_at = timezone.now() + datetime.timedelta(hours=2)
        scheduled = ReviewFactory(publish_at=publish_at)
        ReviewFactory()
        ReviewFactory(status=Review.Status.DRAFT, publish_at=publish_at)
        assert list(Review.objects.scheduled()) == [scheduled]
        assert scheduled.is_scheduled
        with time_machine.travel(publish_at + datetime.timedelta(seconds=1)):
            assert not Review.objects.scheduled().exists()
            assert not scheduled.is_scheduled
            assert Review.objects.next_scheduled_change(timezone.now()) is None

    def test_published_chains_with_other_filters(self):
        review = ReviewFactory()
        ReviewFactory(status=Review.Status.DRAFT, film=review.film)
        assert list(review.film.reviews.published()) == [review]

    def test_publishing_without_a_time_publishes_now(self):
        review = ReviewFactory(status=Review.Status.DRAFT, publish_at=None)
        review.status = Review.Status.PUBLISHED
        review.save()
        assert review.publish_at is not None
        assert review.first_published_at == review.publish_at
        assert Review.objects.published().get() == review

    def test_first_published_time_survives_a_republish(self):
        review = ReviewFactory()
        first = review.first_published_at
        review.publish_at = timezone.now()
        review.save()
        assert review.first_published_at == first


def test_deleting_a_film_that_a_review_points_at_is_refused():
    review = ReviewFactory()
    with pytest.raises(ProtectedError):
        review.film.delete()
    assert Film.objects.filter(pk=review.film.pk).exists()


def test_deleting_a_film_that_a_soundtrack_points_at_is_refused():
    soundtrack = SoundtrackFactory()
    with pytest.raises(ProtectedError):
        soundtrack.film.delete()


def test_deleting_a_person_with_credits_is_refused():
    credit = CreditFactory()
    with pytest.raises(ProtectedError):
        credit.person.delete()


def test_deleting_a_franchise_with_films_is_refused():
    film = FilmFactory(franchise=FranchiseFactory())
    with pytest.raises(ProtectedError):
        film.franchise.delete()


def test_credits_are_listed_in_billing_order():
    film = FilmFactory()
    later = CreditFactory(film=film, billing_order=2)
    first = CreditFactory(film=film, billing_order=1)
    CreditFactory(film=film, role=Credit.Role.DIRECTOR, billing_order=0)
    assert Film.objects.with_credits().get().producers == [first.person, later.person]


def build_one_of_each():
    film = FilmFactory(franchise=FranchiseFactory())
    group = PersonFactory(is_group=True)
    group.members.add(PersonFactory())
    CreditFactory(film=film, person=group, role=Credit.Role.COMPOSER)
    soundtrack = SoundtrackFactory(film=film)
    soundtrack.artists.add(group)
    track = TrackFactory(soundtrack=soundtrack)
    review = ReviewFactory(film=film)
    review.tags.add(TagFactory())
    review.notes_sourced.add(TrackNoteFactory(track=track))
    cue = CueTrackFactory(track=track).cue
    cue.composers.add(group)
    review.cues_sourced.add(cue)
    ThemeAppearanceFactory(cue=cue, theme__film=film)


@pytest.mark.parametrize(
    "model",
    [
        Franchise,
        Person,
        Film,
        Credit,
        Soundtrack,
        Track,
        TrackNote,
        Cue,
        CueTrack,
        Theme,
        ThemeAppearance,
        Author,
        Tag,
        Review,
    ],
)
def test_natural_keys_round_trip(model):
    build_one_of_each()
    for obj in model.objects.all():
        assert model.objects.get_by_natural_key(*obj.natural_key()) == obj

    data = serializers.serialize(
        "json", model.objects.all(), use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    assert '"pk"' not in data
    restored = [d.object for d in serializers.deserialize("json", data)]
    assert {obj.pk for obj in restored} == set(model.objects.values_list("pk", flat=True))


def test_author_natural_key_is_its_slug():
    author = AuthorFactory(slug="cuesheet-staff")
    assert author.natural_key() == ("cuesheet-staff",)
