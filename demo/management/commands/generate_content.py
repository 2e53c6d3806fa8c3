"""Generate a large, deterministic publication for benchmarks and scale tests.

Everything the command makes has a slug starting with ``gen-`` (track notes hang off generated
tracks), so it never collides with the Tron fixtures and ``--replace`` removes exactly what it
made. The same options and seed give the same content, row for row, on SQLite and PostgreSQL.

The publication is planned in memory first, then written with ``bulk_create`` in one
transaction. ``bulk_create`` sends no signals, so three things that signals or ``save()``
normally do are done here by hand: review bodies are rendered to ``body_html`` (in a process
pool: it is most of the time), automatic timestamps are set to fixed times (``auto_now`` would
stamp the moment of the run), and the page cache's content version is bumped at the end.
"""

import datetime
import math
import multiprocessing
import os
import random
import re
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, models, router, transaction
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from editorial.revisions import deleting_for_good
from films.models import Credit, Film, Franchise, Person
from pagecache.versions import bump_version
from reviews.markdown import TrackReference, render_markdown
from reviews.models import Author, Review, Tag
from soundtracks.models import Soundtrack, Track, TrackNote

PREFIX = "gen-"
#: Catalogue models whose uid the slug gives (editorial.models.uid_field).
SLUG_UIDS = (Person, Franchise, Film, Soundtrack)
DEFAULTS = {"reviews": 10_000, "films": 2_000, "albums": 1_500}
DEFAULT_SEED = 1982
# Reviews are published over the ten years before this moment; a fixed one keeps runs identical.
ANCHOR = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
SPAN = datetime.timedelta(days=3652)
# Below this many reviews, forking a pool costs more than it saves.
POOL_THRESHOLD = 400
SENTENCE_POOL = 5000
_ARTICLE = re.compile(r"\b([Aa]) (?=[aeiou])")


def _words(text, separator=None):
    """A word list written as running text: split on whitespace, or on ``separator``."""
    return [word.strip() for word in text.split(separator) if word.strip()]


FIRST_NAMES = _words(
    """Ada Alma Anders Ane Arlo Astrid Aurelio Bea Benedikt Bruno Camille Carmen Cato
Cecil Celia Dara Dario Delphine Dmitri Edda Edwin Elena Elio Elsa Emil Esme Ezra Fabian Farah
Felix Freya Gael Greta Gus Hana Hector Hilde Ida Ignacio Ilse Imani Ines Ivo Jana Jasper Joaquin
Jonas Jun Kaia Kasper Kenji Keira Lars Lea Leon Lina Lorenzo Lotte Luca Mae Magnus Maia Malik
Marek Marta Mateo Mila Milo Mina Nadia Nils Nina Noor Odile Olek Omar Orla Oscar Pia Pilar Quinn
Rafael Remy Rhea Rosa Rufus Runa Saoirse Selma Silas Sofia Stellan Suki Sven Tamsin Teo Thea Tobias
Tove Ugo Una Vera Viggo Vivian Wren Xavi Yara Yusuf Zara Zeno"""
)
LAST_NAMES = _words(
    """Aalto Abara Achterberg Adeyemi Albrecht Alcott Almeida Amsel Andersen Arden
Ashdown Balogun Barros Bauer Beaumont Bellamy Bergstrom Bianchi Blackwood Blum Bond Borodin Brandt
Brennan Calder Carrow Castellano Chao Corvino Dahl Dasgupta Delacroix Devereux Draper Duarte Eckert
Ellery Engel Esposito Falk Farrow Fenwick Ferrante Fischer Fontaine Frost Galloway Garnier Geller
Gerber Halvorsen Hargreaves Hartmann Haverford Hollis Holm Ibarra Ingram Iwasaki Jansen Jovanovic
Kagawa Kaur Keller Kowalski Kramer Lachance Lambert Larkin Lemaire Lindqvist Lowe Lund Madsen
Marchetti Mercer Moreau Morrow Nakamura Navarro Nieminen Novak Oakes Okafor Olsen Ortega Pereira
Petrov Pike Quigley Rademacher Ramos Ravel Reyes Rinaldi Rourke Sadler Salazar Sandoval Schreiber
Sorensen Stroud Szabo Takeda Thorne Tiller Ulrich Vance Varga Vasquez Vogel Voss Wainwright Walcott
Weller Winslow Wolfe Yamada Yilmaz Zeller Zielinski"""
)
INITIALS = [""] + [f"{letter}." for letter in "ABCDEFGHJKLMNPRSTVW"]

