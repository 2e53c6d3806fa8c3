"""factory_boy factories for albums, their tracks and track notes, cues and themes."""

import factory

from films.tests.factories import FilmFactory
from soundtracks.models import Cue, CueTrack, Soundtrack, Theme, ThemeAppearance, Track, TrackNote


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
    text = "A note."


class CueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cue

    film = factory.SubFactory(FilmFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Cue {n}")
    slug = factory.Sequence(lambda n: f"cue-{n}")


class CueTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CueTrack

    track = factory.SubFactory(TrackFactory)
    cue = factory.SubFactory(CueFactory, film=factory.SelfAttribute("..track.soundtrack.film"))
    extent = CueTrack.Extent.WHOLE


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")
    film = factory.SubFactory(FilmFactory)


class ThemeAppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThemeAppearance

    theme = factory.SubFactory(ThemeFactory)
    cue = factory.SubFactory(CueFactory, film=factory.SelfAttribute("..theme.film"))
