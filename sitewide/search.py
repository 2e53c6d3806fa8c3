"""Site search: ranked full-text search over reviews, films, people, albums, tracks and cues.

The indexes and the triggers that keep them current are ``sitewide.search_index``'s. This module
reads them: on PostgreSQL through ``django.contrib.postgres.search`` (``websearch`` query syntax,
``SearchRank``, ``SearchHeadline``), on SQLite through FTS5 (``bm25()`` with the same column
weights, ``snippet()``). What a reader may see is each kind's own queryset
(``Review.objects.published()``), asked at query time, so a draft, a scheduled or a withdrawn
review is never found whatever the index holds.

A reader's query is parsed once, here, into terms (words, "quoted phrases", ``or``,
``-excluded``) whatever the database: nothing a reader types reaches FTS5's query language
unquoted, so no query is a syntax error, and a query with no word to look for finds nothing on
both databases.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import mark_safe

from films.models import Film, Person
from reviews.models import Review
from sitewide.search_index import BM25_WEIGHTS, BY_KIND, CONFIG, fold
from soundtracks.models import Cue, Soundtrack, Track

#: Marks around a matched word in a snippet, as the database returns it: private-use characters
#: that text has no business holding. Were an editor to type one, it would make one more
#: ``<mark>`` around escaped text, nothing else (``highlight``).
MARK_START, MARK_STOP = "\ue000", "\ue001"
#: The most terms of a query that are looked for; the rest are ignored.
MAX_TERMS = 16
SNIPPET_WORDS = 24
#: How much of a text PostgreSQL's headline reads: ts_headline parses all it is given, some
#: 3 ms for a 14 kB review body, so a match further in ranks the row but shows no snippet.
SNIPPET_CHARS = 3000
#: A reader's query on PostgreSQL, as SQL taking the configuration and the websearch text.
TSQUERY = "websearch_to_tsquery(%s, %s)"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    index: str
    #: The rows a reader may find: the kind's own visibility rule.
    visible: object
    #: What a result shows, joined: ``listing(queryset)``.
    listing: object = None
    #: The indexed column a snippet is taken from, if any.
    snippet: str = ""
    #: Whether ``visible`` hides some rows (reviews' does): the index is then read through it.
    #: Other kinds show every row, and their index holds no row that is gone (the triggers).
    hides: bool = False

    @property
    def model(self):
        return self.visible().model

    def rows(self):
        queryset = self.visible()
        return self.listing(queryset) if self.listing else queryset


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "reviews",
            "Reviews",
            "review",
            lambda: Review.objects.published(),
            lambda rows: rows.for_listing(),
            snippet="body",
            hides=True,
        ),
        Kind("films", "Films", "film", lambda: Film.objects.all(), snippet="synopsis"),
        Kind("people", "People", "person", lambda: Person.objects.all(), snippet="bio"),
        Kind(
            "albums",
            "Albums",
            "album",
            lambda: Soundtrack.objects.all(),
            lambda rows: rows.select_related("film"),
            snippet="description",
        ),
        Kind(
            "tracks",
            "Tracks",
            "track",
            lambda: Track.objects.all(),
            lambda rows: rows.select_related("soundtrack"),
        ),
        Kind("cues", "Cues", "cue", lambda: Cue.objects.all(), lambda r: r.select_related("film")),
    )
}


# Parsing ------------------------------------------------------------------------------------

_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass
class Term:
    words: list
    negated: bool = False

    def fts(self):
        # Each word is \w+: nothing in it can close the quotes or be an FTS5 operator.
        return '"' + " ".join(self.words) + '"'

    def websearch(self):
        return ("-" if self.negated else "") + '"' + " ".join(self.words) + '"'


@dataclass
class Query:
    """A reader's query as both databases read it: groups of alternatives, all required,
    and terms excluded."""

    text: str
    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.groups)

    @property
    def words(self):
        return [word for group in self.groups for term in group for word in term.words]

    def fts(self):
        """The FTS5 expression: every word quoted, the structure in explicit parentheses."""
        expression = " AND ".join(
            "(" + " OR ".join(term.fts() for term in group) + ")" for group in self.groups
        )
        if self.excluded:
            expression = f"({expression}) NOT ({' OR '.join(t.fts() for t in self.excluded)})"
        return expression

    def websearch(self):
        """The same query in websearch_to_tsquery's syntax."""
        parts = [" or ".join(term.websearch() for term in group) for group in self.groups]
        return " ".join(parts + [term.websearch() for term in self.excluded])