TITLE_ADJECTIVES = _words(
    """Silent Electric Broken Hollow Crimson Distant Endless Fading Frozen Golden
Hidden Iron Last Lost Midnight Neon Northern Pale Quiet Restless Scarlet Secret Shattered Silver
Southern Starless Sunken Tender Velvet Wild Burning Glass Paper Savage Wandering Open Bright"""
)
TITLE_NOUNS = _words(
    """Horizon Circuit Harbor Signal Empire Garden Machine Frontier Winter Summer River
Mirror Orbit Echo Kingdom Ocean Station Canyon Lantern Protocol Tide Archive Voyage Meridian Relay
Citadel Spiral Meadow Engine Orchard Tower Valley Ember Atlas Beacon Cathedral Labyrinth"""
)
SUBTITLES = _words(
    """Reckoning Awakening Return Uprising Legacy Origins Revelation Descent Exodus Requiem
Renegades Resurrection Dominion Inheritance Aftermath"""
)
ROMAN = ["", "II", "III", "IV", "V", "VI", "VII", "VIII"]
GROUP_WORDS = _words(
    """Static Ghost Chrome Velvet Paper Neon Silver Hollow Analog Solar Lunar Midnight
Crystal Magnetic Parallel"""
)
GROUP_NOUNS = _words(
    """Engines Choir Orchestra Machines Collective Ensemble Quartet Signals Brothers
Sisters Circuit Assembly Society Tapes Frequencies"""
)
LABELS = _words(
    """Lakeshore Records|Varèse Sarabande|Milan Records|Sony Classical|Decca|Walt Disney Records|
WaterTower Music|Silva Screen|La-La Land Records|Intrada|Mondo|Invada Records|Back Lot Music|
Deutsche Grammophon|Hollywood Records""",
    "|",
)
CERTIFICATES = ["G", "PG", "PG", "PG-13", "PG-13", "PG-13", "R", "R"]
TAG_NAMES = _words(
    """Orchestral|Synthesizers|Ambient|Choral|Jazz|Minimalism|Horror|Science fiction|Westerns|
Thrillers|Animation|Documentary|Romance|Musicals|Superheroes|Period drama|War films|Fantasy|Comedy|
Noir|Video game music|Reissues|Box sets|Vinyl|Expanded editions|Main titles|Leitmotifs|Temp tracks|
Needle drops|Songs|Debut scores|Sequels|Remakes|Franchises|Collaborations|Awards|Interviews|
Retrospectives|Live to picture|Concert suites|Sound design|Percussion|Strings|Piano|Guitar|Brass|
Woodwinds|Experimental""",
    "|",
)
CHARACTER_TITLES = _words(
    """Captain Doctor Agent Professor Detective Sergeant Commander Officer Mayor
Sister Father Judge"""
)
TRACK_WORDS = _words(
    """Arrival Departure Pursuit Signal Dawn Dusk Grid Pulse Descent Awakening Memory
Ruins Flight Reunion Storm Silence Lullaby March Overture Finale Transmission Escape Threshold
Requiem Crossing Vigil Ascent Collapse Promise Homecoming Waltz Nocturne Elegy Fanfare Interlude
Reprise Lament Chase Sanctuary Breach Embers Mirage Tides Horizon Static Glow Heartbeat"""
)
TRACK_PREPOSITIONS = ["", "", "", "The ", "A ", "Into the ", "After the ", "Beyond the "]
SCENE_PLACES = _words(
    """rooftop|subway platform|desert highway|flooded archive|control room|ballroom|
harbor at night|mountain pass|abandoned factory|hospital corridor|train carriage|lighthouse|
frozen lake|city market|server farm|cathedral|motel parking lot|orbital station""",
    "|",
)
SCENE_ACTIONS = _words(
    """chase across the|farewell on the|first meeting at the|standoff in the|escape from the|
montage over the|dream sequence in the|discovery in the|opening shot of the|final duel in the
""",
    "|",
)

