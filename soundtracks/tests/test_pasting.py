"""Reading pasted cue sheets and tracklists, and writing cue sheets (soundtracks/pasting.py).

Pure functions: people are plain objects here, no database is needed.
"""

import csv
import io
from types import SimpleNamespace

import pytest

from soundtracks import pasting
from soundtracks.pasting import PasteError


def person(pk, name, slug):
    return SimpleNamespace(pk=pk, name=name, slug=slug)


REZNOR = person(1, "Trent Reznor", "trent-reznor")
ROSS = person(2, "Atticus Ross", "atticus-ross")
EWF = person(3, "Earth, Wind & Fire", "earth-wind-fire")
WILLIAMS = person(4, "John Williams", "john-williams")
OTHER_WILLIAMS = person(5, "John Williams", "john-williams-guitarist")
JOHANNSSON = person(6, "Jóhann Jóhannsson", "johann-johannsson")


def sheet(runtime=100 * 60, codes=(), preferred=(), default=()):
    people = pasting.People.of(
        [REZNOR, ROSS, EWF, WILLIAMS, OTHER_WILLIAMS, JOHANNSSON], preferred=preferred
    )
    return pasting.CueSheet(
        runtime=runtime,
        codes={code.casefold(): f"Existing {code}" for code in codes},
        people=people,
        default_composers=list(default),
    )


def check(text, **context):
    table = pasting.read_table(text)
    columns, _ = pasting.map_columns(table.header, pasting.CUE_COLUMNS)
    return pasting.check_cue_rows(table, columns, sheet(**context))


def only(text, **context):
    (row,) = check(text, **context)
    return row


# Reading the table ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Title\tIn\nInit\t0:00", "\t"),
        ("Title,In\nInit,0:00", ","),
        ("Title;In\nInit;0:00", ";"),
        ("Title\nInit", ","),
        ("Title\tComposer\nInit\tEarth, Wind & Fire", "\t"),
    ],
)
def test_the_header_says_whether_it_is_tab_separated_or_csv(text, delimiter):
    assert pasting.read_table(text).delimiter == delimiter


def test_rows_are_numbered_as_in_the_spreadsheet_blank_rows_counted():
    table = pasting.read_table('\n\ufeffTitle,Scene\n"Init","opening\ncredits"\n\n,\nDerez,\n')
    assert table.header == ["Title", "Scene"]
    assert table.header_number == 2
    assert [(number, cells) for number, cells in table.rows] == [
        (3, ["Init", "opening\ncredits"]),
        (6, ["Derez", ""]),
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Cue #", "Title", "Composer(s)", "Usage", "In", "Out", "Duration"],
            ["code", "title", "composers", "usage", "start", "end", "duration"],
        ),
        (
            ["CUE NO.", "cue title", "WRITER", "use", "Start", "End", "Length"],
            ["code", "title", "composers", "usage", "start", "end", "duration"],
        ),
        (["No.", "Name", "Composer/Writer", "Timing"], ["code", "title", "composers", "duration"]),
        (["  tc in ", "TC OUT", "Title", "Performer"], ["start", "end", "title", "performers"]),
    ],
)
def test_columns_go_by_the_names_music_supervisors_use_in_any_case(header, expected):
    columns, ignored = pasting.map_columns(header, pasting.CUE_COLUMNS)
    assert sorted(columns, key=columns.get) == expected
    assert ignored == []


def test_columns_it_does_not_know_are_listed_and_left_alone():
    columns, ignored = pasting.map_columns(["Title", "Publisher", "", "PRO"], pasting.CUE_COLUMNS)
    assert columns == {"title": 0}
    assert ignored == ["Publisher", "PRO"]


def test_two_columns_for_the_same_thing_are_refused():
    with pytest.raises(PasteError, match=r"Columns 1 \(“Cue”\) and 3 \(“Cue #”\) both hold"):
        pasting.map_columns(["Cue", "Title", "Cue #"], pasting.CUE_COLUMNS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The paste is empty"),
        (" \r\n\t ", "The paste is empty"),
        ("Ti\x00tle\nInit", "The paste holds a NUL character"),
        ("x" * (pasting.MAX_PASTE_CHARS + 1), "The paste is 1,000,001 characters"),
        ('Title\n"Init', "Row 2: a quoted cell is never closed"),
        ('Title\n"In"it', "Row 2: the quotes cannot be read"),
        ("Title\n" + "Cue\n" * (pasting.MAX_ROWS + 1), "more than 2,000 rows"),
    ],
)
def test_what_is_not_a_table_is_refused_with_a_reason(text, message):
    with pytest.raises(PasteError, match=message):
        pasting.read_table(text)


