import pytest
from django.core.exceptions import ValidationError

from soundtracks.durations import DurationFormField, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3:15", 195), ("1:02:03", 3723), ("0:46", 46), (" 5:08 ", 308), ("75:00", 4500)],
)
def test_duration_is_parsed_to_seconds(text, seconds):
    assert parse_duration(text) == seconds
    assert DurationFormField().clean(text) == seconds


@pytest.mark.parametrize("text", ["3:75", "abc", "1:60:00", "3", "3:5:5:5", "-1:00", "3:15abc"])
def test_bad_duration_is_a_form_error(text):
    with pytest.raises(ValidationError):
        DurationFormField().clean(text)


def test_empty_duration_is_allowed_when_not_required():
    assert DurationFormField(required=False).clean("") is None


@pytest.mark.parametrize(("seconds", "text"), [(195, "3:15"), (3723, "1:02:03"), (None, "")])
def test_seconds_are_formatted_for_editors(seconds, text):
    assert format_duration(seconds) == text
