"""Reading a pasted cue sheet or tracklist, and writing a cue sheet as CSV.

Pure functions over text and plain data: nothing here queries the database or knows a request.
``soundtracks.admin_paste`` does the lookups (people, the film's cues, the album's tracks) once
per paste and hands their results in, so a paste of 2,000 rows costs the same queries as one of
three.

A paste is refused as a whole (``PasteError``) when it cannot be read as a table at all: empty,
too big, too many rows, a NUL byte, an unclosed quote, no header naming a title. Otherwise every
row is checked and carries its own errors, named by row and column as the editor's spreadsheet
numbers them (the header is row 1); nothing is saved while any row has one.

Work is linear in the size of the paste: the csv module reads it in one pass, each cell is
checked once with anchored regular expressions on cells of bounded length, and the row limit
stops reading as soon as it is passed.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from soundtracks.durations import format_duration, parse_duration
from soundtracks.models import Cue, Track

#: The most text a paste may hold, in characters.
MAX_PASTE_CHARS = 1_000_000
#: The most rows (not counting the header and blank rows) or tracklist lines a paste may hold.
MAX_ROWS = 2_000
#: The longest cell of a column without a field length of its own (names, times, flags).
MAX_CELL_CHARS = 1_000
#: The longest time cell: ``100:00:00`` and room to spare; longer is not a time.
MAX_TIME_CHARS = 12
#: The most different names one paste may ask for (each is looked up, all in one query).
MAX_NAMES = 1_000
#: The longest a film can run (``Film.runtime`` holds minutes up to 32,767): no time goes past it.
LONGEST_RUNTIME = 32_767 * 60


class PasteError(ValueError):
    """The paste cannot be read as a table at all; the message says why, for the editor."""


def normalise_header(text):
    """``"Cue #"`` → ``"cue#"``, ``"Composer(s)"`` → ``"composers"``: letters, digits and #."""
    return re.sub(r"[^0-9a-z#]", "", text.casefold())


# The column names music supervisors and spreadsheets use, normalised. Keys are the cue's
# attributes; ``start``/``end`` are the cue's in and out.
CUE_COLUMNS = {
    "code": {"cue", "cuecode", "cue#", "cueno", "cuenumber", "cuenum", "no", "#", "code", "cueid"},
    "title": {
        "title",
        "cuetitle",
        "name",
        "worktitle",
        "composition",
        "compositiontitle",
        "musictitle",
        "songtitle",
        "selection",
    },
    "composers": {
        "composer",
        "composers",
        "writer",
        "writers",
        "composerwriter",
        "composerswriters",
        "composedby",
        "writtenby",
        "songwriter",
        "songwriters",
    },
    "performers": {"performer", "performers", "performedby", "artist", "artists"},
    "usage": {"usage", "use", "usetype", "usagetype", "type", "category", "cuetype", "usecode"},
    "start": {"in", "start", "tcin", "timecodein", "timein", "intime", "starttime", "from"},
    "end": {"out", "end", "tcout", "timecodeout", "timeout", "outtime", "endtime", "to"},
    "duration": {"duration", "length", "timing", "dur", "time", "runningtime"},
    "scene": {"scene", "scenedescription", "description", "scenes"},
    "spoiler": {"spoiler", "scenespoiler", "sceneisaspoiler", "scenespoilers"},
}

#: What an export writes, in this order; each header is one a paste reads back.
EXPORT_HEADER = {
    "code": "Cue",
    "title": "Title",
    "composers": "Composer",
    "performers": "Performer",
    "usage": "Usage",
    "start": "In",
    "end": "Out",
    "duration": "Duration",
    "scene": "Scene",
    "spoiler": "Spoiler",
}