def test_a_header_alone_is_a_table_without_rows():
    assert pasting.read_table("Title,In\n\n").rows == []


@pytest.mark.parametrize(
    "text",
    [
        "," * (pasting.MAX_PASTE_CHARS - 10),
        "\t" * (pasting.MAX_PASTE_CHARS - 10),
        '"' * (pasting.MAX_PASTE_CHARS - 1),
        "Title\n" + '""' * 400_000,
        "Title\n" + "a\n" * 400_000,
        "Title\n" + "\r" * 900_000,
    ],
    ids=["commas", "tabs", "quotes", "doubled-quotes", "many-rows", "carriage-returns"],
)
def test_a_megabyte_of_pathological_text_is_answered_not_hung(text):
    """Each is read in one pass: an answer, a table or a reason, never a hang or a crash."""
    try:
        table = pasting.read_table(text)
    except PasteError:
        return
    columns, _ = pasting.map_columns(table.header, pasting.CUE_COLUMNS)
    if "title" in columns:
        pasting.check_cue_rows(table, columns, sheet())


# Cells ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["=SUM(A1)", "=1+1", " =x", "+SUM(A1)", "-A1!B2", "@cmd|' /C calc'!A0", "+cmd|x"],
)
def test_a_formula_is_refused(cell):
    with pytest.raises(ValueError, match="looks like a spreadsheet formula"):
        pasting.clean_cell(cell)


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("-Init-", "-Init-"),
        ("+1", "+1"),
        ("@home", "@home"),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'-Derez-", "-Derez-"),
        ("'Til Dawn", "'Til Dawn"),
        ("  Init  ", "Init"),
    ],
)
def test_text_that_only_looks_like_a_formula_is_kept(cell, text):
    assert pasting.clean_cell(cell) == text


@pytest.mark.parametrize("value", ["=x", "+x", "-x", "@x", "\tx", "\rx"])
def test_the_export_neutralises_what_a_spreadsheet_would_run_and_a_paste_reads_it_back(value):
    neutralised = pasting.neutralise(value)
    assert neutralised == f"'{value}"
    assert pasting.clean_cell(neutralised) == value.strip() or value[0] in "\t\r"


@pytest.mark.parametrize(
    ("cell", "usage"),
    [
        ("BI", "bi"),
        ("bv", "bv"),
        ("VI", "vi"),
        ("VV", "vv"),
        ("MT", "main_title"),
        ("ET", "end_title"),
        ("Background Instrumental", "bi"),
        ("background vocal", "bv"),
        ("Visual (source) instrumental", "vi"),
        ("Visual Vocal", "vv"),
        ("Main Title", "main_title"),
        ("End Credits", "end_title"),
        ("Source Vocal", "vv"),
        ("", ""),
    ],
)
def test_usage_codes_and_labels_are_read(cell, usage):
    assert pasting.parse_usage(cell) == usage


def test_an_unknown_usage_is_refused():
    with pytest.raises(ValueError, match="“Featured” is not a usage"):
        pasting.parse_usage("Featured")


# People ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "slugs"),
    [
        ("Trent Reznor", ["trent-reznor"]),
        ("trent reznor", ["trent-reznor"]),
        ("Trent Reznor; Atticus Ross", ["trent-reznor", "atticus-ross"]),
        ("Trent Reznor / Atticus Ross", ["trent-reznor", "atticus-ross"]),
        ("Trent Reznor & Atticus Ross", ["trent-reznor", "atticus-ross"]),
        ("Trent Reznor and Atticus Ross", ["trent-reznor", "atticus-ross"]),
        ("Earth, Wind & Fire", ["earth-wind-fire"]),
        ("Johann Johannsson", ["johann-johannsson"]),
        ("john-williams-guitarist", ["john-williams-guitarist"]),
    ],
)
def test_names_are_found_whole_then_in_parts_then_by_slug(cell, slugs):
    persons, reason = sheet().people.resolve(cell)
    assert reason is None
    assert [each.slug for each in persons] == slugs


def test_two_people_of_one_name_are_told_apart_by_the_films_credits():
    persons, _ = sheet(preferred={5}).people.resolve("John Williams")
    assert persons == [OTHER_WILLIAMS]
    persons, reason = sheet().people.resolve("John Williams")
    assert persons == []
    assert "2 people are named “John Williams”" in reason
    assert "john-williams, john-williams-guitarist" in reason


