"""The whole generated publication, planned in memory from one seeded RNG."""

import random

from demo.generate.catalogue import Catalogue
from demo.generate.cues import CueSheets
from demo.generate.prose import Prose
from demo.generate.reviews import Reviews

DEFAULTS = {"reviews": 10_000, "films": 2_000, "albums": 1_500}
DEFAULT_SEED = 1982


def plan_counts(scale=1.0, reviews=None, films=None, albums=None):
    """The sizes to generate: the defaults times ``scale``, or given outright."""
    counts = {}
    for name, given in (("reviews", reviews), ("films", films), ("albums", albums)):
        counts[name] = given if given is not None else max(1, round(DEFAULTS[name] * scale))
    return counts


class Publication(Prose, Catalogue, CueSheets, Reviews):
    """The plan: every row to write, as unsaved model instances, drawn in a fixed order."""

    def __init__(self, counts, seed):
        self.rng = random.Random(seed)
        self.counts = counts
        self.slugs = set()
        self.pool = []

    def build(self):
        """Everything but the track notes and the reviews' sources, which need the rendered
        bodies' citations (``build_notes``)."""
        self.build_people()
        self.build_franchises_and_films()
        self.build_credits()
        self.build_albums_and_tracks()
        self.build_cue_sheets()
        self.build_authors_and_tags()
        self.build_reviews()
