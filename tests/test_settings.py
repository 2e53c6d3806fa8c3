"""Settings read from the environment: config/env.py's parsers and the production guard."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_list,
    parse_cache_url,
    parse_database_url,
    parse_site_url,
    require_shared_cache,
)
from tests import fresh_python

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


def import_settings(module="config.settings", **env):
    """Import a settings module in a fresh interpreter with the given environment."""
    unset = {"SECRET_KEY", "DEBUG", "SITE_URL", "CACHE_URL", "WEB_CONCURRENCY"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(DJANGO_SETTINGS_MODULE=module, **env)
    return fresh_python.run(
        ["-c", "import django; django.setup()"], cwd=settings.BASE_DIR, env=clean, timeout=60
    )


def test_a_check_starts_unconfigured_with_only_the_environment_it_is_given():
    """What the checks below rely on: each runs as a new interpreter would, and ends as one."""
    assert os.environ["DJANGO_SETTINGS_MODULE"]  # this process's, which the check must not see
    result = fresh_python.run(
        [
            "-c",
            "import os, sys; from django.conf import settings;"
            "print(settings.configured, os.getcwd(), os.environ.get('CUESHEET_PROBE'),"
            "  os.environ.get('DJANGO_SETTINGS_MODULE'),"
            "  sorted({m.split('.')[0] for m in sys.modules}"
            "  & {'config', 'films', 'reviews', 'soundtracks', 'editorial', 'pytest'}));"
            "print('to stderr', file=sys.stderr); sys.exit(3)",
        ],
        cwd=settings.BASE_DIR / "config",
        env={"PATH": os.environ["PATH"], "CUESHEET_PROBE": "given"},
    )

    assert result.returncode == 3
    assert result.stdout == f"False {settings.BASE_DIR / 'config'} given None []\n"
    assert result.stderr == "to stderr\n"
    assert "ZeroDivisionError" in fresh_python.run(["-c", "1 / 0"], cwd="/", env={}).stderr
    assert fresh_python.run(["-c", "1 / 0"], cwd="/", env={}).returncode == 1


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


class TestParseSiteUrl:
    @pytest.mark.parametrize(
        ("url", "parsed"),
        [
            ("https://cuesheet.example", "https://cuesheet.example"),
            ("https://Cuesheet.Example/", "https://cuesheet.example"),
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
            ("http://[::1]:8000/", "http://[::1]:8000"),
            ("http://cuesheet:8080", "http://cuesheet:8080"),
        ],
    )
    def test_the_root_of_a_site_is_taken_without_its_trailing_slash(self, url, parsed):
        assert parse_site_url(url) == parsed

    @pytest.mark.parametrize(
        "url",
        [
            "",
            " ",
            "cuesheet.example",
            "//cuesheet.example",
            "ftp://cuesheet.example",
            "javascript:alert(1)",
            "https://",
            "https:///reviews/",
            "https://cuesheet.example/blog",
            "https://cuesheet.example/?utm_source=x",
            "https://cuesheet.example?",
            "https://cuesheet.example/#top",
            "https://editor:secret@cuesheet.example",
            "https://cuesheet.example:",
            "https://cuesheet.example:99999",
            "https://cuesheet.example:http",
            "https://[::1",
            "https://cues heet.example",
            "https://cuesheet.example ",
            "https://cuesheet.example\n",
            "https://cuesheet.example\x00",
            "https://-cuesheet.example",
            "https://cue_sheet.example",
            "https://cuesheet..example",
            "https://cuesheet.éxample",
            "https://" + "a" * 64 + ".example",
        ],
    )
    def test_anything_else_is_refused_with_the_value_named(self, url):
        with pytest.raises(ImproperlyConfigured, match="is not the absolute http"):
            parse_site_url(url)


class TestRequireSharedCache:
    @pytest.mark.parametrize("workers", [2, 3, 16])
    def test_a_cache_per_process_is_refused_for_several_workers(self, workers):
        with pytest.raises(ImproperlyConfigured, match=f"locmem:// .* {workers} worker") as error:
            require_shared_cache(parse_cache_url("locmem://"), workers)
        assert "CACHE_URL=redis://" in str(error.value)

    def test_a_cache_per_process_is_accepted_for_one_process(self):
        require_shared_cache(parse_cache_url("locmem://"), 1)

    @pytest.mark.parametrize("workers", [1, 2, 16])
    def test_a_cache_that_stores_nothing_is_refused_since_logins_are_throttled_in_it(self, workers):
        with pytest.raises(ImproperlyConfigured, match="dummy:// .*login throttling"):
            require_shared_cache(parse_cache_url("dummy://"), workers)

    @pytest.mark.parametrize("workers", [1, 2, 16])
    def test_redis_is_shared_by_any_number_of_workers(self, workers):
        require_shared_cache(parse_cache_url("redis://127.0.0.1:6379/5"), workers)


PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-of-more-than-fifty-characters-0123",
    "SITE_URL": "https://cuesheet.example",
    "CACHE_URL": "redis://127.0.0.1:6379/5",
}


def import_production_settings(**env):
    return import_settings("config.settings_production", **(PRODUCTION | env))


def test_production_starts_with_a_site_url_and_a_shared_cache():
    result = import_production_settings()

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_site_url():
    environment = {key: value for key, value in PRODUCTION.items() if key != "SITE_URL"}
    result = import_settings("config.settings_production", **environment)

    assert result.returncode != 0
    assert "Set SITE_URL to the site's public address" in result.stderr


@pytest.mark.parametrize("url", ["", "cuesheet.example", "https://cuesheet.example/blog"])
def test_production_refuses_a_site_url_that_is_not_one(url):
    result = import_production_settings(SITE_URL=url)

    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CACHE_URL": "locmem://"}, "CACHE_URL=locmem:// is a cache per process, and 2 worker"),
        (
            {"CACHE_URL": "locmem://", "WEB_CONCURRENCY": "4"},
            "CACHE_URL=locmem:// is a cache per process, and 4 worker",
        ),
        ({"CACHE_URL": "dummy://", "WEB_CONCURRENCY": "1"}, "CACHE_URL=dummy:// stores nothing"),
    ],
)
def test_production_refuses_a_cache_its_workers_would_not_share(env, message):
    result = import_production_settings(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_takes_local_memory_for_a_single_process():
    result = import_production_settings(CACHE_URL="locmem://", WEB_CONCURRENCY="1")

    assert result.returncode == 0, result.stderr
