"""Site search's full-text indexes and the triggers that keep them current (sitewide.search_index).

PostgreSQL: the unaccent and pg_trgm extensions, the ``cuesheet`` text search configuration
(english with unaccent), a GIN-indexed tsvector table per kind. SQLite: an FTS5 table per kind.
Both filled from the rows already there. Nothing for other databases.
"""

from django.db import migrations

from sitewide import search_index


def install(apps, schema_editor):
    search_index.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0009_film_cue_sheet_complete"),
        ("soundtracks", "0011_cue_length"),
        ("reviews", "0016_cue_sheet_roles"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
