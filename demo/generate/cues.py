"""The cue sheets part of the plan: each film's cues, their album tracks, its themes.

Demo data, and plainly so: cue codes in the studios' form (``1M05``: reel 1, music 5, reels of
twenty minutes), timecodes drawn inside the film's runtime in film order, a source line that
says the sheet is generated. A film has about forty cues; one film in ``LONG_EVERY`` (the
first always, so that every size has one) has ``LONG_SHEET``, the size the music page and the
film's admin are measured at. Cues mostly follow one another with a gap; a few source cues
start under the end of the one before, as a song on a radio fades in over the score.

Album tracks are linked as a cue sheet and an album relate: most score tracks are one cue
(whole, in part or edited), a suite holds several cues, some tracks are not in the film and
many cues are on no album (unreleased); songs go to the vocal cues. Themes: a few per film,
and one or two per franchise heard across its films.
"""

import uuid

from demo.generate.words import (
    ADJECTIVES,
    CHARACTER_TITLES,
    INSTRUMENTS,
    LAST_NAMES,
    MUSIC_NOUNS,
    SCENE_ACTIONS,
    SCENE_PLACES,
    TITLE_NOUNS,
    TRACK_PREPOSITIONS,
    TRACK_WORDS,
)
from soundtracks.models import Cue, CueTrack, Soundtrack, Theme, ThemeAppearance

#: The cues of a film with a long cue sheet, and how often one comes (the first film always).
LONG_SHEET = 200
LONG_EVERY = 50
REEL = 20 * 60  # seconds: the reel of the cue code
SOURCE_LINE = "Generated demo cue sheet (not a real film's)."

USAGES = (
    (Cue.Usage.BACKGROUND_INSTRUMENTAL, 70),
    (Cue.Usage.BACKGROUND_VOCAL, 8),
    (Cue.Usage.VISUAL_INSTRUMENTAL, 12),
    (Cue.Usage.VISUAL_VOCAL, 10),
)
VOCAL = {Cue.Usage.BACKGROUND_VOCAL, Cue.Usage.VISUAL_VOCAL}
SOURCES = (
    (Cue.Source.CUE_SHEET, 50),
    (Cue.Source.SEEN, 30),
    (Cue.Source.ALBUM, 10),
    (Cue.Source.ARTICLE, 10),
)
EXTENTS = (
    (CueTrack.Extent.WHOLE, 55),
    (CueTrack.Extent.PART, 30),
    (CueTrack.Extent.EDITED, 15),
)
SUITE_EXTENTS = (CueTrack.Extent.PART, CueTrack.Extent.EDITED)
SONG_EXTENTS = (CueTrack.Extent.WHOLE, CueTrack.Extent.WHOLE, CueTrack.Extent.PART)


