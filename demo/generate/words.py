"""The word lists the publication is written from: data/*.txt, one entry a line, read once.

Only the short lists whose empty entries or repeats are the point stay here in code.
"""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _load(name):
    """data/<name>.txt as a tuple of its non-blank lines, in order."""
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


# People
FIRST_NAMES = _load("first_names")
LAST_NAMES = _load("last_names")
INITIALS = [""] + [f"{letter}." for letter in "ABCDEFGHJKLMNPRSTVW"]
CHARACTER_TITLES = _load("character_titles")
GROUP_WORDS = _load("group_words")
GROUP_NOUNS = _load("group_nouns")

# Films and albums
TITLE_ADJECTIVES = _load("title_adjectives")
TITLE_NOUNS = _load("title_nouns")
SUBTITLES = _load("subtitles")
ROMAN = ["", "II", "III", "IV", "V", "VI", "VII", "VIII"]
# Repeats weight the draw.
CERTIFICATES = ["G", "PG", "PG", "PG-13", "PG-13", "PG-13", "R", "R"]
LABELS = _load("labels")
TRACK_WORDS = _load("track_words")
# Most titles have no article: the empty entries weight the draw.
TRACK_PREPOSITIONS = ["", "", "", "The ", "A ", "Into the ", "After the ", "Beyond the "]
SCENE_PLACES = _load("scene_places")
SCENE_ACTIONS = _load("scene_actions")

# Reviews: tags, and the words and templates of the prose (str.format fields: prose.py)
TAG_NAMES = _load("tags")
ADJECTIVES = _load("adjectives")
INSTRUMENTS = _load("instruments")
MUSIC_NOUNS = _load("music_nouns")
VERBS = _load("verbs")
FILM_NOUNS = _load("film_nouns")
SENTENCE_TEMPLATES = _load("sentences")
SUBHEADS = _load("subheads")
HEADLINES = _load("headlines")
DEKS = _load("deks")
NOTE_TEXTS = _load("notes")