# Usage as cue sheets write it: the codes, the labels, and a few common variants, normalised.
# The values are ``Cue.Usage`` values.
USAGES = {
    "main_title": {"mt", "maintitle", "maintitles", "maintitletheme", "openingtitles",
                   "openingtitle", "openingcredits"},
    "end_title": {"et", "endtitle", "endtitles", "endcredits", "closingcredits",
                  "closingtitles", "closingtitle"},
    "bi": {"bi", "backgroundinstrumental", "bginstrumental", "instrumentalbackground"},
    "bv": {"bv", "backgroundvocal", "bgvocal", "vocalbackground"},
    "vi": {"vi", "visualinstrumental", "visualsourceinstrumental", "sourceinstrumental", "si"},
    "vv": {"vv", "visualvocal", "visualsourcevocal", "sourcevocal", "sv"},
}  # fmt: skip
#: The code an export writes for each usage.
USAGE_CODES = {
    "main_title": "MT",
    "end_title": "ET",
    "bi": "BI",
    "bv": "BV",
    "vi": "VI",
    "vv": "VV",
}
_USAGE_BY_WORD = {word: value for value, words in USAGES.items() for word in words}

_YES = {"yes", "y", "true", "1", "x", "spoiler"}
_NO = {"no", "n", "false", "0"}

#: The characters a spreadsheet reads as the start of a formula (OWASP's list, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell an export neutralised: an apostrophe before a formula start. A paste reads it back.
_NEUTRALISED = re.compile(r"'(?=[=+\-@\t\r])")
# A formula pasted as text: ``=anything``, or ``+``/``-``/``@`` starting a call or a reference
# (``+SUM(A1)``, ``-A1!B2``, ``@cmd|...``). ``-Init-`` or ``+1`` are text.
_FORMULA = re.compile(r"=|[+\-@][^(!|]*[(!|]")

_SPLIT_NAMES = re.compile(r"\s*(?:[;/,&]|\band\b)\s*", re.IGNORECASE)


# Each usage's stored value and label are read too (``"Visual (source) instrumental"``).
for _value, _label in Cue.Usage.choices:
    _USAGE_BY_WORD.setdefault(normalise_header(_value), _value)
    _USAGE_BY_WORD.setdefault(normalise_header(_label), _value)

#: The columns with a field length of their own.
CUE_FIELD_LENGTHS = {
    name: Cue._meta.get_field(name).max_length for name in ("code", "title", "scene")
}


# Reading a table ------------------------------------------------------------------------------


@dataclass
class Table:
    """A pasted table: its header as typed and its data rows, numbered as a spreadsheet would."""

    delimiter: str
    header: list
    header_number: int
    rows: list  # (row number, cells)


