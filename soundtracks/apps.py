from django.apps import AppConfig


class SoundtracksConfig(AppConfig):
    name = "soundtracks"
    verbose_name = "Soundtracks"

    def ready(self):
        from pagecache import keys
        from permalinks import tracking as permalinks
        from soundtracks.models import (
            Cue,
            CueTrack,
            Soundtrack,
            Theme,
            ThemeAppearance,
            Track,
            TrackNote,
        )

        # How albums and cue sheets appear on public pages, for the surrogate keys that purge
        # them: tracks are part of their album; albums, cues and themes are listed on their
        # film's (or franchise's) pages.
        # Its title places it on the albums index: a retitled album moves.
        keys.register(Soundtrack, parents=["film"], placement=["title"])
        keys.register(Track, via="soundtrack")
        keys.register(TrackNote, via="track")
        keys.register(Cue, parents=["film"])
        keys.register(CueTrack, via="cue", parents=["track"])
        keys.register(Theme, parents=["film", "franchise"])
        keys.register(ThemeAppearance, via="theme", parents=["cue"])
        # Their pages keep their old addresses when a slug changes (a 301 to the new one).
        permalinks.track(Soundtrack, Theme)
