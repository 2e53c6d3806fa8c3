import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def run_ensure_demo_editor(*args):
    out = io.StringIO()
    call_command("ensure_demo_editor", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    # pytest-django runs tests with DEBUG off; the command is meant for development settings.
    settings.DEBUG = True


@pytest.mark.django_db
@pytest.mark.usefixtures("debug_on")
class TestEnsureDemoEditor:
    def test_creates_a_superuser_and_prints_the_login(self, monkeypatch):
        monkeypatch.delenv("DEMO_EDITOR_PASSWORD", raising=False)

        output = run_ensure_demo_editor()

        user = get_user_model().objects.get(username="editor")
        assert user.is_active
        assert user.is_staff
        assert user.is_superuser
        assert user.check_password("cuesheet-editor")
        assert "Created" in output
        assert "editor / cuesheet-editor" in output

    def test_second_run_updates_the_same_account(self, monkeypatch):
        monkeypatch.delenv("DEMO_EDITOR_PASSWORD", raising=False)
        run_ensure_demo_editor()
        user = get_user_model().objects.get(username="editor")
        user.is_staff = False
        user.set_password("forgotten")
        user.save()

        output = run_ensure_demo_editor()

        assert get_user_model().objects.filter(username="editor").count() == 1
        user.refresh_from_db()
        assert user.is_staff
        assert user.check_password("cuesheet-editor")
        assert "Updated" in output

    def test_password_comes_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("DEMO_EDITOR_PASSWORD", "a-local-secret")

        output = run_ensure_demo_editor("--username", "desk")

        assert get_user_model().objects.get(username="desk").check_password("a-local-secret")
        assert "desk / a-local-secret" in output


@pytest.mark.django_db
def test_ensure_demo_editor_refuses_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        run_ensure_demo_editor()

    assert not get_user_model().objects.exists()