def test_an_unknown_name_is_named_in_the_error():
    persons, reason = sheet().people.resolve("Trent Reznor; Wendy Carlos")
    assert persons == []
    assert reason.startswith("no person or group is named “Wendy Carlos”")


def test_the_names_to_look_up_are_every_cell_whole_and_in_parts():
    table = pasting.read_table("Title\tComposer\tPerformer\nA\tX; Y\t'=Z\nB\t\tX")
    columns, _ = pasting.map_columns(table.header, pasting.CUE_COLUMNS)
    assert pasting.names_to_look_up(table, columns) == {"X; Y", "X", "Y", "=Z"}


def test_too_many_different_names_are_refused_before_any_lookup():
    rows = "\n".join(f"Cue {n}\tName {n}" for n in range(pasting.MAX_NAMES + 1))
    table = pasting.read_table(f"Title\tComposer\n{rows}")
    columns, _ = pasting.map_columns(table.header, pasting.CUE_COLUMNS)
    with pytest.raises(PasteError, match="1,001 different composers"):
        pasting.names_to_look_up(table, columns)


# Rows -----------------------------------------------------------------------------------------


def test_a_valid_row_has_its_values():
    row = only(
        "Cue\tTitle\tComposer\tUsage\tIn\tOut\tScene\tSpoiler\n"
        "1M01\tInit\tTrent Reznor\tMT\t0:00\t3:15\tOpening credits\tno"
    )
    assert row.errors == []
    assert row.values == {
        "code": "1M01",
        "title": "Init",
        "composers": [REZNOR],
        "performers": [],
        "usage": "main_title",
        "start": 0,
        "end": 195,
        "duration": 195,
        "scene": "Opening credits",
        "spoiler": False,
    }


def test_an_empty_composer_is_the_films_composers():
    row = only("Title\tComposer\nInit\t", default=[REZNOR, ROSS])
    assert row.values["composers"] == [REZNOR, ROSS]
    assert row.notes == ["Composers: the film’s."]
    assert only("Title\nInit", default=[ROSS]).values["composers"] == [ROSS]


@pytest.mark.parametrize(
    ("cells", "start", "end"),
    [
        ("1:00\t\t0:30", 60, 90),
        ("\t1:30\t0:30", 60, 90),
        ("1:00\t1:30\t0:30", 60, 90),
        ("1:00:00\t1:02:03\t", 3600, 3723),
    ],
)
def test_in_out_and_duration_give_each_other(cells, start, end):
    row = only(f"Title\tIn\tOut\tDuration\nX\t{cells}")
    assert row.errors == []
    assert (row.values["start"], row.values["end"]) == (start, end)


def test_a_duration_alone_is_kept_as_the_cues_length():
    """Cue sheets filed for royalties often give only each cue's length."""
    row = only("Title\tDuration\nX\t2:00")
    assert row.errors == []
    assert (row.values["start"], row.values["end"], row.values["duration"]) == (None, None, 120)
    assert row.notes == []


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("1:75\t\t", "Row 2, In: Seconds must be 00–59; '1:75' has 75."),
        ("1:75:00\t\t", "Row 2, In: Minutes must be 00–59 in h:mm:ss; '1:75:00' has 75."),
        ("\t2:00\t3:00", "Row 2, Duration: 3:00 is longer than its out."),
        (
            "1:39:00\t1:41:00\t",
            "Row 2, Out: out at 1:41:00 is after the end of the film (1:40:00).",
        ),
        ("1:41:00\t\t", "Row 2, In: in at 1:41:00 is after the end of the film (1:40:00)."),
        ("1:39:00\t\t2:00", "Row 2, Duration: out at 1:41:00 is after the end of the film"),
        ("3:00\t3:00\t", "Row 2, Out: out at 3:00 is not after in at 3:00."),
        ("-1:00\t\t", "Row 2, In: Enter a time as m:ss or h:mm:ss"),
        ("1.5\t\t", "Row 2, In: Enter a time as m:ss or h:mm:ss"),
        ("1:00:00:12\t\t", "Row 2, In: Enter a time as m:ss or h:mm:ss"),
    ],
)
def test_bad_times_are_named_by_row_and_column(cells, message):
    row = only(f"Title\tIn\tOut\tDuration\nX\t{cells}")
    assert any(each.startswith(message) for each in row.messages), row.messages


