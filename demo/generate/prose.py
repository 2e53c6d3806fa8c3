"""Slugs, seeded UUIDs and dates, and the sentences everything generated is written in."""

import datetime
import re
import uuid

from django.db import models
from django.utils.text import slugify

from demo.generate import PREFIX
from demo.generate.words import (
    ADJECTIVES,
    FILM_NOUNS,
    INSTRUMENTS,
    MUSIC_NOUNS,
    SENTENCE_TEMPLATES,
    VERBS,
)

SENTENCE_POOL = 5000
_ARTICLE = re.compile(r"\b([Aa]) (?=[aeiou])")


class Prose:
    """The publication's small helpers (a mixin of publication.Publication: ``self.rng``,
    ``self.slugs`` and ``self.pool`` are its)."""

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
