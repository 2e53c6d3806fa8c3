"""Albums and their tracks (``albums``), and the film's cue sheet and themes (``cues``)."""

from soundtracks.models.albums import (
    Soundtrack,
    SoundtrackManager,
    SoundtrackQuerySet,
    Track,
    TrackManager,
    TrackNote,
)
from soundtracks.models.cues import Cue, CueTrack, Theme, ThemeAppearance

__all__ = [
    "Cue",
    "CueTrack",
    "Soundtrack",
    "SoundtrackManager",
    "SoundtrackQuerySet",
    "Theme",
    "ThemeAppearance",
    "Track",
    "TrackManager",
    "TrackNote",
]
