"""The catalogue: people and groups, franchises and films, credits, albums and their tracks."""

import datetime
import math

from demo.generate.words import (
    ADJECTIVES,
    CERTIFICATES,
    CHARACTER_TITLES,
    FIRST_NAMES,
    GROUP_NOUNS,
    GROUP_WORDS,
    INITIALS,
    LABELS,
    LAST_NAMES,
    MUSIC_NOUNS,
    ROMAN,
    SUBTITLES,
    TITLE_ADJECTIVES,
    TITLE_NOUNS,
    TRACK_PREPOSITIONS,
    TRACK_WORDS,
)
from films.models import Credit, Film, Franchise, Person
from soundtracks.models import Soundtrack, Track


class Catalogue:
    """A mixin of publication.Publication: the catalogue part of the plan, in draw order."""

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
            # Every generated film gets a whole cue sheet (demo.generate.cues).
            cue_sheet_complete=True,
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
