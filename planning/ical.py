"""Writing iCalendar (RFC 5545): the few pieces a feed of all-day events needs.

Content lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character), each
continuation starting with one space; TEXT values escape backslash, semicolon, comma and line
breaks, and lose the control characters the format does not allow.
"""

import datetime

LINE_END = "\r\n"
#: The longest a content line may be, in octets, its line break not counted (RFC 5545 3.1).
MAX_OCTETS = 75


def escape_text(value):
    """A TEXT value (RFC 5545 3.3.11): ``\\``, ``;``, ``,`` and line breaks escaped."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    # Control characters other than the tab and the line break have no place in TEXT.
    text = "".join(ch for ch in text if ch in "\t\n" or not (ord(ch) < 0x20 or ord(ch) == 0x7F))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def uri(value):
    """A URI value: nothing to escape, but no line break may reach the line."""
    return "".join(ch for ch in str(value) if ord(ch) >= 0x20 and ord(ch) != 0x7F)


def fold(line):
    """``line`` folded into pieces of at most 75 octets, joined by CRLF and a space."""
    pieces, current, size = [], [], 0
    for ch in line:
        octets = len(ch.encode())
        if size + octets > MAX_OCTETS:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += octets
    pieces.append("".join(current))
    return LINE_END.join(pieces)


def date_value(day):
    """A DATE value: 20261203."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def utc_value(moment):
    """A DATE-TIME value in UTC: 20261203T101500Z."""
    moment = moment.astimezone(datetime.UTC)
    return f"{date_value(moment)}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"


def content_line(name, value, parameters=None):
    """One folded content line; ``value`` is written as given (escape TEXT first), and
    ``parameters`` ({"value": "DATE"}) as ``;VALUE=DATE``."""
    params = "".join(
        f";{key.upper().replace('_', '-')}={val}" for key, val in (parameters or {}).items()
    )
    return fold(f"{name}{params}:{value}")


def calendar(properties, events):
    """A VCALENDAR of ``events``, each a list of (name, value, parameters) for one VEVENT;
    ``properties`` the calendar's own, in the same shape. Returns the text, CRLF throughout."""
    lines = ["BEGIN:VCALENDAR"]
    lines += [content_line(name, value, params) for name, value, params in properties]
    for event in events:
        lines.append("BEGIN:VEVENT")
        lines += [content_line(name, value, params) for name, value, params in event]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return LINE_END.join(lines) + LINE_END
