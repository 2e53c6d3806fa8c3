"""factory_boy factories for albums, their tracks and track notes."""

import factory

from films.tests.factories import FilmFactory
from soundtracks.models import Soundtrack, Track, TrackNote


class SoundtrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Soundtrack

    film = factory.SubFactory(FilmFactory)
    title = factory.Sequence(lambda n: f"Album {n}")
    slug = factory.Sequence(lambda n: f"album-{n}")
    artist_credit = "Some Composer"


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    soundtrack = factory.SubFactory(SoundtrackFactory)
    disc = 1
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Track {n}")
    duration = 180


class TrackNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackNote

    track = factory.SubFactory(TrackFactory)
    scene = "Opening credits"
    usage = TrackNote.Usage.WHOLE
    text = "A note."