def parse(text):
    """Read ``text`` as websearch syntax: words, "phrases", ``or`` between two terms,
    ``-word`` to exclude; anything else (punctuation, operators, emoji) is no word and ignored."""
    text = unicodedata.normalize("NFC", text)
    query = Query(text)
    alternative = False
    count = 0
    for match in _CHUNK.finditer(text):
        negated, phrase, chunk = match.group(1), match.group(2), match.group(3)
        if chunk is not None:
            if chunk.lower() == "or":
                alternative = bool(query.groups)
                continue
            negated = "-" if chunk.startswith("-") else ""
            phrase = chunk
        words = _WORD.findall(phrase)
        if not words or count >= MAX_TERMS:
            continue
        count += 1
        term = Term(words, bool(negated))
        if term.negated:
            query.excluded.append(term)
        elif alternative and query.groups:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        alternative = False
    return query


# Snippets -----------------------------------------------------------------------------------

# A link's target (whole, or cut short at either end of the snippet), then Markdown's marks.
_MARKDOWN = re.compile(r"\]\([^)\s]*\)?|^[^\s(]*\)|[#*_`>\[\]|]+")


def highlight(snippet):
    """The database's snippet as HTML: everything escaped, its matches in ``<mark>``.

    Only the database's marks become tags, and always in pairs; the text is the content's
    (an editor's Markdown, lightly unmarked), escaped, never trusted.
    """
    snippet = " ".join(_MARKDOWN.sub(" ", snippet or "").split())
    if MARK_START not in snippet:
        return ""
    parts = snippet.split(MARK_START)
    html = [escape(parts[0].replace(MARK_STOP, ""))]
    for part in parts[1:]:
        marked, _, rest = part.partition(MARK_STOP)
        html.append(f"<mark>{escape(marked)}</mark>")
        html.append(escape(rest.replace(MARK_STOP, "")))
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped


# Searching ----------------------------------------------------------------------------------


def _visible_exists(kind, rowid):
    """``EXISTS`` the row ``rowid`` names among the kind's visible rows, as SQL and params."""
    sql, params = (
        kind.visible().filter(pk=RawSQL(rowid, ())).order_by().values("pk").query.sql_with_params()
    )
    return f"EXISTS ({sql})", list(params)


class Search:
    """One query per kind and page: the page's rows, with the joins they show, their rank, their
    snippet and (unless known) the kind's total. The first page of every kind at once
    (``first_pages``) is one query for all kinds' ranks, snippets and totals, then one for the
    rows of each kind found."""

    def first_pages(self, query, limit):
        """``{kind name: (total, rows)}`` for every kind: its ``limit`` best rows, in rank order,
        each with ``search_rank`` and ``search_snippet``; a kind nothing matches has none."""
        selects, params = [], []
        for number, kind in enumerate(KINDS.values()):
            sql, kind_params = self._first_page_sql(kind, query, limit)
            selects.append(f"SELECT * FROM ({sql}) AS kind_{number}")
            params += kind_params
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            found = cursor.fetchall()
        ranked = {name: [] for name in KINDS}
        for name, rowid, rank, snippet, total in found:
            ranked[name].append((self.order(rank), rowid, snippet, total))
        pages = {}
        for name, hits in ranked.items():
            if not hits:
                pages[name] = (0, [])
                continue
            hits.sort()
            rows = KINDS[name].rows().in_bulk([rowid for _, rowid, _, _ in hits])
            page = []
            for order, rowid, snippet, _ in hits:
                row = rows.get(rowid)
                if row is not None:  # deleted since the index was read
                    row.search_rank = self.order(order)
                    row.search_snippet = highlight(snippet or "")
                    page.append(row)
            pages[name] = (hits[0][3], page)
        return pages

    def results(self, kind, query, offset, limit, total=None):
        """``(total, rows)``: the page's rows in rank order, each with ``search_rank`` and
        ``search_snippet`` (safe HTML, empty when the snippet shows no match)."""
        rows = list(self.ranked(kind, query, offset, limit, with_total=total is None))
        for row in rows:
            row.search_snippet = highlight(getattr(row, "snippet_marked", ""))
        if total is None:
            total = rows[0].search_total if rows else 0
        return total, rows


