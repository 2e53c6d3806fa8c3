"""Track durations and cue times, typed by editors as ``m:ss`` or ``h:mm:ss``, stored as seconds."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

_DURATION = re.compile(r"^(?:(?P<h>\d+):(?P<m2>\d{1,2}):|(?P<m>\d+):)(?P<s>\d{1,2})$")


def parse_duration(text):
    """Return the seconds in ``"3:15"`` or ``"1:02:03"``; raise ``ValueError`` with a reason."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError("Enter a time as m:ss or h:mm:ss, for example 3:15 or 1:02:03.")
    seconds = int(match["s"])
    if seconds > 59:
        raise ValueError(f"Seconds must be 00–59; {text.strip()!r} has {seconds}.")
    if match["h"] is not None:
        minutes = int(match["m2"])
        if minutes > 59:
            raise ValueError(f"Minutes must be 00–59 in h:mm:ss; {text.strip()!r} has {minutes}.")
        return int(match["h"]) * 3600 + minutes * 60 + seconds
    return int(match["m"]) * 60 + seconds


def format_duration(seconds):
    """``195`` → ``"3:15"``; ``3723`` → ``"1:02:03"``; ``None`` → ``""``."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class DurationInput(forms.TextInput):
    def format_value(self, value):
        if isinstance(value, int):
            return format_duration(value)
        return super().format_value(value)


class DurationFormField(forms.Field):
    widget = DurationInput

    def __init__(self, **kwargs):
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "m:ss")
        self.widget.attrs.setdefault("size", 8)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error


class DurationSecondsField(models.PositiveIntegerField):
    """Seconds in the database; ``m:ss`` / ``h:mm:ss`` in every form."""

    def formfield(self, **kwargs):
        # The admin maps integer fields to a number input; a duration is typed as text.
        kwargs["widget"] = DurationInput
        return super().formfield(**{"form_class": DurationFormField, **kwargs})