ADJECTIVES = _words(
    """restless tender brittle muscular luminous austere lush spare propulsive glacial
mournful playful menacing hypnotic wistful brash elegant jagged patient feverish stately"""
)
INSTRUMENTS = _words(
    """strings|horns|woodwinds|choral voices|piano figures|synthesizers|percussion parts|cellos|
guitars|harps|organ chords|celesta lines|theremin lines|timpani|saxophones|drum machines|
modular synths""",
    "|",
)
MUSIC_NOUNS = _words(
    """theme motif ostinato cue suite melody chord progression drone pulse fanfare
lullaby waltz arpeggio counterpoint crescendo refrain bassline texture palette"""
)
VERBS = _words(
    """carries lifts undercuts anchors haunts propels frames colours shadows answers
echoes reframes sharpens softens complicates"""
)
FILM_NOUNS = (
    "the chase",
    "the finale",
    "the opening titles",
    "the love story",
    "the heist",
    "the last act",
    "the flashback",
    "the montage",
    "the first encounter",
    "the escape",
    "the betrayal",
    "the homecoming",
)
SENTENCE_TEMPLATES = (
    "The {adj} {noun} for {instrument} {verb} {scene} without ever asking for attention.",
    "Where most scores would reach for {instrument}, this one leans on a {adj} {noun} instead.",
    "It is {adj} writing, and the {instrument} carry more of the story than the dialogue.",
    "By the time {scene} arrives, the {noun} has been heard so often that its return feels earned.",
    "The album sequences the cues out of film order, which makes the {adj} {noun} land harder.",
    "A {adj} {noun} opens the record, built from {instrument} and very little else.",
    "Nobody will mistake the {instrument} for a temp track; the writing is too {adj} for that.",
    "The mix favours the {instrument}, and the {noun} underneath them is {adj} in the best sense.",
    "Heard away from the picture, the {noun} is more {adj} than it seemed in the theater.",
    "There are stretches where the {instrument} simply hold a {adj} chord and let {scene} play.",
    "The {noun} {verb} {scene}, then disappears for forty minutes.",
    "What the {instrument} bring to {scene} is the clearest statement of the film's {adj} heart.",
    "Fans of the earlier films will recognise the {noun}, now {adj} and slower.",
    "The score is at its best when it trusts a single {adj} {noun} over spectacle.",
    "Even the quieter cues keep a {adj} {noun} moving beneath the {instrument}.",
)
SUBHEADS = (
    "A {adj} {noun} for a {adj2} film",
    "How the {instrument} tell the story",
    "The {noun} that holds it together",
    "Where the album differs from the film",
    "Listening past {scene}",
    "What the sequel keeps, and what it drops",
    "The case for hearing it in a theater",
    "A {adj} record on its own terms",
)
HEADLINES = (
    "{composer}’s score for ‘{film}’ is {adj} and worth hearing loud",
    "‘{film}’ review: {composer} finds a {adj} voice for the {noun}",
    "The music of ‘{film}’ does what the film cannot",
    "{composer} turns ‘{film}’ into a {adj} listen",
    "Why the soundtrack of ‘{film}’ outlasts the film",
    "‘{film}’: a {adj} score in search of a better movie",
)
DEKS = (
    "{composer}’s music for ‘{film}’ is {adj} where the film is not, and the album shows it.",
    "A {adj} score that carries ‘{film}’ through its weakest stretches.",
    "The film divides opinion; the {noun} {composer} wrote for it should not.",
)
NOTE_TEXTS = (
    "Plays under {scene} in the film, trimmed by about half.",
    "The film uses only the opening bars; the rest is album-only.",
    "Mixed low in the film, under dialogue; the album version is the one to hear.",
    "Replaced in the final cut by a licensed song; the cue survives only on the album.",
    "Runs whole under {scene}, one of the few cues the film lets play out.",
)