class SQLiteSearch(Search):
    """FTS5: bm25() ranks (lower is better), snippet() cuts the snippets."""

    @staticmethod
    def order(rank):
        return rank

    def _first_page_sql(self, kind, query, limit):
        index, where, params = self._where(kind, query)
        weights = ", ".join(str(BM25_WEIGHTS[column.weight]) for column in index.columns)
        snippet, snippet_params = "NULL", []
        if kind.snippet:
            # For the page's rows only: snippet() reads and tokenizes the text anew.
            column = [column.name for column in index.columns].index(kind.snippet)
            snippet = (
                f"(SELECT snippet({index.name}, {column}, '{MARK_START}', '{MARK_STOP}', '…', "
                f"{SNIPPET_WORDS}) FROM {index.name} "
                f"WHERE {index.name} MATCH %s AND {index.name}.rowid = page.id)"
            )
            snippet_params = [params[0]]
        sql = (
            f"SELECT '{kind.name}', page.id, page.rank, {snippet}, "
            f"(SELECT count(*) FROM {index.name} WHERE {where}) "
            f"FROM (SELECT rowid AS id, bm25({index.name}, {weights}) AS rank "
            f"FROM {index.name} WHERE {where} ORDER BY rank, rowid LIMIT %s) page"
        )
        return sql, [*snippet_params, *params, *params, limit]

    def _where(self, kind, query):
        index = BY_KIND[kind.index]
        where, params = f"{index.name} MATCH %s", [fold(query.fts())]
        if kind.hides:
            exists, visible = _visible_exists(kind, f'"{index.name}"."rowid"')
            where, params = f"{where} AND {exists}", params + visible
        return index, where, params

    def count(self, kind, query):
        index, where, params = self._where(kind, query)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {index.name} WHERE {where}", params)
            return cursor.fetchone()[0]

    def ranked(self, kind, query, offset, limit, with_total):
        index, where, params = self._where(kind, query)
        weights = ", ".join(str(BM25_WEIGHTS[column.weight]) for column in index.columns)
        bm25 = f"bm25({index.name}, {weights})"
        # bm25() for every match once, to choose the page; then, for the page's rows only,
        # again with their snippets (snippet() reads and tokenizes the text anew).
        page = RawSQL(
            f"SELECT rowid FROM {index.name} WHERE {where} ORDER BY {bm25}, rowid "
            "LIMIT %s OFFSET %s",
            (*params, limit, offset),
        )
        own = f'{index.name} MATCH %s AND {index.name}.rowid = "{kind.model._meta.db_table}"."id"'
        rows = kind.rows().filter(pk__in=page)
        rows = rows.annotate(
            search_rank=RawSQL(f"SELECT {bm25} FROM {index.name} WHERE {own}", (params[0],))
        )
        if kind.snippet:
            column = [column.name for column in index.columns].index(kind.snippet)
            snippet = (
                f"snippet({index.name}, {column}, '{MARK_START}', '{MARK_STOP}', '…', "
                f"{SNIPPET_WORDS})"
            )
            snippet = RawSQL(f"SELECT {snippet} FROM {index.name} WHERE {own}", (params[0],))
            rows = rows.annotate(snippet_marked=snippet)
        if with_total:
            rows = rows.annotate(
                search_total=RawSQL(f"SELECT count(*) FROM {index.name} WHERE {where}", params)
            )
        return rows.order_by("search_rank", "pk")

    def suggestions(self, query, limit):
        """Names that begin as the query's words do (the first three letters of each), best
        first by difflib: misspellings mostly keep their first letters."""
        prefixes = _prefixes(query)
        if not prefixes:
            return []
        match = " OR ".join(f'"{prefix}"*' for prefix in prefixes)
        selects, params = [], []
        for model, kind, column in NAMES:
            index = BY_KIND[kind]
            table = model._meta.db_table
            selects.append(
                f'SELECT "{column}" FROM "{table}" WHERE id IN (SELECT rowid FROM {index.name} '
                f"WHERE {index.name} MATCH %s LIMIT {SUGGESTION_CANDIDATES})"
            )
            params.append(f"{column} : ({match})")
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            names = [row[0] for row in cursor.fetchall()]
        return nearest(query, names, limit)


