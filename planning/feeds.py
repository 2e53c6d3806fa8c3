"""Each person's iCalendar feed of the editorial calendar, at a private signed address.

The address carries the person's ``CalendarFeed.key`` signed with the secret key
(``SECRET_KEY_FALLBACKS`` keeps feeds working across a key rotation). The row says whose feed it
is; resetting it gives a new key, so an address that leaked stops working at once. A forged,
mangled or reset key, or a login that is no longer active staff, gets a 404, as does an address
that never was. The feed lists what its owner may see in the admin (``Review.objects.visible_to``),
now, not what they could see when they subscribed.

Calendar apps fetch the feed without logging in, so it is the key that admits them: the key
travels in the query string, which the request log leaves out.
"""

import datetime
import uuid
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.admin.utils import quote
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from pagemeta.seo import absolute_url
from planning import calendar, ical
from planning.models import CalendarFeed
from reviews.models import Review

KEY_PARAMETER = "key"
SALT = "planning.feeds.calendar-feed"
#: Far longer than any key made here; a longer one is refused before it is unsigned.
LONGEST_KEY = 200
#: How far back the feed reaches; everything ahead is in it.
PAST_DAYS = 365


def _signer():
    # "." rather than ":", which a URL would carry as %3A.
    return signing.Signer(salt=SALT, sep=".")


def feed_of(user):
    """``user``'s feed, made the first time it is asked for."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_key(feed):
    return _signer().sign(feed.key.hex)


def feed_url(feed):
    """The feed's absolute address, on ``SITE_URL``."""
    return absolute_url(f"{reverse('planning:feed')}?{urlencode({KEY_PARAMETER: feed_key(feed)})}")


def webcal_url(url):
    """The same address as ``webcal://``, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]


def feed_for_key(key):
    """The ``CalendarFeed`` that ``key`` opens, its user loaded, or None."""
    if not key or len(key) > LONGEST_KEY:
        return None
    try:
        unsigned = uuid.UUID(hex=_signer().unsign(key))
    except (signing.BadSignature, ValueError):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(key=unsigned).first()
    if feed is None or not (feed.user.is_active and feed.user.is_staff):
        return None
    return feed


def feed_reviews(user, *, today=None):
    """What ``user``'s feed lists: the reviews they may see that fall on a day from
    ``PAST_DAYS`` ago on."""
    today = today or timezone.localdate()
    first = calendar.add_days(today, -PAST_DAYS) or datetime.date.min
    return calendar.falling_between(Review.objects.visible_to(user), first, None)


def _host():
    return urlsplit(settings.SITE_URL).hostname or "cuesheet"


def event(entry):
    """The VEVENT lines of one calendar ``Entry``: an all-day event on its day."""
    review = entry.review
    change_url = absolute_url(reverse("admin:reviews_review_change", args=[quote(review.pk)]))
    following = calendar.add_days(entry.day, 1)
    bylines = ", ".join(author.name for author in review.authors.all())
    description = [f"Status: {entry.status_label}."]
    if bylines:
        description.append(f"By {bylines}.")
    if entry.by_publish_date:
        description.append("No planned date: shown on the day of its publish time.")
    if entry.status in ("scheduled", "live") and review.publish_at:
        moment = timezone.localtime(review.publish_at)
        verb = "Goes live" if entry.status == "scheduled" else "Went live"
        description.append(f"{verb} {moment:%d %b %Y, %H:%M} ({moment.tzname()}).")
    description.append(f"Edit: {change_url}")
    lines = [
        ("UID", f"review-{review.uid}@{_host()}", {}),
        # The event is the review's plan as last saved; the stamp moves only when it does.
        ("DTSTAMP", ical.utc_value(review.updated_at), {}),
        ("LAST-MODIFIED", ical.utc_value(review.updated_at), {}),
        ("SEQUENCE", str(review.lock_version), {}),
        ("DTSTART", ical.date_value(entry.day), {"value": "DATE"}),
    ]
    if following is not None:
        lines.append(("DTEND", ical.date_value(following), {"value": "DATE"}))
    lines += [
        ("SUMMARY", ical.escape_text(f"{review.headline} ({entry.status_label})"), {}),
        ("DESCRIPTION", ical.escape_text(" ".join(description)), {}),
        ("CATEGORIES", ical.escape_text(entry.status_label), {}),
        ("URL", ical.uri(change_url), {"value": "URI"}),
        ("TRANSP", "TRANSPARENT", {}),
    ]
    return lines


def render_feed(user, *, today=None):
    """``user``'s feed as iCalendar text."""
    entries = calendar.entries(feed_reviews(user, today=today))
    name = f"Cuesheet editorial calendar ({user.get_username()})"
    properties = [
        ("VERSION", "2.0", {}),
        ("PRODID", "-//Cuesheet//Editorial calendar//EN", {}),
        ("CALSCALE", "GREGORIAN", {}),
        ("X-WR-CALNAME", ical.escape_text(name), {}),
        # Calendar apps that honour it look again every hour.
        ("REFRESH-INTERVAL", "PT1H", {"value": "DURATION"}),
        ("X-PUBLISHED-TTL", "PT1H", {}),
    ]
    return ical.calendar(properties, [event(entry) for entry in entries])
