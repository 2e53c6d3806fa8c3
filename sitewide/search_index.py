"""The full-text index of site search: one index per kind, kept current by the database itself.

Each searched table (reviews, films, people, albums, tracks, cues) has an index table beside it,
``sitewide_<kind>_search``, whose ``rowid`` is the indexed row's primary key:

- on PostgreSQL a table of weighted ``tsvector`` values (``vector``, GIN-indexed) in the text
  search configuration ``cuesheet``: English stemming, accents folded by ``unaccent``;
- on SQLite an FTS5 table over the indexed table (external content, so snippets read the text
  where it is), tokenized with ``porter unicode61 remove_diacritics 2``.

Triggers on the indexed tables keep the index current, so every path that writes a row keeps
it current too: ``save()``, ``bulk_create`` (``generate_content``), ``QuerySet.update()``,
``loaddata``, a restore, the admin, a shell. Nothing in Python has to remember to reindex. A
row's visibility (a draft, a scheduled or withdrawn review) is not indexed: search asks the
model's own queryset (``Review.objects.published()``) at query time.

The tables and triggers are made by ``sitewide/migrations/0001_search_index``. SQLite drops a
table's triggers when a migration rebuilds the table (most ``AddField``\\s do), and a
PostgreSQL migration could in principle drop them too, so ``ensure()`` runs after every
``migrate`` (``SitewideConfig.ready``) and reinstalls what is missing, reindexing that kind.
"""

from dataclasses import dataclass

#: The text search configuration made on PostgreSQL: english, with unaccent before stemming.
CONFIG = "cuesheet"

#: SQLite's tokenizer. unicode61 folds case and (``remove_diacritics 2``) accents; porter stems.
TOKENIZE = "porter unicode61 remove_diacritics 2"

#: Letters unicode61 keeps as they are (they decompose to no base letter), folded here as
#: PostgreSQL's unaccent folds them, so that "Rønning" and "Ronning" index alike on SQLite.
#: The same map folds queries (``fold``); each is letters for letters, so a word stays one token.
FOLDED_LETTERS = {
    "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L",
    "ŀ": "l", "Ŀ": "L", "ħ": "h", "Ħ": "H", "ı": "i", "ŧ": "t", "Ŧ": "T", "ŋ": "n",
    "Ŋ": "N", "ĸ": "q", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
    "þ": "th", "Þ": "TH",
}  # fmt: skip
_FOLD_TABLE = str.maketrans(FOLDED_LETTERS)


def fold(text):
    """``text`` with the letters of ``FOLDED_LETTERS`` folded, as the SQLite index stores it."""
    return text.translate(_FOLD_TABLE)


@dataclass(frozen=True)
class Column:
    """One indexed column: its name in the index, the SQL of its text over a row (``{row}``
    stands for the row: ``NEW``, ``OLD`` or the table), and its weight, A (highest) to D."""

    name: str
    weight: str
    sql: str = ""

    def text(self, row):
        return (self.sql or f'{{row}}."{self.name}"').format(row=row)


@dataclass(frozen=True)
class Index:
    kind: str
    table: str
    columns: tuple

    @property
    def name(self):
        return f"sitewide_{self.kind}_search"


SCENE_UNLESS_SPOILER = """CASE WHEN {row}."scene_is_spoiler" THEN '' ELSE {row}."scene" END"""

#: What each kind indexes, headline or title first. A cue's scene is indexed only when it is no
#: spoiler: a spoiler must not be found, nor shown in a snippet.
INDEXES = (
    Index(
        "review",
        "reviews_review",
        (Column("headline", "A"), Column("dek", "B"), Column("body", "C")),
    ),
    Index(
        "film",
        "films_film",
        (Column("title", "A"), Column("tagline", "B"), Column("synopsis", "C")),
    ),
    Index("person", "films_person", (Column("name", "A"), Column("bio", "C"))),
    Index(
        "album",
        "soundtracks_soundtrack",
        (
            Column("title", "A"),
            Column("artist_credit", "A"),
            Column("label", "C"),
            Column("description", "C"),
        ),
    ),
    Index("track", "soundtracks_track", (Column("title", "A"), Column("artist_credit", "B"))),
    Index(
        "cue",
        "soundtracks_cue",
        (
            Column("title", "A"),
            Column("code", "A"),
            Column("scene", "B", SCENE_UNLESS_SPOILER),
        ),
    ),
)
BY_KIND = {index.kind: index for index in INDEXES}