class CueSheets:
    """A mixin of publication.Publication: needs the films, credits, albums and tracks."""

    def build_cue_sheets(self):
        self.cues, self.cue_tracks, self.themes, self.appearances = [], [], [], []
        self.cue_composers, self.cue_performers = [], []
        self.cues_of = {}
        tracks_of = {}
        for track in self.tracks:
            tracks_of.setdefault(track.soundtrack.slug, []).append(track)
        for index, film in enumerate(self.films):
            count = LONG_SHEET if index % LONG_EVERY == 0 else self.rng.randint(32, 48)
            cues = self.build_cues(film, count)
            self.cues_of[film.slug] = cues
            self.cues.extend(cues)
            for album in self.albums_of.get(film.slug, []):
                if album.kind == Soundtrack.Kind.SCORE:
                    self.link_score(cues, tracks_of[album.slug])
                else:
                    self.link_songs(cues, tracks_of[album.slug])
            for cue in cues:
                if not cue.title:
                    cue.title = self.cue_title()
        self.build_themes()

    def pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    def build_cues(self, film, count):
        """``count`` cues in film order, inside the runtime; each ends after it starts."""
        rng, runtime = self.rng, film.runtime * 60
        slot = runtime / count
        composers = self.composers[film.slug]
        numbers = {}
        cues = []
        for index in range(count):
            start = int(index * slot + rng.uniform(0, 0.25) * slot)
            end = min(int((index + 1) * slot), start + max(8, int(slot * rng.uniform(0.4, 0.95))))
            usage = self.pick(USAGES)
            if index == 0:
                usage, start = Cue.Usage.MAIN_TITLE, rng.randint(0, 30)
            elif index == count - 1:
                usage, end = Cue.Usage.END_TITLE, runtime - rng.randint(0, 15)
                start = max(start, runtime - rng.randint(150, 330))
            previous = cues[-1] if cues else None
            if previous and usage in VOCAL and rng.random() < 0.3 and previous.end:
                # A song fades in over the end of the score before it.
                start = max(previous.start + 1, previous.end - rng.randint(2, 8))
            end = min(runtime, max(end, start + 5))
            if index and index < count - 1 and rng.random() < 0.02:
                end = None  # seen to start; where it stops was not noted
            reel = start // REEL + 1
            numbers[reel] = numbers.get(reel, 0) + 1
            code = f"{reel}M{numbers[reel]:02d}"
            scene = f"{rng.choice(SCENE_ACTIONS)} {rng.choice(SCENE_PLACES)}".capitalize()
            known_from = self.pick(SOURCES)
            cue = Cue(
                film=film,
                order=index + 1,
                code=code,
                slug=code.lower(),
                start=start,
                end=end,
                # What Cue.save() makes of in and out (bulk_create does not call it).
                duration=None if end is None else end - start,
                usage=usage,
                scene=scene,
                # The last act's scenes are the ones that give the story away.
                scene_is_spoiler=rng.random() < (0.35 if start > runtime * 0.75 else 0.04),
                known_from=known_from,
                source_detail=SOURCE_LINE if known_from == Cue.Source.CUE_SHEET else "",
                uid=uuid.uuid5(uuid.NAMESPACE_URL, f"soundtracks.cue:{film.slug}/{code}"),
            )
            cues.append(cue)
            self.cue_composers.extend((cue, person) for person in composers)
            if usage in VOCAL:
                self.cue_performers.append((cue, rng.choice(self.pools["composer"])))
        return cues

    def link(self, cue, track, extent):
        self.cue_tracks.append(CueTrack(cue=cue, track=track, extent=extent))

    def link_score(self, cues, tracks):
        """Most tracks one cue each, in film order; the last a suite of unreleased cues; a few
        tracks not in the film."""
        rng = self.rng
        *singles, suite = tracks
        in_film = [track for track in singles if rng.random() < 0.85]
        free = [cue for cue in cues if not cue.title and cue.usage not in VOCAL]
        chosen = sorted(rng.sample(range(len(free)), min(len(in_film), len(free))))
        taken = set()
        for track, position in zip(in_film, chosen, strict=False):
            cue = free[position]
            cue.title = track.title
            taken.add(position)
            self.link(cue, track, self.pick(EXTENTS))
        # The suite: three or four consecutive cues the album has no track of their own for.
        rest = [position for position in range(len(free)) if position not in taken]
        if len(rest) >= 4:
            first = rng.randrange(len(rest) - 3)
            parts = rest[first : first + rng.randint(3, 4)]
            suite.title = f"{suite.soundtrack.film.title} Suite"
            for position in parts:
                self.link(free[position], suite, rng.choice(SUITE_EXTENTS))

    def link_songs(self, cues, tracks):
        """Songs are the vocal cues: each vocal cue a song, whole or in part; the rest of the
        album is not in the film."""
        rng = self.rng
        vocal = [cue for cue in cues if cue.usage in VOCAL and not cue.title]
        songs = rng.sample(tracks, min(len(tracks), len(vocal)))
        for cue, track in zip(vocal, songs, strict=False):
            cue.title = track.title
            self.link(cue, track, rng.choice(SONG_EXTENTS))

    def cue_title(self):
        rng = self.rng
        return f"{rng.choice(TRACK_PREPOSITIONS)}{rng.choice(TRACK_WORDS)}"

    def theme_name(self):
        rng = self.rng
        if rng.random() < 0.5:
            return f"{rng.choice(CHARACTER_TITLES)} {rng.choice(LAST_NAMES)}’s theme"
        return f"The {rng.choice(TITLE_NOUNS)} {rng.choice(MUSIC_NOUNS)}"

    def appear(self, theme, cues, count):
        rng = self.rng
        for cue in sorted(rng.sample(cues, min(count, len(cues))), key=lambda cue: cue.order):
            note = ""
            if rng.random() < 0.8:
                note = f"{rng.choice(ADJECTIVES)} {rng.choice(INSTRUMENTS)}".capitalize()
            self.appearances.append(ThemeAppearance(theme=theme, cue=cue, note=note))

    def build_themes(self):
        rng = self.rng
        for film in self.films:
            cues = self.cues_of[film.slug]
            for _ in range(rng.randint(2, 4)):
                name = self.theme_name()
                theme = Theme(
                    name=name,
                    slug=self.slug(f"{name} {film.title}"),
                    film=film,
                    description=f"A {rng.choice(MUSIC_NOUNS)} of {film.title}, generated.",
                )
                self.themes.append(theme)
                self.appear(theme, cues, max(rng.randint(3, 8), len(cues) // 12))
        for franchise in self.franchises:
            films = [film for film in self.films if film.franchise is franchise]
            for _ in range(rng.randint(1, 2)):
                name = self.theme_name()
                theme = Theme(
                    name=name,
                    slug=self.slug(f"{name} {franchise.name}"),
                    franchise=franchise,
                    description=f"Heard across {franchise.name}, generated.",
                )
                self.themes.append(theme)
                for film in films:
                    self.appear(theme, self.cues_of[film.slug], rng.randint(2, 5))