def test_without_a_runtime_times_are_held_only_to_the_longest_film():
    assert only("Title\tIn\nX\t5:00:00", runtime=None).errors == []
    row = only("Title\tIn\nX\t600:00:00", runtime=None)
    assert row.messages[0].startswith("Row 2, In: “600:00:00” is longer than any film can run")


def test_codes_are_unique_in_the_paste_and_on_the_film_whatever_their_case():
    rows = check("Cue,Title\n1M01,A\n1m02,B\n1M02,C", codes=["1m01"])
    assert [row.messages for row in rows] == [
        ["Row 2, Cue: 1M01 is already a cue of this film (“Existing 1m01”)."],
        [],
        ["Row 4, Cue: 1M02 is also the cue code of row 3."],
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1M01,A,x", "Row 2: it has 3 cells; the header row has 2."),
        ("1M01", "Row 2: it has 1 cell; the header row has 2."),
        ("1M01,", "Row 2, Title: every cue needs a title."),
        ("1M01,A,,,", None),  # trailing empty cells, as spreadsheets write them, are fine
    ],
)
def test_ragged_rows_are_refused(row, message):
    (pasted,) = check(f"Cue,Title\n{row}")
    if message is None:
        assert pasted.messages == []
    else:
        assert [each[: len(message)] for each in pasted.messages] == [message]


def test_a_spoiler_cell_is_yes_or_no():
    assert only("Title,Spoiler\nX,Yes").values["spoiler"] is True
    assert only("Title,Spoiler\nX,").values["spoiler"] is False
    assert only("Title,Spoiler\nX,maybe").messages == ["Row 2, Spoiler: “maybe” is not yes or no."]


def test_unique_slugs_follow_the_cues_own_rule():
    assert pasting.unique_slugs(["1M01", "Init", "Init", "!!!", ""], {"init", "cue"}) == [
        "1m01",
        "init-2",
        "init-3",
        "cue-2",
        "cue-3",
    ]


# Export ---------------------------------------------------------------------------------------


def cue(**fields):
    composers = fields.pop("composers", [])
    defaults = {
        "code": "",
        "title": "",
        "usage": "",
        "start": None,
        "end": None,
        "scene": "",
        "scene_is_spoiler": False,
        "composers": SimpleNamespace(all=lambda: composers),
        "performers": SimpleNamespace(all=lambda: []),
    }
    item = SimpleNamespace(**{**defaults, **fields})
    item.length = item.end - item.start if item.start is not None and item.end is not None else None
    return item


def test_the_export_reads_back_as_the_same_values():
    cues = [
        cue(code="1M01", title="Init", usage="main_title", start=0, end=195, composers=[REZNOR]),
        cue(title="=Derez", scene="Ares, “dies”", scene_is_spoiler=True, composers=[EWF]),
    ]
    text = pasting.cue_sheet_csv(cues)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["1M01", "Init", "Trent Reznor", "", "MT", "0:00", "3:15", "3:15", "", ""]
    assert rows[2][1] == "'=Derez"
    pasted = check(text)
    assert [row.errors for row in pasted] == [[], []]
    assert pasted[0].values["composers"] == [REZNOR]
    assert pasted[1].values["title"] == "=Derez"
    assert pasted[1].values["composers"] == [EWF]
    assert pasted[1].values["scene"] == "Ares, “dies”"
    assert pasted[1].values["spoiler"] is True


# Tracklists -----------------------------------------------------------------------------------


def tracks(text, existing=()):
    rows = pasting.read_tracklist(text, pasting.Tracklist(dict(existing)))
    return [(row.values, row.messages) for row in rows]


@pytest.mark.parametrize(
    ("line", "disc", "position", "title", "duration", "vocal"),
    [
        ("1. Init 3:15", 1, 1, "Init", 195, False),
        ("1-07 I Know You Can Feel It 4:02", 1, 7, "I Know You Can Feel It", 242, False),
        ("2-03 Echoes", 2, 3, "Echoes", None, False),
        ("7 Title", 1, 7, "Title", None, False),
        ("12) Closer (3:15)", 1, 12, "Closer", 195, False),
        ("3 - Forked - 1:02:03", 1, 3, "Forked", 3723, False),
        ("4. Who Wants to Live Forever? ♪", 1, 4, "Who Wants to Live Forever?", None, True),
        ("5. Sweet Dreams (vocal) 3:36", 1, 5, "Sweet Dreams", 216, True),
        ("6. 2 Minutes 2:00", 1, 6, "2 Minutes", 120, False),
        ("8. 3:15", 1, 8, "3:15", None, False),
    ],
)
def test_tracklist_lines_are_read(line, disc, position, title, duration, vocal):
    ((values, messages),) = tracks(line)
    assert messages == []
    assert (values["disc"], values["position"], values["title"]) == (disc, position, title)
    assert (values["duration"], values["vocal"]) == (duration, vocal)


