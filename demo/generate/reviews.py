"""The reviews part of the plan: authors, tags, reviews with their Markdown bodies (citing
album tracks and cues), track notes, and what reviews are the source of."""

from demo.generate import ANCHOR, SPAN
from demo.generate.words import (
    DEKS,
    FILM_NOUNS,
    HEADLINES,
    INSTRUMENTS,
    NOTE_TEXTS,
    SCENE_ACTIONS,
    SCENE_PLACES,
    SUBHEADS,
    TAG_NAMES,
    VERBS,
)
from reviews.models import AlbumRating, Author, Review, Tag
from soundtracks.models import Cue, TrackNote


class Reviews:
    """A mixin of publication.Publication: needs the catalogue planned first."""

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
        self.ratings = []
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
            slug = self.slug(headline[:120])
            dek = self.sentence(rng.choice(DEKS), film=film.title, composer=composer)
            body = self.review_body(film, composer, covered)
            # Drawn where the review's one rating was drawn, so that a seed makes the rest as it
            # did: now a rating of the first album it covers.
            score = rng.randint(3, 10) if rng.random() < 0.7 else None
            review = self.fix_uuids(
                Review(
                    headline=headline[:200],
                    slug=slug,
                    dek=dek,
                    body=body,
                    film=film,
                    status=status,
                    publish_at=moment.replace(microsecond=0) if live else None,
                    first_published_at=moment.replace(microsecond=0) if live else None,
                )
            )
            self.reviews.append(review)
            if score is not None and covered:
                self.ratings.append(AlbumRating(review=review, soundtrack=covered[0], score=score))
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
        """About 900 words of Markdown: paragraphs under ``##`` subheads, with track and cue
        links (a cue by its code, in the case studios write it, or by its slug)."""
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
        cues = self.cues_of.get(film.slug, [])
        for cue in rng.sample(cues, min(len(cues), rng.randint(1, 2))):
            name = cue.code if rng.random() < 0.5 else cue.slug
            special.append(
                f"In the film it plays under [{cue.scene.lower()}](cue:{film.slug}/{name}), "
                f"where it {rng.choice(VERBS)} {rng.choice(FILM_NOUNS)}."
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
        """Track notes (commentary only), and the reviews the notes and the cues came from:
        a published review that cites the track or the cue, or covers the cue's film."""
        rng = self.rng
        self.notes, self.note_sources, self.cue_sources = [], [], []
        citing, covering = {}, {}
        for review in self.reviews:
            if review.status == Review.Status.PUBLISHED:
                for track in review.cited:
                    citing.setdefault(id(track), review)
                for cue in review.cited_cue_rows:
                    citing.setdefault(id(cue), review)
                covering.setdefault(review.film.slug, review)
        for track in self.tracks:
            if rng.random() >= 0.35:
                continue
            scene = f"{rng.choice(SCENE_ACTIONS)} {rng.choice(SCENE_PLACES)}"
            note = self.fix_uuids(
                TrackNote(track=track, text=rng.choice(NOTE_TEXTS).format(scene=scene))
            )
            self.notes.append(note)
            source = citing.get(id(track)) if rng.random() < 0.5 else None
            if source is not None:
                self.note_sources.append((source, note))
        for cue in self.cues:
            if cue.known_from == Cue.Source.ARTICLE:
                source = citing.get(id(cue)) or covering.get(cue.film.slug)
                if source is not None:
                    self.cue_sources.append((source, cue))
