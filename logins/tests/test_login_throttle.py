"""Admin login throttling (logins.forms); the client address behind proxies (requestlog)."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse

from editorial.tests.factories import UserFactory
from logins.forms import account_key, address_key
from requestlog.middleware import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOCKED = "Too many failed logins"
INVALID = "Please enter the correct username and password"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 20
    settings.LOGIN_FAILURE_WINDOW = 900
    settings.TRUSTED_PROXY_COUNT = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def writer2():
    return UserFactory(username="writer2", is_staff=True)


def login(client, username, password=PASSWORD, address="192.0.2.10", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    client.logout()
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )
    return response, "_auth_user_id" in client.session


def fail(client, username, times, **where):
    for _ in range(times):
        response, logged_in = login(client, username, "wrong", **where)
        assert not logged_in
        assert INVALID in response.content.decode()


# Every spelling of one account is one account ------------------------------------------------

#: Spellings that authentication turns into "writer2": the form strips and NFKC-normalises.
AUTHENTICATING = [
    " writer2",
    "writer2 ",
    "\twriter2\n",
    "writer2\u00a0",  # no-break space
    "\u3000writer2",  # ideographic space
    "ｗｒｉｔｅｒ２",  # full-width
    "ｗriter2",
    "writer\u2082",  # subscript two
    "writer\u00b2",  # superscript two
]
#: Spellings that reach no account here, but might through a database collation.
FOLDED = ["WRITER2", "Writer2", "writer2\u200b", "\u200bwriter2", "wri\u200dter2", "ＷＲＩＴＥＲ２"]


@pytest.mark.parametrize("spelling", AUTHENTICATING)
def test_spellings_that_authenticate_reach_the_account(client, writer2, spelling):
    assert account_key(spelling) == account_key("writer2")
    assert login(client, spelling)[1]


@pytest.mark.parametrize("spelling", AUTHENTICATING + FOLDED)
def test_a_locked_account_is_locked_under_every_spelling(client, writer2, spelling):
    fail(client, "writer2", 5, address="192.0.2.1")

    response, logged_in = login(client, spelling, address="198.51.100.7")

    assert not logged_in
    assert LOCKED in response.content.decode()


@pytest.mark.parametrize("spelling", AUTHENTICATING + FOLDED)
def test_failures_under_any_spelling_count_against_the_account(client, writer2, spelling):
    fail(client, spelling, 5, address="192.0.2.1")

    response, logged_in = login(client, "writer2", address="198.51.100.7")

    assert not logged_in
    assert LOCKED in response.content.decode()


def test_an_account_under_attack_from_many_addresses_is_locked(client, writer2):
    for n in range(5):
        fail(client, "writer2", 1, address=f"203.0.113.{n}")
    response, logged_in = login(client, "writer2", address="198.51.100.7")
    assert not logged_in
    assert LOCKED in response.content.decode()


def test_a_success_below_the_limit_clears_the_accounts_count(client, writer2):
    fail(client, "writer2", 4)
    assert login(client, "writer2")[1]
    fail(client, "writer2", 4)
    assert login(client, "writer2")[1]


# Addresses, and names that are not accounts ----------------------------------------------------


def test_failures_for_made_up_names_never_lock_a_real_account(client, writer2):
    for name in ("admin", "root", "editor"):
        fail(client, name, 5, address="192.0.2.1")  # 15: under the address limit of 20

    assert login(client, "writer2", address="192.0.2.1")[1]


def test_one_address_guessing_names_is_locked_and_others_are_not(client, writer2):
    for n in range(20):
        fail(client, f"guess{n}", 1, address="192.0.2.1")

    response, logged_in = login(client, "writer2", address="192.0.2.1")
    assert not logged_in
    assert LOCKED in response.content.decode()
    assert login(client, "writer2", address="198.51.100.7")[1]


def test_behind_a_proxy_one_client_guessing_locks_no_one_else(client, settings, writer2):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"
    for n in range(20):
        # A forged left part changes nothing: the proxy appended the address it saw.
        fail(client, f"guess{n}", 1, address=proxy, forwarded=f"192.0.2.{n}, 203.0.113.66")

    response, logged_in = login(client, "writer2", address=proxy, forwarded="203.0.113.66")
    assert not logged_in
    assert LOCKED in response.content.decode()
    assert login(client, "writer2", address=proxy, forwarded="198.51.100.7")[1]


def test_ipv6_clients_are_counted_by_their_64(client, writer2):
    for n in range(20):
        fail(client, f"guess{n}", 1, address=f"2001:db8:1:2::{n + 1:x}")

    locked, logged_in = login(client, "writer2", address="2001:db8:1:2:ffff::1")
    assert not logged_in
    assert LOCKED in locked.content.decode()
    assert login(client, "writer2", address="2001:db8:1:3::1")[1]


HOSTILE_USERNAMES = [
    "",
    " ",
    "\u200b",
    "\x00",
    "writer2\x00",
    "a" * 151,
    "a" * 100_000,
    "\ufb00" * 100,  # "ﬀ": NFKC doubles it past the field's 150 characters
    "\U0001f600" * 150,
    "' OR 1=1 --",
    "%00",
]


@pytest.mark.parametrize("username", HOSTILE_USERNAMES, ids=range(len(HOSTILE_USERNAMES)))
def test_hostile_usernames_get_a_form_error_and_lock_no_account(client, writer2, username):
    for _ in range(6):
        response, logged_in = login(client, username)
        assert response.status_code == 200
        assert not logged_in
        assert response.context["form"].errors
    assert login(client, "writer2")[1]


@pytest.mark.parametrize("body", [b"username=%ED%A0%80&password=x", b"username=%FF%FE&password=x"])
def test_usernames_that_are_not_utf8_get_a_form_error(client, writer2, body):
    response = client.post(
        reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# The client address ----------------------------------------------------------------------------

PROXY = "10.0.0.254"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.9", PROXY),  # no proxy trusted: the header is the client's to forge
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6,203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.253", "203.0.113.9"),
        (2, "203.0.113.9, 10.0.0.253", "203.0.113.9"),
        (2, "10.0.0.253", PROXY),  # shorter than the proxies: not through them
        (3, "6.6.6.6, 203.0.113.9", PROXY),
        (1, None, PROXY),
        (1, "", PROXY),
        (1, " ", PROXY),
        (1, ",", PROXY),
        (1, "," * 100_000, PROXY),
        (1, "1" * 100_000, PROXY),
        (1, "garbage", PROXY),
        (1, "unknown", PROXY),
        (1, "203.0.113.9, not-an-address", PROXY),
        (1, "999.0.113.9", PROXY),
        (1, "203.0.113.9;", PROXY),
        (1, "203.0.113.9\x00", PROXY),
        (1, "２０３.０.１１３.９", PROXY),  # full-width digits are not an address
        (1, "203.0.113.9:5678", "203.0.113.9"),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "[2001:db8::1", "2001:db8::1"),
        (1, "::ffff:203.0.113.9", "203.0.113.9"),
        (1, "fe80::1%eth0", "fe80::1%eth0"),
        (2, "203.0.113.9, garbage", "203.0.113.9"),  # the proxies' own entries are not read
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, headers=headers)
    assert client_address(request) == expected


@pytest.mark.parametrize("remote", ["", "garbage", "::FFFF:192.0.2.1", "[::1]"])
def test_client_address_without_proxies_is_the_connections(remote):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    expected = {"::FFFF:192.0.2.1": "192.0.2.1", "[::1]": "::1"}.get(remote, "")
    assert client_address(request) == expected


def test_address_key_groups_an_ipv6_64_and_keeps_ipv4_whole():
    def key(address):
        return address_key(RequestFactory().get("/", REMOTE_ADDR=address))

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:abcd::9") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:2::1") != key("2001:db8:1:3::1")
    assert key("192.0.2.1") != key("192.0.2.2")


def test_proxy_count_must_not_be_negative():
    import os

    from tests import fresh_python

    result = fresh_python.run(
        ["-c", "import django; django.setup()"],
        env={
            **os.environ,
            "TRUSTED_PROXY_COUNT": "-1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        cwd=os.getcwd(),
        timeout=60,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_request_log_names_the_client_behind_the_proxy(client, caplog):
    logger = logging.getLogger("cuesheet.request")
    logger.addHandler(caplog.handler)
    try:
        client.get(
            "/healthz", REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": "6.6.6.6, 2001:db8::7"}
        )
    finally:
        logger.removeHandler(caplog.handler)
    [line] = [json.loads(record.getMessage()) for record in caplog.records]
    assert line["client"] == "2001:db8::7"
