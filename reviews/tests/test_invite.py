"""Inviting a writer: one form, a login with its byline and role, and a link to set a password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from editorial.tests.factories import EditorFactory, UserFactory
from reviews.models import Author
from reviews.tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
INVITE = "/admin/reviews/author/invite/"


@pytest.fixture
def writers():
    return Group.objects.get(name="Writers")


def invitation(role, **changes):
    data = {
        "username": "nadia",
        "first_name": "Nadia",
        "last_name": "Okafor",
        "email": "nadia@example.com",
        "byline": "",
        "group": role.pk,
        "is_staff": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def link_in(text):
    return re.search(r"http://\S+/set-password/\S+/\S+/", text)[0]


def test_the_invite_page_is_one_form(editor_client, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = editor_client.get(INVITE)
    page = response.content.decode()
    for name in ("username", "first_name", "last_name", "email", "byline", "group", "is_staff"):
        assert f'name="{name}"' in page
    assert "Writers" in page
    assert "Editors" in page


def test_the_user_list_offers_the_invitation(editor_client):
    page = editor_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert f'href="{INVITE}"' in page


def test_a_superuser_invites_a_writer_who_sets_a_password_and_logs_in(
    client, editor_client, writers, settings
):
    response = editor_client.post(INVITE, invitation(writers))
    assert response.status_code == 200
    user = User.objects.get(username="nadia")
    assert user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.all()) == [writers]
    assert user.author.name == "Nadia Okafor"
    assert user.author.slug == "nadia-okafor"

    # The link is on the page and in the e-mail, on the site's address.
    page = response.content.decode()
    link = link_in(page)
    assert link.startswith(settings.SITE_URL)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nadia@example.com"]
    assert link in mail.outbox[0].body

    # The invited follow it (no session of theirs), set a password and log in.
    path = link.removeprefix(settings.SITE_URL)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    assert 'name="new_password1"' in form.content.decode()
    new_password = "a long and new passphrase 91"
    done = client.post(
        set_url, {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("admin:reviews_author_set_password_done")
    assert f'href="{reverse("admin:login")}"' in done.content.decode()
    client.post(reverse("admin:login"), {"username": "nadia", "password": new_password})
    assert client.get("/admin/").status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)

    # The link works once.
    client.logout()
    again = client.get(path, follow=True).content.decode()
    assert 'name="new_password1"' not in again


def test_a_byline_no_login_holds_is_given_to_the_new_login(editor_client, writers):
    house = AuthorFactory(name="N. Okafor", slug="n-okafor")
    editor_client.post(INVITE, invitation(writers, byline="n. okafor"))
    house.refresh_from_db()
    assert house.user.username == "nadia"
    assert Author.objects.filter(name__iexact="n. okafor").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "EDITOR"}, "username", "A login with this name already exists."),
        ({"username": ""}, "username", "This field is required."),
        ({"username": "x" * 10_000}, "username", "Ensure this value has at most"),
        ({"username": "no spaces!"}, "username", "Enter a valid username"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "EDITOR@example.com"}, "email", "Another login already uses this"),
        ({"group": "999999"}, "group", "Select a valid choice."),
        ({"group": "abc"}, "group", "Select a valid choice."),
        ({"group": "9" * 40}, "group", "Select a valid choice."),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"byline": "!!!"}, "byline", "A byline needs letters or digits."),
    ],
)
def test_bad_input_is_a_form_error_and_makes_nothing(
    editor_client, writers, changes, field, message
):
    response = editor_client.post(INVITE, invitation(writers, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not User.objects.filter(email="nadia@example.com").exists()
    assert not mail.outbox


def test_a_group_outside_the_editorial_roles_is_refused(editor_client):
    admins = Group.objects.create(name="Administrators")
    response = editor_client.post(INVITE, invitation(admins))
    assert "group" in response.context["form"].errors
    assert not User.objects.filter(username="nadia").exists()


def test_a_byline_another_login_holds_is_refused(editor_client, writers):
    AuthorFactory(name="Nadia Okafor", user=UserFactory())
    response = editor_client.post(INVITE, invitation(writers))
    assert "belongs to another login" in " ".join(response.context["form"].errors["byline"])
    assert not User.objects.filter(username="nadia").exists()


@pytest.fixture
def inviter(client):
    """Not a superuser, but may add users and bylines."""
    user = EditorFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_user"))
    client.force_login(user)
    return user


def test_a_non_superuser_who_may_add_users_cannot_give_staff_access(client, inviter, writers):
    assert client.post(INVITE, invitation(writers)).status_code == 403
    assert not User.objects.filter(username="nadia").exists()
    # Without the flag, the invitation goes ahead: the account waits for staff access.
    response = client.post(INVITE, invitation(writers, is_staff=None))
    assert response.status_code == 200
    assert not User.objects.get(username="nadia").is_staff


def test_an_editor_who_may_not_add_users_gets_403(client, writers):
    client.force_login(EditorFactory())
    assert client.get(INVITE).status_code == 403
    assert client.post(INVITE, invitation(writers)).status_code == 403
    assert not User.objects.filter(username="nadia").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, writers):
    response = client.post(INVITE, invitation(writers))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reviews/author/set-password/abc/def/",
        "/admin/reviews/author/set-password/" + "A" * 5000 + "/x-y/",
        "/admin/reviews/author/set-password/MQ/set-password/",
    ],
)
def test_a_bad_set_password_link_says_so(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert 'name="new_password1"' not in response.content.decode()
