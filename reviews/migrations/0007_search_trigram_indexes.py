"""Trigram indexes for the site search on PostgreSQL; nothing on SQLite.

Search matches substrings (``icontains``), which PostgreSQL runs as
``UPPER(column) LIKE UPPER('%term%')``: a B-tree cannot serve that, a GIN trigram index on the
same expression can. They live here, not in ``Meta.indexes``, because SQLite has no GIN: Django
would try to build them there too. The tables of films, people and tracks are indexed here as
well, since the search that needs them is this app's.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("review_headline_trgm", "reviews_review", "headline"),
    ("review_dek_trgm", "reviews_review", "dek"),
    ("review_body_trgm", "reviews_review", "body"),
    ("film_title_trgm", "films_film", "title"),
    ("person_name_trgm", "films_person", "name"),
    ("track_title_trgm", "soundtracks_track", "title"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0003_indexes_for_scale"),
        ("soundtracks", "0003_indexes_for_scale"),
        ("reviews", "0006_indexes_for_scale"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
