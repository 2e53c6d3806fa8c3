"""Writing iCalendar (planning.ical): escaping TEXT, folding at 75 octets, CRLF."""

import datetime

import pytest

from planning import ical


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Tron; Ares, reviewed", "Tron\\; Ares\\, reviewed"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("windows\r\nline", "windows\\nline"),
        ("old mac\rline", "old mac\\nline"),
        ("bell\x07 and nul\x00 gone, tab\tkept", "bell and nul gone\\, tab\tkept"),
    ],
)
def test_text_is_escaped(raw, escaped):
    assert ical.escape_text(raw) == escaped


def test_a_long_line_folds_at_75_octets_with_a_space_each_continuation():
    folded = ical.fold("SUMMARY:" + "x" * 200)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == (
        "SUMMARY:" + "x" * 200
    )


def test_folding_never_splits_a_character():
    text = "SUMMARY:" + "é" * 50 + "🎵" * 30
    lines = ical.fold(text).split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    for line in lines:
        line.encode().decode()  # each piece is whole UTF-8
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == text


def test_a_short_line_is_left_whole():
    assert ical.fold("VERSION:2.0") == "VERSION:2.0"
    assert len(ical.fold("X:" + "a" * 73)) == 75  # exactly 75: no fold


def test_values():
    assert ical.date_value(datetime.date(2026, 12, 3)) == "20261203"
    assert ical.date_value(datetime.date(5, 1, 9)) == "00050109"
    moment = datetime.datetime(
        2026, 12, 3, 10, 15, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert ical.utc_value(moment) == "20261203T091530Z"
    assert ical.uri("https://example.com/a\r\nX-EVIL:1") == "https://example.com/aX-EVIL:1"


def test_a_calendar_ends_every_line_in_crlf():
    text = ical.calendar(
        [("VERSION", "2.0", {})], [[("UID", "1", {}), ("DTSTART", "20261203", {"value": "DATE"})]]
    )
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert text.split("\r\n")[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "BEGIN:VEVENT",
        "UID:1",
        "DTSTART;VALUE=DATE:20261203",
        "END:VEVENT",
    ]