def plan_counts(scale=1.0, reviews=None, films=None, albums=None):
    """The sizes to generate: the defaults times ``scale``, or given outright."""
    counts = {}
    for name, given in (("reviews", reviews), ("films", films), ("albums", albums)):
        counts[name] = given if given is not None else max(1, round(DEFAULTS[name] * scale))
    return counts


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, one line per phase otherwise."""

    def __init__(self, stream, enabled=True):
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()

    def start(self, label, total):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.drawn = time.monotonic()
        self._draw()

    def advance(self, step=1):
        self.done += step
        if self.tty and time.monotonic() - self.drawn > 0.1:
            self._draw()

    def finish(self):
        self.done = self.total
        if self.enabled:
            self._draw()
            self.stream.write("\n" if self.tty else "", ending="")
            self.stream.flush()

    def _draw(self):
        if not self.enabled or (not self.tty and self.done < self.total):
            return
        self.drawn = time.monotonic()
        share = self.done / self.total
        bar = "#" * round(share * 30)
        line = (
            f"{self.label:<22} [{bar:<30}] {share:4.0%} {self.done:>7}/{self.total:<7} "
            f"{self.drawn - self.started:6.1f}s"
        )
        self.stream.write(("\r" + line) if self.tty else (line + "\n"), ending="")
        self.stream.flush()


class Publication:
    """The whole generated publication, planned in memory from one seeded RNG."""

    def __init__(self, counts, seed):
        self.rng = random.Random(seed)
        self.counts = counts
        self.slugs = set()
        self.pool = []

    # Small helpers -----------------------------------------------------------------------

    def slug(self, text):
        base = (PREFIX + slugify(text))[:180].rstrip("-")
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def fix_uuids(self, obj):
        """Draw random UUID fields (``uid``) from the seeded RNG instead of ``uuid4()``."""
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.UUIDField) and field.has_default():
                setattr(obj, field.attname, self.uuid())
        return obj

    def date_between(self, start_year, end_year):
        start = datetime.date(start_year, 1, 1)
        days = (datetime.date(end_year, 12, 31) - start).days
        return start + datetime.timedelta(days=self.rng.randrange(days))

    def words(self):
        rng = self.rng
        return {
            "adj": rng.choice(ADJECTIVES),
            "adj2": rng.choice(ADJECTIVES),
            "noun": rng.choice(MUSIC_NOUNS),
            "instrument": rng.choice(INSTRUMENTS),
            "verb": rng.choice(VERBS),
            "scene": rng.choice(FILM_NOUNS),
        }

    def sentence(self, template=None, **extra):
        text = (template or self.rng.choice(SENTENCE_TEMPLATES)).format(**self.words(), **extra)
        return _ARTICLE.sub(r"\1n ", text)

    def sentences(self, count):
        """Sentences drawn from a pool: varied enough to read and search, quick to make."""
        if not self.pool:
            self.pool = [self.sentence() for _ in range(SENTENCE_POOL)]
        return self.rng.choices(self.pool, k=count)

    # The plan ----------------------------------------------------------------------------

    def build(self):
        """Everything but the track notes, which need the rendered bodies' citations."""
        self.build_people()
        self.build_franchises_and_films()
        self.build_credits()
        self.build_albums_and_tracks()
        self.build_authors_and_tags()
        self.build_reviews()

    def build_people(self):
        rng, films = self.rng, self.counts["films"]
        pools = {
            "director": max(2, films // 3),
            "producer": max(4, films * 2 // 3),
            "writer": max(2, films // 2),
            "composer": max(3, films // 8),
            "actor": max(10, films * 3 // 2),
        }
        names = len(FIRST_NAMES) * len(LAST_NAMES) * len(INITIALS)
        picks = rng.sample(
            range(names), sum(pools.values()) + max(2, self.counts["reviews"] // 250)
        )
        self.names = [self.person_name(pick) for pick in picks]
        self.people = []
        self.pools = {}
        authors_from = sum(pools.values())
        for role, size in pools.items():
            pool = []
            for _ in range(size):
                name = self.names[len(self.people)]
                person = Person(name=name, slug=self.slug(name), bio=self.person_bio(role))
                self.people.append(person)
                pool.append(person)
            self.pools[role] = pool
        # Groups: bands and duos credited as composers, whose members are composers too.
        self.members = []
        groups = []
        for _ in range(max(1, pools["composer"] // 12)):
            name = f"{rng.choice(GROUP_WORDS)} {rng.choice(GROUP_NOUNS)}"
            group = Person(
                name=name, slug=self.slug(name), is_group=True, bio=self.person_bio("group")
            )
            groups.append(group)
            for member in rng.sample(self.pools["composer"], min(3, rng.randint(2, 3))):
                self.members.append((group, member))
        self.people.extend(groups)
        self.pools["composer"] = self.pools["composer"] + groups
        self.author_names = self.names[authors_from:]

    def person_name(self, pick):
        first, rest = divmod(pick, len(LAST_NAMES) * len(INITIALS))
        last, initial = divmod(rest, len(INITIALS))
        parts = (FIRST_NAMES[first], INITIALS[initial], LAST_NAMES[last])
        return " ".join(part for part in parts if part)

    def person_bio(self, role):
        what = {
            "director": "A director",
            "producer": "A producer",
            "writer": "A screenwriter",
            "composer": "A composer",
            "actor": "An actor",
            "group": "A group",
        }[role]
        return f"{what} known for {self.rng.choice(ADJECTIVES)} work across several decades."

    def film_title(self):
        rng = self.rng
        pattern = rng.randrange(4)
        if pattern == 0:
            return f"The {rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
        if pattern == 1:
            return f"{rng.choice(TITLE_NOUNS)} of the {rng.choice(TITLE_NOUNS)}"
        if pattern == 2:
            return f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
        return rng.choice(TITLE_NOUNS)

    def new_film(self, title, release_date, franchise=None, order=None):
        rng, n = self.rng, len(self.films)
        return Film(
            title=title,
            slug=self.slug(title),
            release_date=release_date,
            runtime=rng.randint(82, 172),
            certificate=rng.choice(CERTIFICATES),
            tagline=f"Every {rng.choice(TITLE_NOUNS).lower()} has a {rng.choice(MUSIC_NOUNS)}.",
            synopsis=" ".join(self.sentences(3)),
            franchise=franchise,
            franchise_order=order,
            imdb_id=f"tt9{n:07d}",
            tmdb_id=9_000_000 + n,
        )

    def build_franchises_and_films(self):
        rng, total = self.rng, self.counts["films"]
        self.franchises, self.films = [], []
        for _ in range(max(1, total // 80) if total >= 6 else 0):
            name = f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
            franchise = Franchise(
                name=name,
                slug=self.slug(name),
                description=f"A franchise whose {rng.choice(MUSIC_NOUNS)} changed with each film.",
            )
            self.franchises.append(franchise)
            year = rng.randint(1970, 2005)
            for order in range(1, min(rng.randint(3, 6), total - len(self.films)) + 1):
                title = name if order == 1 else f"{name} {ROMAN[order - 1]}"
                if order > 2 and rng.random() < 0.5:
                    title = f"{name}: {rng.choice(SUBTITLES)}"
                film = self.new_film(title, self.date_between(year, year), franchise, order)
                self.films.append(film)
                year = min(2025, year + rng.randint(2, 9))
        while len(self.films) < total:
            self.films.append(self.new_film(self.film_title(), self.date_between(1955, 2025)))

    def build_credits(self):
        rng, pools = self.rng, self.pools
        self.credits = []
        self.composers = {}
        franchise_composer = {}
        for film in self.films:
            composers = [rng.choice(pools["composer"])]
            if film.franchise is not None:
                # A franchise keeps its composer from film to film, until it does not.
                kept = franchise_composer.get(film.franchise.slug)
                if kept and rng.random() < 0.6:
                    composers = [kept]
                franchise_composer[film.franchise.slug] = composers[0]
            if rng.random() < 0.15:
                extra = rng.choice(pools["composer"])
                if extra not in composers:
                    composers.append(extra)
            self.composers[film.slug] = composers
            directors = rng.sample(pools["director"], 2 if rng.random() < 0.1 else 1)
            writers = rng.sample(pools["writer"], rng.randint(1, 2))
            if rng.random() < 0.2 and directors[0] not in writers:
                writers[0] = directors[0]
            roles = (
                (Credit.Role.DIRECTOR, directors),
                (Credit.Role.PRODUCER, rng.sample(pools["producer"], rng.randint(2, 4))),
                (Credit.Role.SCREENPLAY, writers),
                (Credit.Role.STORY, rng.sample(pools["writer"], rng.randint(0, 1))),
                (Credit.Role.COMPOSER, composers),
                (Credit.Role.CAST, rng.sample(pools["actor"], min(rng.randint(6, 9), 10))),
            )
            for role, people in roles:
                for order, person in enumerate(people, start=1):
                    character = self.character() if role == Credit.Role.CAST else ""
                    self.credits.append(
                        Credit(
                            film=film,
                            person=person,
                            role=role,
                            character=character,
                            billing_order=order,
                        )
                    )

    def character(self):
        rng = self.rng
        if rng.random() < 0.3:
            return f"{rng.choice(CHARACTER_TITLES)} {rng.choice(LAST_NAMES)}"
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def build_albums_and_tracks(self):
        rng, total = self.rng, self.counts["albums"]
        primary = min(len(self.films), round(total * 0.85), total)
        scored = rng.sample(self.films, primary)
        plan = [(film, Soundtrack.Kind.SCORE) for film in scored]
        for _ in range(total - primary):
            kind = rng.choice([Soundtrack.Kind.SONGS, Soundtrack.Kind.COMPILATION])
            plan.append((rng.choice(scored), kind))
        self.albums, self.album_artists, self.tracks = [], [], []
        self.albums_of = {}
        suffix = {
            Soundtrack.Kind.SCORE: "Original Motion Picture Score",
            Soundtrack.Kind.SONGS: "Music from the Motion Picture",
            Soundtrack.Kind.COMPILATION: "Original Motion Picture Soundtrack",
        }
        for film, kind in plan:
            composers = self.composers[film.slug]
            if kind == Soundtrack.Kind.SONGS:
                artists = rng.sample(self.pools["composer"], 2)
                credit = "Various Artists"
            else:
                artists = composers
                credit = " & ".join(person.name for person in composers)
            title = f"{film.title} ({suffix[kind]})"
            album = Soundtrack(
                film=film,
                title=title,
                slug=self.slug(title),
                artist_credit=credit,
                label=rng.choice(LABELS),
                release_date=film.release_date + datetime.timedelta(days=rng.randint(-14, 30)),
                kind=kind,
                description=" ".join(self.sentences(2)),
            )
            self.albums.append(album)
            self.albums_of.setdefault(film.slug, []).append(album)
            self.album_artists.extend((album, artist) for artist in artists)
            self.build_tracks(album, artists)

    def build_tracks(self, album, artists):
        rng = self.rng
        count = rng.randint(14, 26)
        discs = 2 if rng.random() < 0.06 else 1
        per_disc = math.ceil(count / discs)
        vocal_share = 0.85 if album.kind == Soundtrack.Kind.SONGS else 0.08
        for index in range(count):
            title = f"{rng.choice(TRACK_PREPOSITIONS)}{rng.choice(TRACK_WORDS)}"
            if rng.random() < 0.3:
                title = f"{title} ({rng.choice(TRACK_WORDS)})"
            vocal = rng.random() < vocal_share
            credit = ""
            if album.kind == Soundtrack.Kind.SONGS:
                credit = rng.choice(artists).name
            self.tracks.append(
                Track(
                    soundtrack=album,
                    disc=index // per_disc + 1,
                    position=index % per_disc + 1,
                    title=title,
                    duration=None if rng.random() < 0.02 else rng.randint(45, 420),
                    artist_credit=credit,
                    is_vocal=vocal,
                )
            )

    def build_authors_and_tags(self):
        rng = self.rng
        count = max(2, self.counts["reviews"] // 250)
        self.authors = [
            Author(
                name=name,
                slug=self.slug(name),
                bio=f"Writes about {rng.choice(INSTRUMENTS)} and {rng.choice(TAG_NAMES).lower()}.",
            )
            for name in self.author_names[:count]
        ]
        self.tags = [Tag(name=name, slug=self.slug(name)) for name in TAG_NAMES]

    def build_reviews(self):
        rng, total = self.rng, self.counts["reviews"]
        self.tracks_of = {}
        for track in self.tracks:
            self.tracks_of.setdefault(track.soundtrack.slug, []).append(track)
        reviewed = [film for film in self.films if film.slug in self.albums_of] or self.films
        # A review that discusses other films mostly discusses the rest of the franchise.
        self.franchise_films = {}
        for franchise in self.franchises:
            films = [film for film in self.films if film.franchise is franchise]
            self.franchise_films.update((film.slug, films) for film in films)
        self.reviews = []
        self.review_links = {"authors": [], "tags": [], "soundtracks": [], "other_films": []}
        for index in range(total):
            film = rng.choice(reviewed)
            albums = self.albums_of.get(film.slug, [])
            covered = albums[: rng.randint(1, 2)]
            composer = self.composers[film.slug][0].name
            roll = rng.random()
            if roll < 0.93:
                status = Review.Status.PUBLISHED
            elif roll < 0.96:
                status = Review.Status.DRAFT
            elif roll < 0.985:
                status = Review.Status.IN_REVIEW
            else:
                status = Review.Status.WITHDRAWN
            # Spread evenly over ten years, jittered within a day, oldest first.
            moment = ANCHOR - SPAN + SPAN * (index + rng.random()) / total
            live = status in (Review.Status.PUBLISHED, Review.Status.WITHDRAWN)
            headline = self.sentence(rng.choice(HEADLINES), film=film.title, composer=composer)
            review = self.fix_uuids(
                Review(
                    headline=headline[:200],
                    slug=self.slug(headline[:120]),
                    dek=self.sentence(rng.choice(DEKS), film=film.title, composer=composer),
                    body=self.review_body(film, composer, covered),
                    film=film,
                    rating=rng.randint(3, 10) if rng.random() < 0.7 else None,
                    status=status,
                    publish_at=moment.replace(microsecond=0) if live else None,
                    first_published_at=moment.replace(microsecond=0) if live else None,
                )
            )
            self.reviews.append(review)
            links = self.review_links
            chosen = rng.sample(self.authors, 2 if rng.random() < 0.15 else 1)
            links["authors"].extend((review, author) for author in chosen)
            links["tags"].extend((review, tag) for tag in rng.sample(self.tags, rng.randint(2, 5)))
            links["soundtracks"].extend((review, album) for album in covered)
            if rng.random() < 0.25:
                others = self.franchise_films.get(film.slug)
                others = others or rng.sample(self.films, min(2, len(self.films)))
                for other in rng.sample(others, min(len(others), rng.randint(1, 2))):
                    if other is not film:
                        links["other_films"].append((review, other))

    def review_body(self, film, composer, albums):
        """About 900 words of Markdown: paragraphs under ``##`` subheads, with track links."""
        rng = self.rng
        tracks = [track for album in albums for track in self.tracks_of.get(album.slug, [])]
        cited = rng.sample(tracks, min(len(tracks), rng.randint(2, 4)))
        special = [
            f"{composer}’s work on {film.title} is the reason to pay attention here.",
            f"{film.title} asks a lot of its music, and {composer} mostly delivers.",
        ]
        for track in cited:
            reference = f"{track.soundtrack.slug}/{track.position}"
            if track.disc > 1:
                reference = f"{track.soundtrack.slug}/{track.disc}/{track.position}"
            special.append(
                f"Listen to [{track.title}](track:{reference}), which "
                f"{rng.choice(VERBS)} {rng.choice(FILM_NOUNS)}."
            )
        sentences = self.sentences(54) + special
        rng.shuffle(sentences)
        blocks, cursor = [], 0
        for section in range(4):
            if section:
                blocks.append("## " + self.sentence(rng.choice(SUBHEADS)))
            for _ in range(rng.randint(2, 3)):
                size = rng.randint(4, 6)
                blocks.append(" ".join(sentences[cursor : cursor + size]))
                cursor += size
        if cursor < len(sentences):
            blocks.append(" ".join(sentences[cursor:]))
        return "\n\n".join(block for block in blocks if block)

    def build_notes(self):
        rng = self.rng
        self.notes = []
        citing = {}
        for review in self.reviews:
            if review.status == Review.Status.PUBLISHED:
                for track in review.cited:
                    citing.setdefault(id(track), review)
        for track in self.tracks:
            if rng.random() >= 0.35:
                continue
            runtime = track.soundtrack.film.runtime * 60
            text_template = rng.choice(NOTE_TEXTS)
            scene = f"{rng.choice(SCENE_ACTIONS)} {rng.choice(SCENE_PLACES)}".capitalize()
            source = citing.get(id(track)) if rng.random() < 0.5 else None
            self.notes.append(
                self.fix_uuids(
                    TrackNote(
                        track=track,
                        scene=scene,
                        cue_start=rng.randrange(60, runtime) if rng.random() < 0.6 else None,
                        usage=rng.choice(TrackNote.Usage.values),
                        text=text_template.format(scene=scene.lower()),
                        source_review=source,
                    )
                )
            )


# Rendering review bodies, in worker processes when there are many ---------------------------

_track_urls = {}


class _Link:
    """What ``render_markdown`` needs of a track: its URL (it lives in the worker, not the DB)."""

    __slots__ = ("reference", "url")

    def __init__(self, reference, url):
        self.reference, self.url = reference, url

    def get_absolute_url(self):
        return self.url


def _find_tracks(references):
    return {ref: _Link(ref, _track_urls[ref]) for ref in references if ref in _track_urls}


def _render(body):
    rendered = render_markdown(body, _find_tracks)
    return rendered.html, [link.reference for link in rendered.tracks]


def render_bodies(publication, jobs, progress):
    """Fill ``body_html`` and the cited tracks of every planned review."""
    tracks = {
        TrackReference(track.soundtrack.slug, track.disc, track.position): track
        for track in publication.tracks
    }
    _track_urls.clear()
    _track_urls.update((ref, track.get_absolute_url()) for ref, track in tracks.items())
    reviews = publication.reviews
    progress.start("rendering bodies", len(reviews))
    bodies = (review.body for review in reviews)
    if jobs > 1 and len(reviews) >= POOL_THRESHOLD:
        # Forked workers inherit the track URLs and never touch the database connection.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = list(_advancing(pool.imap(_render, bodies, chunksize=64), progress))
    else:
        results = list(_advancing(map(_render, bodies), progress))
    for review, (html, references) in zip(reviews, results, strict=True):
        review.body_html = html
        review.cited = [tracks[ref] for ref in references]
    progress.finish()


def _advancing(results, progress):
    for result in results:
        progress.advance()
        yield result


# Writing ------------------------------------------------------------------------------------


class Writer:
    def __init__(self, progress, batch_size):
        self.progress = progress
        self.batch_size = batch_size

    def insert(self, label, model, objects):
        objects = list(objects)
        if model in SLUG_UIDS:
            # From the slug, so the same seed gives the same rows without drawing from (and so
            # shifting) the seeded RNG that reviews' and notes' uids come from.
            for obj in objects:
                obj.uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{model._meta.label_lower}:{obj.slug}")
        self.progress.start(label, len(objects))
        for start in range(0, len(objects), self.batch_size):
            batch = objects[start : start + self.batch_size]
            model.objects.bulk_create(batch, batch_size=self.batch_size)
            self.progress.advance(len(batch))
        self.progress.finish()

    def link(self, label, field, pairs):
        """Rows of a many-to-many table, from (source, target) pairs of saved objects."""
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = []
        seen = set()
        for left, right in pairs:
            if (left.pk, right.pk) not in seen:
                seen.add((left.pk, right.pk))
                rows.append(through(**{f"{source}_id": left.pk, f"{target}_id": right.pk}))
        self.insert(label, through, rows)


def fix_timestamps(queryset, value):
    """Replace what ``auto_now``/``auto_now_add`` stamped during the run with ``value``."""
    stamped = [
        field.name
        for field in queryset.model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    if stamped:
        queryset.update(**dict.fromkeys(stamped, value))


def write(publication, writer):
    p = publication
    writer.insert("people", Person, p.people)
    writer.link("group members", Person._meta.get_field("members"), p.members)
    writer.insert("franchises", Franchise, p.franchises)
    writer.insert("films", Film, p.films)
    writer.insert("credits", Credit, p.credits)
    writer.insert("albums", Soundtrack, p.albums)
    writer.link("album artists", Soundtrack._meta.get_field("artists"), p.album_artists)
    writer.insert("tracks", Track, p.tracks)
    writer.insert("authors", Author, p.authors)
    writer.insert("tags", Tag, p.tags)
    writer.insert("reviews", Review, p.reviews)
    for name, pairs in p.review_links.items():
        writer.link(f"review {name}".replace("_", " "), Review._meta.get_field(name), pairs)
    cited = ((review, track) for review in p.reviews for track in review.cited)
    writer.link("cited tracks", Review._meta.get_field("cited_tracks"), cited)
    writer.insert("track notes", TrackNote, p.notes)

    for model, queryset in generated().items():
        # A review was last saved when it went live (drafts: at the anchor): none reads "Updated".
        if model is Review:
            fix_timestamps(queryset, Coalesce(models.F("publish_at"), models.Value(ANCHOR)))
        else:
            fix_timestamps(queryset, ANCHOR)


def generated():
    """Everything the command makes, by model, dependants first (films and people are
    protected from deletion while anything points at them)."""
    return {
        TrackNote: TrackNote.objects.filter(track__soundtrack__slug__startswith=PREFIX),
        Review: Review.objects.filter(slug__startswith=PREFIX),
        Track: Track.objects.filter(soundtrack__slug__startswith=PREFIX),
        Soundtrack: Soundtrack.objects.filter(slug__startswith=PREFIX),
        Credit: Credit.objects.filter(film__slug__startswith=PREFIX),
        Film: Film.objects.filter(slug__startswith=PREFIX),
        Person: Person.objects.filter(slug__startswith=PREFIX),
        Franchise: Franchise.objects.filter(slug__startswith=PREFIX),
        Tag: Tag.objects.filter(slug__startswith=PREFIX),
        Author: Author.objects.filter(slug__startswith=PREFIX),
    }


def generated_counts():
    return {
        "reviews": Review.objects.filter(slug__startswith=PREFIX).count(),
        "films": Film.objects.filter(slug__startswith=PREFIX).count(),
        "albums": Soundtrack.objects.filter(slug__startswith=PREFIX).count(),
        "people": Person.objects.filter(slug__startswith=PREFIX).count(),
    }


def delete_generated(progress):
    """Delete everything the command made, and nothing else, for good (it is made again)."""
    querysets = generated().values()
    progress.start("deleting", len(querysets))
    with deleting_for_good():
        for queryset in querysets:
            queryset.only("pk").delete()
            progress.advance()
    progress.finish()


class Command(BaseCommand):
    help = (
        "Generate a large, deterministic publication (10,000 reviews, 2,000 films, 1,500 albums "
        "by default) for benchmarks. Slugs start with 'gen-'; --replace regenerates it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the default sizes, e.g. 0.01 for 100 reviews, 20 films, 15 albums.",
        )
        parser.add_argument("--reviews", type=int, help=f"Reviews (default {DEFAULTS['reviews']}).")
        parser.add_argument("--films", type=int, help=f"Films (default {DEFAULTS['films']}).")
        parser.add_argument("--albums", type=int, help=f"Albums (default {DEFAULTS['albums']}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="The RNG seed.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete previously generated content first (nothing else is touched).",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per INSERT.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(os.cpu_count() or 1, 8),
            help="Processes rendering review bodies (default: one per CPU).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        counts = plan_counts(
            options["scale"], options["reviews"], options["films"], options["albums"]
        )
        if min(counts.values()) < 0 or counts["films"] < 1:
            raise CommandError("Sizes must not be negative, and there must be at least one film.")
        if counts["albums"] < 1 and counts["reviews"] > 0:
            raise CommandError("Reviews are about albums: generate at least one album.")
        progress = Progress(self.stderr, enabled=not options["no_progress"])
        database = router.db_for_write(Review)
        started = time.monotonic()

        with connections[database].cursor():
            pass  # Fail early and clearly if the database is unreachable.
        existing = generated_counts()
        if any(existing.values()):
            if not options["replace"]:
                raise CommandError(
                    f"Generated content already exists ({existing['reviews']} reviews, "
                    f"{existing['films']} films with slugs starting '{PREFIX}'). "
                    "Run with --replace to delete it and generate again."
                )
            with transaction.atomic(using=database):
                delete_generated(progress)

        publication = Publication(counts, options["seed"])
        progress.start("planning", 1)
        publication.build()
        progress.finish()
        render_bodies(publication, options["jobs"], progress)
        publication.build_notes()

        with transaction.atomic(using=database):
            write(publication, Writer(progress, options["batch_size"]))
        # Fresh planner statistics for the rows just added. SQLite has none until ANALYZE runs
        # and then walks the whole (status, publish_at) index for, say, an album's citing
        # reviews; PostgreSQL would catch up by itself, later.
        progress.start("analyzing", 1)
        with connections[database].cursor() as cursor:
            cursor.execute("ANALYZE")
        progress.finish()
        # bulk_create sends no signals: tell the page cache its pages are stale.
        bump_version()

        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(publication.reviews)} reviews, {len(publication.films)} films "
                f"({len(publication.credits)} credits), {len(publication.albums)} albums "
                f"({len(publication.tracks)} tracks, {len(publication.notes)} notes), "
                f"{len(publication.people)} people, {len(publication.franchises)} franchises "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
