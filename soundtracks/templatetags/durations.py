"""Template filters for track and cue times: ``{{ track.duration|duration }}`` and its ISO form."""

from django import template

from pagemeta.seo import iso_duration as iso_8601_duration
from soundtracks.durations import format_duration

register = template.Library()


@register.filter
def duration(seconds):
    """195 → ``3:15``; empty when unknown."""
    return format_duration(seconds)


@register.filter
def iso_duration(seconds):
    """195 → ``PT3M15S``, for ``<time datetime>``; empty when unknown."""
    return "" if seconds is None else iso_8601_duration(seconds)
