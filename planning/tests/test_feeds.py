"""Each person's iCalendar feed: read back with the icalendar parser, as calendar apps do."""

import datetime
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from planning import feeds
from planning.models import CalendarFeed
from planning.tests.conftest import at, draft, scheduled
from reviews.tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def key_of(user):
    return feeds.feed_key(feeds.feed_of(user))


def fetch(key):
    """A calendar app: no session, no cookies."""
    return Client().get(reverse("planning:feed"), {"key": key})


def parsed(response):
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def events(response):
    return {str(event["UID"]): event for event in parsed(response).walk("VEVENT")}


def uid(review):
    return f"review-{review.uid}@{urlsplit(settings.SITE_URL).hostname}"


def test_the_feed_lists_what_its_owner_sees_as_all_day_events(editor):
    review = draft(
        headline="Tron; Ares, reviewed",
        planned_for=D(2026, 12, 10),
        authors=[AuthorFactory(name="Ada Critic")],
    )
    found = events(fetch(key_of(editor)))
    event = found[uid(review)]
    assert event.decoded("DTSTART") == D(2026, 12, 10)
    assert event.decoded("DTEND") == D(2026, 12, 11)
    assert str(event["SUMMARY"]) == "Tron; Ares, reviewed (Draft)"
    change = reverse("admin:reviews_review_change", args=[review.pk])
    assert str(event["URL"]) == f"{settings.SITE_URL.rstrip('/')}{change}"
    assert "By Ada Critic." in str(event["DESCRIPTION"])
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_a_scheduled_review_without_a_plan_is_on_its_publish_date(editor):
    review = scheduled(at(D(2026, 12, 24), hour=7))
    event = events(fetch(key_of(editor)))[uid(review)]
    assert event.decoded("DTSTART") == D(2026, 12, 24)
    assert str(event["SUMMARY"]).endswith("(Scheduled)")
    assert "shown on the day of its publish time" in str(event["DESCRIPTION"])
    assert "Goes live 24 Dec 2026, 07:00 (UTC)" in str(event["DESCRIPTION"])


def test_undated_drafts_and_long_past_reviews_are_not_in_it(editor):
    draft()
    draft(planned_for=D(2025, 11, 1))  # more than a year ago
    kept = draft(planned_for=D(2025, 12, 10))
    assert set(events(fetch(key_of(editor)))) == {uid(kept)}


def test_a_writers_feed_lists_their_own_reviews_only(writer, other_writer):
    own = draft(planned_for=D(2026, 12, 10), created_by=writer)
    draft(planned_for=D(2026, 12, 10), created_by=other_writer, headline="Not theirs")
    response = fetch(key_of(writer))
    assert set(events(response)) == {uid(own)}
    assert b"Not theirs" not in response.content


def test_the_feed_is_crlf_folded_and_escaped_on_the_wire(editor):
    headline = "Line; one, two \\ " + "é" * 60 + " 🎵 end"
    review = draft(headline=headline, planned_for=D(2026, 12, 10))
    response = fetch(key_of(editor))
    body = response.content
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert b"SUMMARY:Line\\; one\\, two \\\\ " in body
    assert str(events(response)[uid(review)]["SUMMARY"]) == f"{headline} (Draft)"


def test_the_feed_is_text_calendar_and_never_cached(editor):
    response = fetch(key_of(editor))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cache = response["Cache-Control"]
    assert "private" in cache
    assert "no-store" in cache
    assert "public" not in cache
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    calendar = parsed(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Cuesheet//Editorial calendar//EN"


def test_the_page_cache_leaves_the_feed_alone():
    path = reverse("planning:feed")
    assert any(path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDE)


def test_the_calendar_page_shows_the_users_own_feed(client, editor):
    client.force_login(editor)
    url = client.get("/admin/calendar/").context["feed_url"]
    (key,) = parse_qs(urlsplit(url).query)["key"]
    assert feeds.feed_for_key(key).user == editor
    assert url.startswith(settings.SITE_URL.rstrip("/") + reverse("planning:feed"))


@pytest.mark.parametrize(
    "key",
    [
        "",
        "abc",
        "0" * 32,
        "not.a.signature",
        "x" * 10_000,
        signing.Signer(salt="another.salt", sep=".").sign("0" * 32),
        signing.Signer(salt=feeds.SALT, sep=".").sign("not-a-uuid"),
    ],
)
def test_a_bad_or_forged_key_is_a_404(editor, key):
    feeds.feed_of(editor)
    assert fetch(key).status_code == 404


def test_no_key_is_a_404():
    assert Client().get(reverse("planning:feed")).status_code == 404


def test_a_signed_key_for_no_feed_is_a_404(editor):
    key = signing.Signer(salt=feeds.SALT, sep=".").sign("0" * 32)
    assert fetch(key).status_code == 404


def test_a_tampered_key_is_a_404(editor):
    key = key_of(editor)
    value, signature = key.split(".")
    assert fetch(f"{value[:-1]}{'a' if value[-1] != 'a' else 'b'}.{signature}").status_code == 404


def test_resetting_ends_the_old_address_and_makes_a_new_one(client, editor):
    old = key_of(editor)
    assert fetch(old).status_code == 200
    client.force_login(editor)
    response = client.post(reverse("planning:reset_feed"), {"back": "/admin/calendar/week/"})
    assert response["Location"] == "/admin/calendar/week/"
    assert fetch(old).status_code == 404
    new = key_of(editor)
    assert new != old
    assert fetch(new).status_code == 200
    assert CalendarFeed.objects.get(user=editor).reset_at is not None


def test_resetting_is_a_post_by_the_owner(client, editor):
    client.force_login(editor)
    assert client.get(reverse("planning:reset_feed")).status_code == 405
    assert Client().post(reverse("planning:reset_feed")).status_code == 302  # to the login
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(editor)
    key = key_of(editor)
    assert csrf.post(reverse("planning:reset_feed")).status_code == 403
    assert fetch(key).status_code == 200


def test_a_login_no_longer_active_staff_has_no_feed(editor):
    key = key_of(editor)
    editor.is_active = False
    editor.save()
    assert fetch(key).status_code == 404
    editor.is_active, editor.is_staff = True, False
    editor.save()
    assert fetch(key).status_code == 404


def test_a_key_from_a_rotated_secret_works_while_it_is_a_fallback(settings, editor):
    key = key_of(editor)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    assert fetch(key).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert fetch(key).status_code == 404


def test_the_feed_runs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    key = key_of(editor)
    for n in range(5):
        draft(planned_for=D(2026, 12, 1 + n), authors=[AuthorFactory()])
    # The feed and its user, the user's permissions (own and groups'), the reviews, bylines.
    with django_assert_num_queries(5):
        response = fetch(key)
    assert len(events(response)) == 5


def test_calendar_apps_may_ask_with_head_and_nothing_else(editor):
    key = key_of(editor)
    assert Client().head(reverse("planning:feed"), {"key": key}).status_code == 200
    assert Client().post(f"{reverse('planning:feed')}?key={key}").status_code == 405