class PostgreSQLSearch(Search):
    """django.contrib.postgres.search over the GIN-indexed vectors."""

    @staticmethod
    def order(rank):
        return -rank  # higher is better

    def _where(self, kind, query):
        index = BY_KIND[kind.index]
        where, params = f"vector @@ {TSQUERY}", [CONFIG, query.websearch()]
        if kind.hides:
            exists, visible = _visible_exists(kind, f'"{index.name}"."rowid"')
            where, params = f"{where} AND {exists}", params + visible
        return index, where, params

    def _first_page_sql(self, kind, query, limit):
        index, where, params = self._where(kind, query)
        text = [CONFIG, query.websearch()]
        snippet, snippet_params = "NULL", []
        if kind.snippet:
            # As SearchHeadline writes it, over the first SNIPPET_CHARS of the text.
            options = (
                f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords={SNIPPET_WORDS}, "
                f"MinWords={SNIPPET_WORDS // 2}"
            )
            snippet = (
                f'ts_headline(%s::regconfig, left(t."{kind.snippet}", {SNIPPET_CHARS}), '
                f"{TSQUERY}, %s)"
            )
            snippet_params = [CONFIG, *text, options]
        sql = (
            f"SELECT '{kind.name}'::text, page.rowid, page.rank::float8, {snippet}::text, "
            f"(SELECT count(*) FROM {index.name} WHERE {where}) "
            f"FROM (SELECT rowid, ts_rank(vector, {TSQUERY}) AS rank FROM {index.name} "
            f"WHERE {where} ORDER BY rank DESC, rowid LIMIT %s) page "
            f'JOIN "{kind.model._meta.db_table}" t ON t.id = page.rowid'
        )
        return sql, [*snippet_params, *params, *text, *params, limit]

    def _matching(self, kind, query):
        index = BY_KIND[kind.index]
        matching = RawSQL(
            f"SELECT rowid FROM {index.name} WHERE vector @@ {TSQUERY}",
            (CONFIG, query.websearch()),
        )
        return kind.rows().filter(pk__in=matching)

    def count(self, kind, query):
        return self._matching(kind, query).count()

    def ranked(self, kind, query, offset, limit, with_total):
        index, where, params = self._where(kind, query)
        text = (CONFIG, query.websearch())
        # The page chosen from the index alone (narrow rows: a rowid and a vector), then its
        # rows read with their joins; rank, headline and total for those rows only.
        page = RawSQL(
            f"SELECT rowid FROM {index.name} WHERE {where} "
            f"ORDER BY ts_rank(vector, {TSQUERY}) DESC, rowid LIMIT %s OFFSET %s",
            (*params, *text, limit, offset),
        )
        own = f'{index.name}.rowid = "{kind.model._meta.db_table}"."id"'
        rows = kind.rows().filter(pk__in=page)
        rows = rows.annotate(
            search_rank=RawSQL(
                f"SELECT ts_rank(vector, {TSQUERY}) FROM {index.name} WHERE {own}", text
            )
        )
        if with_total:
            rows = rows.annotate(
                search_total=RawSQL(f"SELECT count(*) FROM {index.name} WHERE {where}", params)
            )
        if kind.snippet:
            search_query = SearchQuery(query.websearch(), config=CONFIG, search_type="websearch")
            rows = rows.annotate(
                snippet_marked=SearchHeadline(
                    Left(F(kind.snippet), SNIPPET_CHARS),
                    search_query,
                    config=CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_STOP,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                )
            )
        return rows.order_by("-search_rank", "pk")

    def suggestions(self, query, limit):
        """Names whose words begin as the query's do (a prefix query on the names' weight-A
        part of the GIN-indexed vectors), ordered by pg_trgm's word_similarity, then difflib.

        Not a trigram index scan: on tables of a few thousand names the planner prefers
        reading them all, which costs tens of milliseconds; the vectors' index answers in one.
        """
        prefixes = _prefixes(query)
        if not prefixes:
            return []
        tsquery = " | ".join(f"'{prefix}':*A" for prefix in prefixes)
        text = " ".join(query.words)
        selects, params = [], []
        for model, kind, column in NAMES:
            index = BY_KIND[kind].name
            selects.append(
                f'SELECT "{column}" AS name, word_similarity(%s, "{column}") AS sim '
                f'FROM "{model._meta.db_table}" WHERE id IN (SELECT rowid FROM {index} '
                f"WHERE vector @@ to_tsquery(%s, %s) LIMIT {SUGGESTION_CANDIDATES})"
            )
            params += [text, CONFIG, tsquery]
        sql = (
            f"SELECT name FROM ({' UNION ALL '.join(selects)}) names "
            f"ORDER BY sim DESC, name LIMIT {SUGGESTION_CANDIDATES}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [row[0] for row in cursor.fetchall()]
        return nearest(query, names, limit)


def _prefixes(query):
    """The first three letters of each word of three or more (\\w only: safe in both query
    languages), folded as the indexes fold."""
    return sorted({normalized(word)[:3] for word in query.words if len(word) >= 3} - {""})


#: Where suggestions come from: the catalogue's names, each kind's indexed title column.
NAMES = ((Film, "film", "title"), (Person, "person", "name"), (Soundtrack, "album", "title"))
SUGGESTION_CANDIDATES = 20
SUGGESTION_CUTOFF = 0.7


def normalized(text):
    """Lower case, accents and FOLDED_LETTERS folded, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain.casefold()))


def nearest(query, names, limit):
    """Of ``names`` (bounded: a few dozen candidates), the ``limit`` whose run of as many words
    as the query has is most like it, by difflib's ratio, above ``SUGGESTION_CUTOFF``."""
    wanted = normalized(" ".join(query.words))
    size = len(wanted.split())
    matcher = difflib.SequenceMatcher(b=wanted, autojunk=False)
    scored = {}
    for name in names:
        words = normalized(name).split()
        best = 0.0
        for start in range(max(1, len(words) - size + 1)):
            matcher.set_seq1(" ".join(words[start : start + size]))
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
        if best >= SUGGESTION_CUTOFF and best > scored.get(name, 0):
            scored[name] = best
    ranked = sorted(scored, key=lambda name: (-scored[name], name))
    return [name for name in ranked if normalized(name) != wanted][:limit]


def backend():
    return PostgreSQLSearch() if connection.vendor == "postgresql" else SQLiteSearch()
