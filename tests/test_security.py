import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from editorial.tests.factories import UserFactory
from tests import fresh_python

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k8#Vq2!mZr7@Lp4$Wx9^Tn3&Hb6*Jd1(Fs5)Gc0-Ye8+Ua2=Ro7"


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return fresh_python.run(["manage.py", *args], cwd=ROOT, env=environment, timeout=120)


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="cuesheet.example",
        SITE_URL="https://cuesheet.example",
        CACHE_URL="redis://127.0.0.1:6379/5",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("secret", [None, "", "django-insecure-cuesheet-development-only", "short"])
def test_production_settings_refuse_a_missing_or_development_secret_key(secret):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings_production"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_debug_on():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=STRONG_KEY,
        DEBUG="1",
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/admin/login/"])
def test_security_headers_on_responses(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    # The nonce appears only when a page used it.
    assert re.search(r"script-src 'self'( 'nonce-[\w+/=-]+')?;", csp)
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_pages_carry_the_policy_for_a_logged_in_editor(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert re.search(
        r"script-src 'self'( 'nonce-[\w+/=-]+')?;", response.headers["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(client):
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        response = client.get("/healthz", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_unreachable(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=900)
def test_admin_login_is_throttled_after_repeated_failures(client):
    cache.clear()
    UserFactory(username="ed", is_staff=True)
    url = reverse("admin:login")
    for _ in range(3):
        response = client.post(url, {"username": "ed", "password": "wrong"})
        assert "Please enter the correct username and password" in response.content.decode()

    response = client.post(url, {"username": "ed", "password": "correct horse battery"})

    assert response.status_code == 200
    assert "Too many failed logins. Wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()


@pytest.mark.django_db
def test_admin_login_succeeds_below_the_limit(client):
    cache.clear()
    UserFactory(username="ed", is_staff=True)
    url = reverse("admin:login")
    client.post(url, {"username": "ed", "password": "wrong"})
    response = client.post(url, {"username": "ed", "password": "correct horse battery"})
    assert response.status_code == 302
    cache.clear()


@pytest.mark.parametrize(("serve_media", "status"), [("1", 200), ("0", 404)])
def test_production_settings_serve_local_media_only_when_asked(tmp_path, serve_media, status):
    (tmp_path / "posters").mkdir()
    (tmp_path / "posters" / "tron.webp").write_bytes(b"RIFF....WEBP")
    # Production pages need collected static files (the 404 page names hashed assets).
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from django.test import Client;"
        "print(Client().get('/media/posters/tron.webp', secure=True).status_code)"
    )
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="testserver",
        SITE_URL="http://testserver",
        WEB_CONCURRENCY="1",  # one process: its local-memory cache is not shared with another
        MEDIA_ROOT=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        SERVE_MEDIA=serve_media,
        PAGE_CACHE_TIMEOUT="0",  # no database here: the page cache would ask for schedules
    )
    result = fresh_python.run(["-c", script], cwd=ROOT, env=environment, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == str(status), result.stderr


def test_secret_key_fallbacks_come_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.SECRET_KEY_FALLBACKS)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment["SECRET_KEY_FALLBACKS"] = "old-key-one, old-key-two,"
    result = fresh_python.run(["-c", script], cwd=ROOT, env=environment)
    assert result.stdout.strip() == "['old-key-one', 'old-key-two']", result.stderr
