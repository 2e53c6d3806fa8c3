"""A login that is right but has no staff access is told why it cannot enter, and only then."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from editorial.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NOT_STAFF = "This account can’t use the editors’ admin: ask an editor to give it staff access."
INVALID = "Please enter the correct username and password"
LOCKED = "Too many failed logins"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 20
    settings.LOGIN_FAILURE_WINDOW = 900
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reader():
    return UserFactory(username="reader", is_staff=False)


def login(client, username, password=PASSWORD):
    response = client.post(reverse("admin:login"), {"username": username, "password": password})
    return response.content.decode(), "_auth_user_id" in client.session


def test_a_non_staff_login_with_the_right_password_is_told_to_ask_for_staff_access(client, reader):
    page, logged_in = login(client, "reader")
    assert not logged_in
    assert NOT_STAFF in page
    assert INVALID not in page


def test_a_wrong_password_for_a_non_staff_account_says_only_that_it_is_wrong(client, reader):
    page, logged_in = login(client, "reader", "wrong")
    assert not logged_in
    assert INVALID in page
    assert NOT_STAFF not in page


def test_a_name_that_is_no_account_reads_as_a_wrong_password(client, reader):
    page, _ = login(client, "nobody")
    assert INVALID in page
    assert NOT_STAFF not in page


def test_an_inactive_account_is_not_told_it_exists(client):
    UserFactory(username="gone", is_staff=True, is_active=False)
    page, logged_in = login(client, "gone")
    assert not logged_in
    assert INVALID in page
    assert NOT_STAFF not in page


def test_refused_non_staff_logins_count_against_the_throttle(client, reader, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert NOT_STAFF in login(client, "reader")[0]
    page, logged_in = login(client, "reader")
    assert not logged_in
    assert LOCKED in page
    assert NOT_STAFF not in page


def test_staff_logs_in(client):
    UserFactory(username="writer", is_staff=True)
    assert login(client, "writer")[1]