def _check_text(text, what):
    if len(text) > MAX_PASTE_CHARS:
        raise PasteError(
            f"The paste is {len(text):,} characters; at most {MAX_PASTE_CHARS:,} are taken at "
            f"once. Paste the {what} in parts."
        )
    if "\x00" in text:
        raise PasteError(
            "The paste holds a NUL character (\\0), which no text from a spreadsheet has: "
            "was a binary file pasted? Copy the cells from the spreadsheet, or save it as CSV."
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PasteError(f"The paste is empty: paste the {what} into the box.")
    return text


def _delimiter(first_line):
    """Tab-separated when the header has a tab (a spreadsheet's copy); else CSV, with commas or,
    as European spreadsheets write it, semicolons."""
    if "\t" in first_line:
        return "\t"
    if "," not in first_line and ";" in first_line:
        return ";"
    return ","


def _csv_problem(error, number):
    reason = str(error)
    if "unexpected end of data" in reason or "EOF" in reason:
        return (
            f'Row {number}: a quoted cell is never closed (a " opens it and nothing closes it '
            "before the end of the paste)."
        )
    if "field larger than field limit" in reason:
        return f"Row {number}: a cell is far too long to be one cell of a cue sheet."
    return (
        f"Row {number}: the quotes cannot be read ({reason}). A cell that starts with a quote "
        'ends with one, and a quote inside it is doubled ("").'
    )


def read_table(text, *, what="cue sheet", max_rows=MAX_ROWS):
    """Read CSV or tab-separated ``text`` into a ``Table``; raise ``PasteError`` if it is not one.

    The first non-blank row is the header. Blank rows are skipped but counted, so row numbers
    match the editor's spreadsheet. More than ``max_rows`` data rows stops the reading at once.
    A table of a header alone is returned: whether that is an error is the caller's to say.
    """
    text = _check_text(text, what)
    delimiter = _delimiter(_first_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, header_number, rows, number = None, 0, [], 0
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 (number names the error)
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().removeprefix("\ufeff") for cell in cells]
                header_number = number
                continue
            if len(rows) >= max_rows:
                raise PasteError(
                    f"The paste has more than {max_rows:,} rows; paste at most {max_rows:,} "
                    "at a time."
                )
            rows.append((number, cells))
    except csv.Error as error:
        raise PasteError(_csv_problem(error, number + 1)) from error
    if header is None:
        raise PasteError(f"The paste has no text in any cell: paste the {what} into the box.")
    return Table(delimiter, header, header_number, rows)


def only_a_header(table):
    return PasteError(
        f"The paste has only a header row ({', '.join(table.header)[:200]}): paste the rows "
        "under it too."
    )


def _first_line(text):
    return next(line for line in io.StringIO(text) if line.strip())


def map_columns(header, known):
    """Which column holds what: ``({key: index}, [ignored headers])``.

    Columns named in no known way (a publisher, a PRO, a share) are ignored and listed, so a
    full cue sheet can be pasted as it is; a name used twice is an error.
    """
    columns, ignored = {}, []
    for index, name in enumerate(header):
        key = next((key for key, names in known.items() if normalise_header(name) in names), None)
        if key is None:
            if name:
                ignored.append(name)
            continue
        if key in columns:
            raise PasteError(
                f"Columns {columns[key] + 1} (“{header[columns[key]]}”) and {index + 1} "
                f"(“{name}”) both hold the {key}: keep one of them."
            )
        columns[key] = index
    return columns, ignored


# Cells ----------------------------------------------------------------------------------------


def squeeze(text):
    """Runs of whitespace as one space, none at the ends.

    Every cell is squeezed before any regular expression reads it: a pattern that begins by
    matching any amount of whitespace costs the square of a whitespace run's length when
    searched through it, and a megabyte of long runs of spaces took over a minute.
    """
    return " ".join(text.split())


def _unneutralised(raw):
    value = raw.strip()
    return squeeze(value[1:]) if _NEUTRALISED.match(value) else squeeze(value)


def clean_cell(raw):
    """The text of a cell, squeezed; an export's neutralised formula (``'=x``) read back as
    ``=x``. Raise ``ValueError`` for a formula pasted as text."""
    if _NEUTRALISED.match(raw.strip()):
        return _unneutralised(raw)
    value = squeeze(raw)
    if _FORMULA.match(value):
        raise ValueError(
            f"“{value[:40]}” looks like a spreadsheet formula: paste the values the spreadsheet "
            "shows, not its formulas (or start the cell with an apostrophe to keep it as text)."
        )
    return value


def _too_long(value, limit):
    if len(value) > limit:
        return f"{len(value):,} characters; at most {limit:,}."
    return None


def parse_time(value, limit=LONGEST_RUNTIME):
    """Seconds in a time cell (``m:ss`` or ``h:mm:ss``); ``ValueError`` with the reason."""
    if len(value) > MAX_TIME_CHARS:
        raise ValueError(f"“{value[:20]}…” is not a time: enter m:ss or h:mm:ss, e.g. 3:15.")
    seconds = parse_duration(value)
    if seconds > limit:
        raise ValueError(f"“{value}” is longer than any film can run ({format_duration(limit)}).")
    return seconds


def parse_flag(value):
    word = value.casefold()
    if word in _YES:
        return True
    if word in _NO or not word:
        return False
    raise ValueError(f"“{value[:40]}” is not yes or no.")


def parse_usage(value):
    if not value:
        return ""
    usage = _USAGE_BY_WORD.get(normalise_header(value))
    if usage is None:
        raise ValueError(
            f"“{value[:40]}” is not a usage: write BI, BV, VI, VV, MT or ET, or the words "
            "(Background instrumental, Visual vocal, Main title…)."
        )
    return usage


def split_names(value):
    """The names a composer or performer cell may mean: the whole cell (a group such as
    “Earth, Wind & Fire”) and its parts split on ; / , & and “and”."""
    value = squeeze(value)
    if not value:
        return []
    parts = [part for part in _SPLIT_NAMES.split(value) if part]
    return [value, *parts] if len(parts) > 1 else [value]


# People ---------------------------------------------------------------------------------------


@dataclass
class People:
    """The people a paste names, looked up once: by casefolded name and by slug. ``preferred``
    holds the ids of people credited on the film, who win when two people share a name."""

    by_name: dict = field(default_factory=dict)
    by_slug: dict = field(default_factory=dict)
    preferred: set = field(default_factory=set)

    @classmethod
    def of(cls, persons, preferred=()):
        people = cls(preferred=set(preferred))
        for person in persons:
            people.by_name.setdefault(person.name.casefold(), []).append(person)
            people.by_slug[person.slug] = person
        return people

    def find(self, name):
        """``(person, None)`` or ``(None, reason)``."""
        found = self.by_name.get(name.casefold(), [])
        if len(found) > 1:
            found = [person for person in found if person.pk in self.preferred] or found
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            slugs = ", ".join(sorted(person.slug for person in found))
            return None, (
                f"{len(found)} people are named “{name}”; write the one you mean by the last "
                f"part of their address ({slugs})."
            )
        by_slug = self.by_slug.get(name) or self.by_slug.get(slugify(name))
        if by_slug is not None:
            return by_slug, None
        return None, (
            f"no person or group is named “{name[:80]}”: add them under People and groups first, "
            "or correct the spelling."
        )

    def resolve(self, value):
        """The people a cell names: ``(persons, reason)``. The whole cell first, then its parts."""
        if not value:
            return [], None
        person, _ = self.find(value)
        if person is not None:
            return [person], None
        persons, reasons = [], []
        for part in split_names(value)[1:]:
            person, reason = self.find(part)
            if person is None:
                reasons.append(reason)
            elif person not in persons:
                persons.append(person)
        if reasons or not persons:
            return [], " ".join(reasons) if reasons else self.find(value)[1]
        return persons, None


def names_to_look_up(table, columns):
    """Every name the composer and performer cells may mean, for one query; ``PasteError`` past
    ``MAX_NAMES`` different ones."""
    names = set()
    indexes = [columns[key] for key in ("composers", "performers") if key in columns]
    for _, cells in table.rows:
        for index in indexes:
            if index < len(cells):
                value = _unneutralised(cells[index])
                if len(value) <= MAX_CELL_CHARS:
                    names.update(split_names(value))
    if len(names) > MAX_NAMES:
        raise PasteError(
            f"The paste names {len(names):,} different composers and performers; at most "
            f"{MAX_NAMES:,} are looked up at once. Paste it in parts."
        )
    return names


# Cue rows -------------------------------------------------------------------------------------


@dataclass
class CueSheet:
    """What the film already holds, for checking a paste against it."""

    runtime: int | None  # seconds
    codes: dict  # casefolded code → the existing cue's title
    people: People
    default_composers: list
    slugs: set = field(default_factory=set)  # the slugs its cues have
    last_order: int = 0  # the film order of its last cue


@dataclass
class PastedCue:
    number: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (column header or "", message)
    notes: list = field(default_factory=list)
    typed: dict = field(default_factory=dict)  # each cell as pasted, stripped

    @property
    def messages(self):
        where = f"Row {self.number}"
        return [
            f"{where}, {column}: {text}" if column else f"{where}: {text}"
            for column, text in self.errors
        ]

    def display(self, key):
        """The parsed value as the preview shows it; the cell as typed when it has none."""
        value = self.values.get(key)
        if not value and value != 0:
            return self.typed.get(key, "") if key != "spoiler" else ""
        if key in ("composers", "performers"):
            return ", ".join(person.name for person in value or [])
        if key in ("start", "end", "duration"):
            return format_duration(value)
        if key == "spoiler":
            return "yes" if value else ""
        return value or ""


def _row_cells(table, cells):
    """The row's cells, padded to the header; an error string for a ragged row."""
    width = len(table.header)
    if len(cells) < width:
        return None, (
            f"it has {len(cells)} cell{'s' if len(cells) != 1 else ''}; the header row has "
            f"{width}. Every row needs a cell under each column, even an empty one."
        )
    if any(cell.strip() for cell in cells[width:]):
        return None, (
            f"it has {len(cells)} cells; the header row has {width}. A cell holding a "
            f"{'tab' if table.delimiter == chr(9) else 'comma'} needs quotes around it."
        )
    return cells[:width], None


class _CueRow:
    """Checks one data row of a cue paste, recording errors on ``cue`` by column header."""

    def __init__(self, cue, header, columns):
        self.cue, self.header, self.columns, self.text = cue, header, columns, {}

    def read_cells(self, cells, lengths):
        for key, index in self.columns.items():
            self.cue.typed[key] = cells[index].strip()[:MAX_CELL_CHARS]
            try:
                value = clean_cell(cells[index])
            except ValueError as problem:
                self.error(key, str(problem))
                continue
            if problem := _too_long(value, lengths.get(key, MAX_CELL_CHARS)):
                self.error(key, problem)
                continue
            self.text[key] = value

    def has(self, key):
        return bool(self.text.get(key))

    def failed(self, key):
        return any(column == self.header[self.columns[key]] for column, _ in self.cue.errors)

    def error(self, key, message):
        self.cue.errors.append((self.header[self.columns[key]], message))

    def parse(self, key, parse):
        if not self.has(key):
            return None
        try:
            return parse(self.text[key])
        except ValueError as problem:
            self.error(key, str(problem))
            return None


def check_cue_rows(table, columns, sheet):
    """Each data row of ``table`` as a ``PastedCue`` with its values and errors, checked against
    ``sheet`` (the film's runtime, codes and people) and against the other rows."""
    codes_seen = {}
    pasted = []
    for number, raw_cells in table.rows:
        cue = PastedCue(number)
        pasted.append(cue)
        cells, ragged = _row_cells(table, raw_cells)
        if ragged:
            cue.errors.append(("", ragged))
            continue
        row = _CueRow(cue, table.header, columns)
        row.read_cells(cells, CUE_FIELD_LENGTHS)
        values = cue.values
        values["title"] = row.text.get("title", "")
        if "title" in row.text and not values["title"]:
            row.error("title", "every cue needs a title.")
        values["code"] = code = row.text.get("code", "")
        if code:
            folded = code.casefold()
            if folded in sheet.codes:
                row.error(
                    "code", f"{code} is already a cue of this film (“{sheet.codes[folded]}”)."
                )
            elif folded in codes_seen:
                row.error("code", f"{code} is also the cue code of row {codes_seen[folded]}.")
            else:
                codes_seen[folded] = number
        values["usage"] = row.parse("usage", parse_usage) or ""
        values["scene"] = row.text.get("scene", "")
        values["spoiler"] = bool(row.parse("spoiler", parse_flag))
        for key in ("composers", "performers"):
            persons, reason = sheet.people.resolve(row.text.get(key, ""))
            if reason:
                row.error(key, reason)
            values[key] = persons
        composers_failed = "composers" in columns and row.failed("composers")
        if not row.has("composers") and not composers_failed and sheet.default_composers:
            values["composers"] = list(sheet.default_composers)
            cue.notes.append("Composers: the film’s.")
        _check_times(row, sheet.runtime)
    return pasted


def _check_times(row, runtime):
    """In, out and duration: each a time; out after in, both within the film; a duration agrees
    with in and out, or gives the one that is missing."""
    start, end, duration = (row.parse(key, parse_time) for key in ("start", "end", "duration"))
    if duration == 0:
        row.error("duration", "a cue lasts longer than 0:00.")
        duration = None
    if duration is not None:
        if start is not None and end is None:
            end = start + duration
        elif start is None and end is not None:
            if end < duration:
                row.error("duration", f"{format_duration(duration)} is longer than its out.")
            else:
                start = end - duration
        elif start is not None and end - start != duration:
            row.error(
                "duration",
                f"{format_duration(duration)}, but from {format_duration(start)} to "
                f"{format_duration(end)} is {format_duration(max(end - start, 0))}.",
            )
    for key, value, label in (("start", start, "in"), ("end", end, "out")):
        if value is not None and runtime is not None and value > runtime:
            row.error(
                key if row.has(key) else "duration",
                f"{label} at {format_duration(value)} is after the end of the film "
                f"({format_duration(runtime)}).",
            )
    if duration is not None and runtime is not None and duration > runtime:
        row.error(
            "duration",
            f"{format_duration(duration)} is longer than the film ({format_duration(runtime)}).",
        )
    if start is not None and end is not None and end <= start:
        row.error(
            "end" if row.has("end") else "duration",
            f"out at {format_duration(end)} is not after in at {format_duration(start)}.",
        )
    values = row.cue.values
    values["start"], values["end"] = start, end
    if start is not None and end is not None:
        duration = end - start if end > start else None
    values["duration"] = duration


def unique_slugs(bases, taken):
    """A slug for each base (a code or a title), unique among ``taken`` and each other, as
    ``Cue.unique_slug`` makes them one at a time."""
    taken = set(taken)
    slugs = []
    for base in bases:
        base = slugify(base)[:90] or "cue"
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


# Export ---------------------------------------------------------------------------------------


def neutralise(value):
    """A cell a spreadsheet will not run: an apostrophe before a leading = + - @ tab or CR."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cue_sheet_rows(cues):
    """The header and one row per cue (with ``composers`` and ``performers`` prefetched)."""
    yield list(EXPORT_HEADER.values())
    for cue in cues:
        row = {
            "code": cue.code,
            "title": cue.title,
            "composers": "; ".join(person.name for person in cue.composers.all()),
            "performers": "; ".join(person.name for person in cue.performers.all()),
            "usage": USAGE_CODES.get(cue.usage, ""),
            "start": format_duration(cue.start),
            "end": format_duration(cue.end),
            "duration": format_duration(cue.length),
            "scene": cue.scene,
            "spoiler": "yes" if cue.scene_is_spoiler else "",
        }
        yield [neutralise(row[key]) for key in EXPORT_HEADER]


def cue_sheet_csv(cues):
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(cue_sheet_rows(cues))
    return out.getvalue()


# Tracklists -----------------------------------------------------------------------------------

TRACK_COLUMNS = {
    "disc": {"disc", "cd", "disc#", "discno", "discnumber"},
    "position": {"position", "no", "#", "track", "track#", "trackno", "tracknumber", "number"},
    "title": {"title", "tracktitle", "name", "song", "songtitle"},
    "duration": {"duration", "length", "time", "dur", "timing"},
    "artist": {"artist", "artists", "performer", "performers", "artistcredit", "by"},
    "vocal": {"vocal", "vocals", "isvocal"},
}

# ``1. Init 3:15``, ``1-07 I Know You Can Feel It 4:02``, ``7 Title``, ``12) Title (3:15)``.
_TRACK_LINE = re.compile(
    r"(?:(?P<disc>\d{1,3})[-–/.](?=\d))?(?P<position>\d{1,4})"
    r"(?:\s*[.):]\s*|\s+[-–—]\s+|\s+)(?P<rest>\S.*)"
)
_TRACK_POSITION = re.compile(r"(?:(?P<disc>\d{1,3})[-–/.])?(?P<position>\d{1,4})\.?")
_DISC_LINE = re.compile(r"(?:disc|disk|cd)\s*(?P<disc>\d{1,3})\s*:?", re.IGNORECASE)
_TRAILING_DURATION = re.compile(
    r"\s+(?:[-–—]\s*)?[(\[]?(?P<duration>\d{1,3}(?::\d{1,2}){1,2})[)\]]?$"
)
_VOCAL_MARK = re.compile(r"\s*(?:♪|[(\[]vocals?[)\]])\s*", re.IGNORECASE)
#: The largest disc or position a track can have (``PositiveSmallIntegerField``).
_SMALLEST_BIG = 32_767


TRACK_LABELS = {
    "disc": "Disc",
    "position": "Track number",
    "title": "Title",
    "duration": "Duration",
    "artist": "Artist",
    "vocal": "Vocal",
}


@dataclass
class Tracklist:
    """What the album already holds: ``{(disc, position): title}``."""

    positions: dict


@dataclass
class PastedTrack:
    number: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (column or "", message)

    @property
    def messages(self):
        where = f"Line {self.number}"
        return [
            f"{where}, {TRACK_LABELS[key]}: {text}" if key else f"{where}: {text}"
            for key, text in self.errors
        ]

    def display(self, key):
        value = self.values.get(key)
        if key == "duration":
            return format_duration(value)
        if key == "vocal":
            return "yes" if value else ""
        return "" if value is None else value


def _track_lines(text, max_rows):
    """``(line number, text)`` of each non-blank line; ``PasteError`` past ``max_rows``."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(lines) >= max_rows:
            raise PasteError(
                f"The paste has more than {max_rows:,} lines; paste at most {max_rows:,} at a time."
            )
        lines.append((number, line))
    return lines


def read_tracklist(text, existing, *, max_rows=MAX_ROWS):
    """Each track of a pasted tracklist as a ``PastedTrack``, checked against
    ``existing``, a ``Tracklist``.

    Lines are ``1. Init 3:15``, ``1-07 Title 4:02`` (disc 1, track 7), ``7 Title`` (no duration),
    a ♪ or ``(vocal)`` marking a song; a line ``Disc 2`` sets the disc of the lines after it.
    Text with tabs is a spreadsheet's copy: columns position, title, duration, or the columns a
    header row names (disc, position, title, duration, artist, vocal).
    """
    text = _check_text(text, "tracklist")
    title_length = Track._meta.get_field("title").max_length
    artist_length = Track._meta.get_field("artist_credit").max_length
    if "\t" in _first_line(text):
        rows = _tracklist_rows_from_table(text, max_rows)
    else:
        rows = _tracklist_rows_from_lines(text, max_rows)
    if not rows:
        raise PasteError("The paste has no tracks under its header row.")
    seen = {}
    for track in rows:
        values = track.values
        if track.errors:
            continue
        for key, limit in (("title", title_length), ("artist", artist_length)):
            problem = _too_long(values.get(key, ""), limit)
            if problem:
                track.errors.append((key, problem))
        if not values.get("title"):
            track.errors.append(("title", "every track needs a title."))
        disc, position = values.get("disc"), values.get("position")
        if disc is None or position is None:
            continue
        if not (1 <= disc <= _SMALLEST_BIG and 1 <= position <= _SMALLEST_BIG):
            track.errors.append(("position", "discs and track numbers count from 1."))
            continue
        where = f"disc {disc}, track {position}" if disc != 1 else f"track {position}"
        if (disc, position) in existing.positions:
            on_album = existing.positions[disc, position]
            track.errors.append(("position", f"{where} is already on the album (“{on_album}”)."))
        elif (disc, position) in seen:
            track.errors.append(("position", f"{where} is also on line {seen[disc, position]}."))
        else:
            seen[disc, position] = track.number
    return rows


def _duration_value(track, value):
    if not value:
        return None
    try:
        seconds = parse_time(value)
    except ValueError as error:
        track.errors.append(("duration", str(error)))
        return None
    if seconds == 0:
        track.errors.append(("duration", "a track lasts longer than 0:00."))
        return None
    return seconds


def _vocal(title):
    """The title without a ♪ or “(vocal)” mark, and whether it had one."""
    title = squeeze(title)
    stripped = squeeze(_VOCAL_MARK.sub(" ", title))
    return stripped, stripped != title


def _tracklist_rows_from_lines(text, max_rows):
    rows, disc = [], 1
    for number, line in _track_lines(text, max_rows):
        track = PastedTrack(number)
        line = squeeze(line)
        if len(line) > MAX_CELL_CHARS:
            track.errors.append(("", _too_long(line, MAX_CELL_CHARS)))
            rows.append(track)
            continue
        if match := _DISC_LINE.fullmatch(line):
            disc = int(match["disc"])
            continue
        match = _TRACK_LINE.fullmatch(line)
        if match is None:
            track.errors.append(
                ("", f"“{line[:40]}” does not start with a track number, as in “1. Init 3:15” "
                     "or “1-07 Title 4:02”.")
            )  # fmt: skip
            rows.append(track)
            continue
        title, is_vocal = _vocal(match["rest"])
        duration = None
        if timed := _TRAILING_DURATION.search(title):
            title, duration = title[: timed.start()], timed["duration"]
        track.values = {
            "disc": int(match["disc"]) if match["disc"] else disc,
            "position": int(match["position"]),
            "title": title,
            "artist": "",
            "vocal": is_vocal,
        }
        track.values["duration"] = _duration_value(track, duration)
        rows.append(track)
    return rows


def _tracklist_rows_from_table(text, max_rows):
    table = read_table(text, what="tracklist", max_rows=max_rows)
    columns, _ = map_columns(table.header, TRACK_COLUMNS)
    rows = table.rows
    if "title" not in columns:
        # No header: the first row is a track, in the columns position, title, duration.
        columns = {"position": 0, "title": 1, "duration": 2}
        rows = [(table.header_number, table.header), *rows]
        table = Table(table.delimiter, ["position", "title", "duration"], 0, rows)
    pasted = []
    for number, raw_cells in rows:
        track = PastedTrack(number)
        pasted.append(track)
        cells = [*raw_cells, *[""] * (len(table.header) - len(raw_cells))]
        if any(cell.strip() for cell in cells[len(table.header) :]):
            track.errors.append(("", f"it has more cells than the {len(table.header)} columns."))
            continue
        text_of = {}
        for key, index in columns.items():
            try:
                text_of[key] = clean_cell(cells[index])
            except ValueError as error:
                track.errors.append((key, str(error)))
            else:
                if problem := _too_long(text_of[key], MAX_CELL_CHARS):
                    track.errors.append((key, problem))
        if track.errors:
            continue
        position = _TRACK_POSITION.fullmatch(text_of.get("position", ""))
        disc_text = text_of.get("disc", "")
        if position is None or (disc_text and not disc_text.isdigit()):
            track.errors.append(
                ("position", f"“{text_of.get('position', '')[:20]}” is not a track number.")
            )
            continue
        title, is_vocal = _vocal(text_of.get("title", ""))
        try:
            flagged = parse_flag(text_of.get("vocal", ""))
        except ValueError as error:
            track.errors.append(("vocal", str(error)))
            flagged = False
        disc = int(disc_text) if disc_text else int(position["disc"] or 1)
        track.values = {
            "disc": disc,
            "position": int(position["position"]),
            "title": title,
            "artist": text_of.get("artist", ""),
            "vocal": is_vocal or flagged,
        }
        track.values["duration"] = _duration_value(track, text_of.get("duration", ""))
    return pasted