def test_a_disc_line_sets_the_disc_of_the_lines_after_it():
    result = tracks("1. A\nDisc 2\n1. B\nCD 3:\n1. C\n1-02 D")
    assert [(values["disc"], values["position"]) for values, _ in result] == [
        (1, 1),
        (2, 1),
        (3, 1),
        (1, 2),
    ]


def test_tab_separated_columns_without_a_header_are_position_title_duration():
    result = tracks("1\tInit\t3:15\n1-02\tForked\t\n3.\tEcho ♪\t2:00")
    assert [
        (v["disc"], v["position"], v["title"], v["duration"], v["vocal"]) for v, _ in result
    ] == [
        (1, 1, "Init", 195, False),
        (1, 2, "Forked", None, False),
        (1, 3, "Echo", 120, True),
    ]


def test_a_header_row_names_the_columns_of_a_spreadsheet_tracklist():
    result = tracks("Title\tNo.\tVocal\tDisc\nInit\t1\t\t2\nEcho\t2\tyes\t2")
    assert [(v["disc"], v["position"], v["title"], v["vocal"]) for v, _ in result] == [
        (2, 1, "Init", False),
        (2, 2, "Echo", True),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1. Init", "Line 1, Track number: track 1 is already on the album (“Init”)."),
        ("2-01 A\n2-01 B", "Line 2, Track number: disc 2, track 1 is also on line 1."),
        ("Init 3:15", "Line 1: “Init 3:15” does not start with a track number"),
        ("2. A 9:99", "Line 1, Duration: Seconds must be 00–59; '9:99' has 99."),
        ("0-1 A", "Line 1, Track number: discs and track numbers count from 1."),
        ("2. " + "x" * 2000, "Line 1: 2,003 characters; at most 1,000."),
        ("2\tA\t1:00\textra", "Line 1: it has more cells than the 3 columns."),
        ("x\tA", "Line 1, Track number: “x” is not a track number."),
        ("Track\tTitle\tVocal\n2\tA\tperhaps", "Line 2, Vocal: “perhaps” is not yes or no."),
    ],
)
def test_bad_tracklist_lines_are_named_by_line(text, message):
    messages = [each for _, row_messages in tracks(text, {(1, 1): "Init"}) for each in row_messages]
    assert any(each.startswith(message) for each in messages), messages


def test_a_tracklist_of_a_header_alone_is_refused():
    with pytest.raises(PasteError, match="no tracks under its header row"):
        tracks("Track\tTitle\n")


def test_a_long_tracklist_is_refused_at_the_limit():
    with pytest.raises(PasteError, match="more than 2,000 lines"):
        tracks("1. x\n" * 10_000)


# Work linear in the paste -------------------------------------------------------------------

#: A cell of almost a thousand spaces between two letters: the longest a cell may be.
SPACES = "a" + " " * 990 + "b"


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "column", ["Cue", "Title", "Composer", "Performer", "Usage", "In", "Scene", "Spoiler"]
)
def test_a_megabyte_of_long_whitespace_runs_is_read_in_one_pass(column):
    """Once took 80 seconds in the composer column: each cell is squeezed before any pattern
    reads it, so a run of spaces costs its length, not its square."""
    header = "Title" if column == "Title" else f"Title\t{column}"
    cells = SPACES if column == "Title" else f"x\t{SPACES}"
    text = header + "\n" + "\n".join([cells] * 1_000)
    table = pasting.read_table(text)
    columns, _ = pasting.map_columns(table.header, pasting.CUE_COLUMNS)
    pasting.names_to_look_up(table, columns)
    rows = pasting.check_cue_rows(table, columns, sheet())
    assert len(rows) == 1_000


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "line", ["1." + " " * 990 + "x", "1. t" + " " * 990 + "t", "1. t" + " " * 985 + "3:15 ♪"]
)
def test_a_megabyte_of_tracklist_lines_with_long_whitespace_runs_is_read_in_one_pass(line):
    rows = pasting.read_tracklist("\n".join([line] * 1_000), pasting.Tracklist({}))
    assert len(rows) == 1_000
