"""The calendar's dates: the months and weeks its addresses name, and where a review falls.

A review falls on its planned date (``Review.planned_for``). One that is scheduled or live
without a planned date falls on the day of its publish time, in the site's time zone, and says
so: it is on the desk's calendar whether or not anyone planned it. Withdrawn reviews, drafts
and reviews in review fall only on a planned date; the undated ones are the side list's.

Every date the calendar shows is a real ``datetime.date``: the first month is January of year 1
and the last December 9999, and a week or a month grid that would run past either end stops at
it instead of overflowing.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from reviews.models import Review

ONE_DAY = datetime.timedelta(days=1)

#: The statuses the calendar tells apart, each with its label (the colour is never the only cue).
STATUSES = {
    "draft": "Draft",
    "in_review": "In review",
    "scheduled": "Scheduled",
    "live": "Live",
    "withdrawn": "Withdrawn",
}


def status_of(review):
    """The calendar's status of ``review``: published reviews are scheduled or live."""
    if review.is_live:
        return "live"
    if review.is_scheduled:
        return "scheduled"
    return review.status


def month_or_404(year, month):
    """The first day of the month the address names, or a 404 for no such month."""
    try:
        return datetime.date(int(year), int(month), 1)
    except (TypeError, ValueError, OverflowError):
        raise Http404("No such month.") from None


def week_or_404(value):
    """The Monday of the week holding the date ``value`` (YYYY-MM-DD), or a 404."""
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Http404("No such date.") from None
    return monday_of(day)


def monday_of(day):
    """The Monday on or before ``day``; 1 January of year 1 was a Monday, so there is one."""
    return day - datetime.timedelta(days=day.weekday())


def add_days(day, days):
    """``day`` moved by ``days``, or None past either end of the calendar."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return None


def days_from(first, count):
    """Up to ``count`` days from ``first``, stopping at the last date there is."""
    days = [first]
    while len(days) < count and (following := add_days(days[-1], 1)) is not None:
        days.append(following)
    return days


def shift_month(first, months):
    """The first of the month ``months`` away from the month starting ``first``, or None."""
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return None
    return datetime.date(year, month + 1, 1)


def last_of_month(first):
    following = shift_month(first, 1)
    return following - ONE_DAY if following else datetime.date.max


def month_grid(first):
    """The weeks, Monday to Sunday, that show the month starting ``first``: lists of dates,
    with the days of the months either side that share its first and last weeks."""
    start, last = monday_of(first), last_of_month(first)
    weeks = []
    while start is not None and start <= last:
        weeks.append(days_from(start, 7))
        start = add_days(start, 7)
    return weeks


def start_of_day(day):
    """The moment ``day`` begins in the site's time zone, or None where the calendar's
    first or last days meet the end of what a datetime holds."""
    try:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    except (OverflowError, ValueError):
        return None


@dataclass
class Entry:
    """One review on one day of the calendar."""

    review: Review
    day: datetime.date
    status: str
    #: True when the review has no planned date and shows on the day of its publish time.
    by_publish_date: bool = False

    @property
    def status_label(self):
        return STATUSES[self.status]


@dataclass
class Day:
    date: datetime.date
    in_range: bool = True
    is_today: bool = False
    entries: list = field(default_factory=list)


def falling_between(reviews, first, last):
    """The reviews of ``reviews`` that fall on a day from ``first`` to ``last`` (see the module's
    docstring), with what an entry shows; ``last`` None for no end."""
    planned = Q(planned_for__gte=first)
    by_publish = Q(planned_for__isnull=True, status=Review.Status.PUBLISHED)
    if (start := start_of_day(first)) is not None:
        by_publish &= Q(publish_at__gte=start)
    if last is not None:
        planned &= Q(planned_for__lte=last)
        end = add_days(last, 1)
        if end is not None and (end := start_of_day(end)) is not None:
            by_publish &= Q(publish_at__lt=end)
    # Entries show no body: leave the Markdown and its HTML unread.
    return (
        reviews.filter(planned | by_publish)
        .defer("body", "body_html")
        .prefetch_related("authors")
        .order_by()
    )


def day_of(review):
    """The day ``review`` falls on and whether that is its publish date, or (None, False)."""
    if review.planned_for is not None:
        return review.planned_for, False
    if review.status == Review.Status.PUBLISHED and review.publish_at is not None:
        return timezone.localdate(review.publish_at), True
    return None, False


def entries(reviews):
    """The ``Entry`` of each review that falls on a day, in the calendar's order: by day, then
    publish time, then headline."""
    found = []
    for review in reviews:
        day, by_publish_date = day_of(review)
        if day is not None:
            found.append(Entry(review, day, status_of(review), by_publish_date))
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    found.sort(
        key=lambda entry: (
            entry.day,
            entry.review.publish_at or far,
            entry.review.headline.casefold(),
            entry.review.pk,
        )
    )
    return found


def days_with_entries(days, found, *, in_range=None, today=None):
    """``Day``s for ``days`` holding the entries that fall on each; ``in_range(date)`` says
    whether a day belongs to the period shown (a month grid shows its neighbours' days too)."""
    today = today or timezone.localdate()
    by_day = {}
    for entry in found:
        by_day.setdefault(entry.day, []).append(entry)
    return [
        Day(
            date=day,
            in_range=in_range(day) if in_range else True,
            is_today=day == today,
            entries=by_day.get(day, []),
        )
        for day in days
    ]
