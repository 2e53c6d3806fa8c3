"""Settings read from the environment: config/env.py's parsers and the production guard."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list, parse_database_url

BASE_DIR = Path("/srv/cuesheet")


class TestParseDatabaseUrl:
    def test_sqlite_relative_path_is_relative_to_the_project(self):
        db = parse_database_url("sqlite:///db.sqlite3", BASE_DIR)

        assert db["ENGINE"] == "django.db.backends.sqlite3"
        assert db["NAME"] == "/srv/cuesheet/db.sqlite3"

    def test_sqlite_absolute_path_takes_four_slashes(self):
        db = parse_database_url("sqlite:////var/lib/cuesheet/db.sqlite3", BASE_DIR)

        assert db["NAME"] == "/var/lib/cuesheet/db.sqlite3"

    @pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
    def test_sqlite_without_a_path_is_in_memory(self, url):
        assert parse_database_url(url, BASE_DIR)["NAME"] == ":memory:"

    def test_postgres_with_user_password_host_and_port(self):
        db = parse_database_url(
            "postgres://cuesheet:s%40cret@db.example.com:6543/cuesheet?sslmode=require",
            BASE_DIR,
        )

        assert db == {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "cuesheet",
            "USER": "cuesheet",
            "PASSWORD": "s@cret",
            "HOST": "db.example.com",
            "PORT": "6543",
            "CONN_MAX_AGE": 0,
            "OPTIONS": {"sslmode": "require"},
        }

    def test_postgres_conn_max_age_is_a_setting_not_a_driver_option(self):
        db = parse_database_url(
            "postgresql://postgres@127.0.0.1/cuesheet?conn_max_age=60", BASE_DIR
        )

        assert db["CONN_MAX_AGE"] == 60
        assert db["OPTIONS"] == {}
        assert db["PORT"] == ""
        assert db["PASSWORD"] == ""

    @pytest.mark.parametrize("url", ["mysql://root@localhost/cuesheet", "db.sqlite3"])
    def test_unsupported_scheme_is_refused(self, url):
        with pytest.raises(ImproperlyConfigured, match="not supported"):
            parse_database_url(url, BASE_DIR)


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on", " ON "])
    def test_true_words(self, monkeypatch, value):
        monkeypatch.setenv("CUESHEET_FLAG", value)
        assert env_bool("CUESHEET_FLAG") is True

    @pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
    def test_false_words(self, monkeypatch, value):
        monkeypatch.setenv("CUESHEET_FLAG", value)
        assert env_bool("CUESHEET_FLAG", default=True) is False

    def test_unset_gives_the_default(self, monkeypatch):
        monkeypatch.delenv("CUESHEET_FLAG", raising=False)
        assert env_bool("CUESHEET_FLAG", default=True) is True

    def test_garbage_is_an_error_not_a_guess(self, monkeypatch):
        monkeypatch.setenv("CUESHEET_FLAG", "maybe")
        with pytest.raises(ImproperlyConfigured, match="CUESHEET_FLAG='maybe' is not a boolean"):
            env_bool("CUESHEET_FLAG")


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("CUESHEET_HOSTS", "cuesheet.example, www.cuesheet.example,,")
    assert env_list("CUESHEET_HOSTS") == ["cuesheet.example", "www.cuesheet.example"]


def import_settings(**env):
    """Import config.settings in a fresh interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_the_development_secret_key():
    result = import_settings(DEBUG="0")

    assert result.returncode != 0
    assert "Set SECRET_KEY: the development key is refused when DEBUG is off." in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = import_settings(DEBUG="0", SECRET_KEY="a-long-random-production-secret")

    assert result.returncode == 0, result.stderr


def test_garbage_debug_stops_the_settings_with_a_readable_message():
    result = import_settings(DEBUG="sometimes")

    assert result.returncode != 0
    assert "DEBUG='sometimes' is not a boolean" in result.stderr
