"""Real servers for the tests that run the production stack: gunicorn, `make serve`'s Varnish.

Used by tests/test_cache_workers.py (two gunicorn workers) and tests/test_front_cache.py (Varnish
in front of two gunicorns, through config/serve.py). Every wait is bounded: a server that does
not come up or answer fails the test, never hangs it.
"""

import gzip
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 120
REQUEST_TIMEOUT = 10


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp, port, cache_url, **extra):
    """What `make serve` exports, with a database, static files and a cache of the test's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "PYTEST_"))
        and key
        not in {
            "DATABASE_URL",
            "CACHE_URL",
            "SECRET_KEY",
            "DEBUG",
            "WEB_CONCURRENCY",
            "FRONT_CACHE_URLS",
            "TRUSTED_PROXY_COUNT",
            "APP_SERVERS",
            "APP_PORTS",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=secrets.token_urlsafe(64),
        SITE_URL=f"http://127.0.0.1:{port}",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp / 'cuesheet.sqlite3'}",
        CACHE_URL=cache_url,
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        PAGE_CACHE_TIMEOUT="600",
        WEB_CONCURRENCY="2",
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def django(env, code):
    """Run ``code`` with Django set up, in a process of its own with ``env``; its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def prepare_site(env, admin=False, then=""):
    """Migrate, load the Tron demo content and collect the static files: the public pages'
    only unless ``admin`` (the admin's take a few seconds more to compress). ``then``: more
    code to run in the same process; its output is returned."""
    ignore = [] if admin else ["admin"]
    return django(
        env,
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('loaddata', 'tron', verbosity=0)\n"
        f"call_command('collectstatic', interactive=False, verbosity=0, ignore_patterns={ignore})\n"
        f"{then}",
    )


def gunicorn(env, *args):
    return subprocess.Popen(
        [str(GUNICORN), "--config", "config/gunicorn.py", *args, "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the finalizer stops it and its workers
    )


def stop(server, timeout=20):
    """SIGTERM ``server``'s process group, SIGKILL it if it lingers; its ``(stdout, stderr)``."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    return server.communicate(timeout=10)


def request(port, path, method="GET", headers=None, body=None, source=None):
    """One request on a fresh connection: ``(status, headers, body)``, header names lowercased.

    ``source`` is the local address to send from (``127.0.0.2``: another client on loopback).
    """
    connection = http.client.HTTPConnection(
        "127.0.0.1",
        port,
        timeout=REQUEST_TIMEOUT,
        source_address=(source, 0) if source else None,
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return (
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


def get(port, path, headers=None):
    return request(port, path, headers=headers)


def text(status_headers_body):
    """The body of a response, gunzipped if it came gzipped."""
    _, headers, body = status_headers_body
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return body


def wait_until(check, timeout=START_TIMEOUT, interval=0.1, message="in time"):
    """Call ``check()`` until it returns something true; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, f"not {message} ({timeout} s)"
        time.sleep(interval)
