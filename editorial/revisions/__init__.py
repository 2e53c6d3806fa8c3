"""Revisions of editorial content, kept by django-reversion: what is stored, compared and restored.

A revision stores what an editor can type: the model's editable fields, foreign keys by natural
key, and an image's width and height with the image. Derived data (rendered HTML, citations)
and bookkeeping (audit stamps, the lock version) is left out; the revision itself records who
saved and when. A model's versions are found by its ``uid`` when it has one, never by primary
key, so revisions survive ``dumpdata --natural-primary`` and ``loaddata`` into an empty
database, where primary keys change.

Stored data is read straight from the JSON, not through reversion's deserializer: a tag or a
film deleted since a revision was saved then shows as "no longer exists" instead of making the
whole revision unreadable.

The package in four modules, one a step: ``storing`` (what a save or a delete keeps, read back),
``comparing`` (two versions as readable HTML), ``reverting`` (a row back to a version),
``recovering`` (a deleted row back, with what it follows). Import from ``editorial.revisions``.
"""

from editorial.revisions.comparing import FieldChange, compare, paragraph_diff, word_diff
from editorial.revisions.recovering import (
    RecoverError,
    deleted_version,
    deleted_version_ids,
    deletion_of,
    recover,
    recovery_plan,
    stored_pk,
)
from editorial.revisions.reverting import RevertError, revert
from editorial.revisions.storing import (
    DELETED,
    NOT_STORED,
    Missing,
    deleting_for_good,
    display_value,
    python_value,
    stored_fields,
    version_fields,
    versioned,
    versions_of,
)

__all__ = [
    "DELETED",
    "NOT_STORED",
    "FieldChange",
    "Missing",
    "RecoverError",
    "RevertError",
    "compare",
    "deleted_version",
    "deleted_version_ids",
    "deleting_for_good",
    "deletion_of",
    "display_value",
    "paragraph_diff",
    "python_value",
    "recover",
    "recovery_plan",
    "revert",
    "stored_fields",
    "stored_pk",
    "version_fields",
    "versioned",
    "versions_of",
    "word_diff",
]