#: bm25() column weights on SQLite, to the same intent as PostgreSQL's default ts_rank weights.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 1.0, "D": 0.5}


# PostgreSQL ---------------------------------------------------------------------------------


def _pg_vector(index, row):
    # Angle brackets as spaces: PostgreSQL's parser drops "<Cut>" whole as an HTML tag.
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}', "
        f"translate(coalesce({column.text(row)}, ''), '<>', '  ')), '{column.weight}')"
        for column in index.columns
    )


def _pg_changed(index):
    return " OR ".join(
        f"({column.text('OLD')}) IS DISTINCT FROM ({column.text('NEW')})"
        for column in index.columns
    )


def _pg_triggers(index):
    name, table = index.name, index.table
    return [
        # The function's body is not tracked as depending on the columns, so a migration that
        # alters them is not refused; the check for a change lives in it for the same reason.
        f"""
        CREATE OR REPLACE FUNCTION {name}_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {name} WHERE rowid = OLD.id;
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' AND NOT ({_pg_changed(index)}) AND OLD.id = NEW.id THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
                DELETE FROM {name} WHERE rowid = OLD.id;
            END IF;
            INSERT INTO {name} (rowid, vector) VALUES (NEW.id, {_pg_vector(index, "NEW")})
            ON CONFLICT (rowid) DO UPDATE SET vector = EXCLUDED.vector;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION {name}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE {name};
            RETURN NULL;
        END $$
        """,
        f'CREATE OR REPLACE TRIGGER {name}_write AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {name}_write()",
        f'CREATE OR REPLACE TRIGGER {name}_truncate AFTER TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_truncate()",
    ]


def _pg_fill(index):
    return [
        f"TRUNCATE {index.name}",
        f"INSERT INTO {index.name} (rowid, vector) "
        f'SELECT id, {_pg_vector(index, "src")} FROM "{index.table}" src',
        # Statistics now, or the planner takes the new table for a small one and scans it.
        f"ANALYZE {index.name}",
    ]


