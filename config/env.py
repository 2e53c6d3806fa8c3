"""Read settings from the environment: the few parsers settings need, nothing more.

A dependency such as dj-database-url would do the same; these few lines cover the two
URL schemes Cuesheet supports (sqlite, postgres) and say clearly what is wrong otherwise.
The checks production makes of what it reads (a site URL, a cache every worker shares) are here
too, so that config/gunicorn.py can make them with the number of workers it actually starts.
"""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in TRUE:
        return True
    if value.strip().lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_database_url(url, base_dir: Path):
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///db.sqlite3 is relative to the project; sqlite:////abs/path is absolute.
        name = path[1:] if path.startswith("/") and not path.startswith("//") else path[1:]
        if not name or name == ":memory:":
            name = ":memory:"
        elif not Path(name).is_absolute():
            name = str(base_dir / name)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": options}
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 0)),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:/// or postgres://."
    )


def parse_cache_url(url):
    """``locmem://`` (default), ``redis://host:port/db`` or ``dummy://`` as a CACHES entry."""
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "cuesheet",
        }
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL scheme {parts.scheme!r} is not supported; use locmem://, redis:// or dummy://."
    )


def parse_site_url(url):
    """``SITE_URL`` as ``scheme://host[:port]``: what every absolute URL the site emits starts with.

    Only the root of a site: a path, query, fragment or credentials are refused, since the URL
    patterns are served from ``/``. A trailing slash is dropped and the host lowercased. A host
    may be a name (``cuesheet.example``, an intranet's ``cuesheet``), an IPv4 or an IPv6 address.
    """
    problem = ImproperlyConfigured(
        f"SITE_URL={url!r} is not the absolute http(s) address of the site's root, "
        "such as https://cuesheet.example."
    )
    if not _PRINTABLE.fullmatch(url):
        raise problem
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not one)
    except ValueError:
        raise problem from None
    host = parts.hostname or ""
    if (
        parts.scheme not in {"http", "https"}
        or not (_HOST_NAME.fullmatch(host) or _is_ip_address(host))
        or parts.netloc.endswith(":")
        or "@" in parts.netloc
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or url.endswith(("?", "#"))
    ):
        raise problem
    return f"{parts.scheme}://{parts.netloc.lower()}"


_PRINTABLE = re.compile(r"[!-~]+")
_HOST_NAME = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*", re.IGNORECASE)


def _is_ip_address(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def web_concurrency():
    """How many gunicorn workers serve (config/gunicorn.py): ``WEB_CONCURRENCY``, 2 by default."""
    return env_int("WEB_CONCURRENCY", 2)


def require_shared_cache(cache, processes):
    """Refuse a cache that ``processes`` serving processes would not share.

    The page cache is invalidated by a version number in the cache, and login throttling
    (logins.forms) counts failures there: with a cache per process, an edit or a withdrawal reaches
    the pages of one worker while the others keep serving the old page, and each worker counts
    failed logins of its own. A cache that stores nothing never throttles a login at all.
    """
    backend = cache["BACKEND"]
    shared = "CACHE_URL=redis://host:6379/0 (one Redis that every worker and server shares)"
    if backend == "django.core.cache.backends.dummy.DummyCache":
        raise ImproperlyConfigured(
            f"CACHE_URL=dummy:// stores nothing: login throttling could never lock an account. "
            f"Set {shared}."
        )
    if backend == "django.core.cache.backends.locmem.LocMemCache" and processes > 1:
        raise ImproperlyConfigured(
            f"CACHE_URL=locmem:// is a cache per process, and {processes} worker processes "
            "would serve: an edit or a withdrawal would reach the cached pages of one of them "
            "while the others kept serving the old page. "
            f"Set {shared}, or WEB_CONCURRENCY=1 for a single process."
        )
