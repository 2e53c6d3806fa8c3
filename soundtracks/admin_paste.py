"""Pasting a cue sheet into a film and a tracklist into an album, and exporting a cue sheet.

Placeholder mixins; the paste and export views come with their own commit.
"""


class PasteCueSheetMixin:
    """On the film's admin: paste a cue sheet (CSV or tab-separated), export it as CSV."""


class PasteTracklistMixin:
    """On the album's admin: paste a tracklist."""