def _pg_config():
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
                CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english);
                ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                    ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword,
                        hword_asciipart
                    WITH unaccent, english_stem;
            END IF;
        END $$
        """,
        # Did-you-mean reads album titles by trigram similarity, as reviews' migration 0007
        # indexes film titles and people's names.
        'CREATE INDEX IF NOT EXISTS sitewide_album_title_trgm ON "soundtracks_soundtrack" '
        'USING gin ((UPPER("title"::text)) gin_trgm_ops)',
    ]


def _pg_create(index):
    return [
        f"CREATE TABLE IF NOT EXISTS {index.name} "
        "(rowid bigint PRIMARY KEY, vector tsvector NOT NULL)",
        # Vectors kept in the table's pages (compressed) rather than out of line: out of line,
        # the table looks small to the planner, which then reads every vector instead of the
        # GIN index (45 ms rather than 0.05 ms for a rare word at 10,000 reviews).
        f"ALTER TABLE {index.name} ALTER COLUMN vector SET STORAGE MAIN",
        # No pending list: rows written by triggers (bulk_create writes thousands) would wait
        # in it, unsorted, read in full by every search until a vacuum merged them.
        f"CREATE INDEX IF NOT EXISTS {index.name}_vector ON {index.name} USING gin (vector) "
        "WITH (fastupdate = off)",
    ]


def _pg_drop(index):
    return [
        f'DROP TRIGGER IF EXISTS {index.name}_write ON "{index.table}"',
        f'DROP TRIGGER IF EXISTS {index.name}_truncate ON "{index.table}"',
        f"DROP FUNCTION IF EXISTS {index.name}_write()",
        f"DROP FUNCTION IF EXISTS {index.name}_truncate()",
        f"DROP TABLE IF EXISTS {index.name}",
    ]


# SQLite -------------------------------------------------------------------------------------


def _sqlite_fold(sql):
    for letter, folded in FOLDED_LETTERS.items():
        sql = f"replace({sql}, '{letter}', '{folded}')"
    return sql


def _sqlite_values(index, row):
    return ", ".join(_sqlite_fold(f"coalesce({column.text(row)}, '')") for column in index.columns)


def _sqlite_names(index):
    return ", ".join(column.name for column in index.columns)


def _sqlite_triggers(index):
    name, table, names = index.name, index.table, _sqlite_names(index)
    insert = f"INSERT INTO {name} (rowid, {names}) VALUES (new.id, {_sqlite_values(index, 'new')});"
    # An external-content index forgets a row when told what it indexed for it.
    delete = (
        f"INSERT INTO {name} ({name}, rowid, {names}) "
        f"VALUES ('delete', old.id, {_sqlite_values(index, 'old')});"
    )
    changed = " OR ".join(
        f"({column.text('old')}) IS NOT ({column.text('new')})" for column in index.columns
    )
    return [
        f'CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON "{table}" BEGIN {insert} END',
        f'CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON "{table}" BEGIN {delete} END',
        f'CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE ON "{table}" '
        f"WHEN old.id IS NOT new.id OR {changed} BEGIN {delete} {insert} END",
    ]


def _sqlite_create(index):
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index.name} USING fts5("
        f"{_sqlite_names(index)}, content='{index.table}', content_rowid='id', "
        f"tokenize='{TOKENIZE}')"
    ]


def _sqlite_fill(index):
    return [
        f"INSERT INTO {index.name} ({index.name}) VALUES ('delete-all')",
        f"INSERT INTO {index.name} (rowid, {_sqlite_names(index)}) "
        f'SELECT id, {_sqlite_values(index, "src")} FROM "{index.table}" src',
        # One b-tree of the whole index, rather than the segments of the inserts above.
        f"INSERT INTO {index.name} ({index.name}) VALUES ('optimize')",
    ]


EVENTS = ("insert", "delete", "update")


def _sqlite_drop(index):
    return [
        *(f"DROP TRIGGER IF EXISTS {index.name}_{event}" for event in EVENTS),
        f"DROP TABLE IF EXISTS {index.name}",
    ]


# Installing ---------------------------------------------------------------------------------


def _triggers_present(cursor, vendor, index):
    if vendor == "postgresql":
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname IN (%s, %s) AND NOT tgisinternal",
            [f"{index.name}_write", f"{index.name}_truncate"],
        )
        return cursor.fetchone()[0] == 2
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
        [f"{index.name}_{event}" for event in EVENTS],
    )
    return cursor.fetchone()[0] == 3


def install(connection, kinds=None):
    """Make the index tables and triggers of ``kinds`` (all by default), and fill them."""
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        return
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for sql in _pg_config():
                cursor.execute(sql)
        for index in INDEXES:
            if kinds is not None and index.kind not in kinds:
                continue
            if vendor == "postgresql":
                statements = _pg_create(index) + _pg_triggers(index) + _pg_fill(index)
            else:
                statements = _sqlite_create(index) + _sqlite_triggers(index) + _sqlite_fill(index)
            for sql in statements:
                cursor.execute(sql)


def uninstall(connection):
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        return
    with connection.cursor() as cursor:
        for index in INDEXES:
            for sql in _pg_drop(index) if vendor == "postgresql" else _sqlite_drop(index):
                cursor.execute(sql)


def ensure(connection):
    """Reinstall and refill the indexes whose triggers a migration dropped; return their kinds.

    One catalogue query when nothing is missing. Before the migration that makes the indexes
    has run, there is nothing to ensure.
    """
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        return []
    if INDEXES[0].name not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        missing = [index.kind for index in INDEXES if not _triggers_present(cursor, vendor, index)]
    if missing:
        install(connection, missing)
    return missing
