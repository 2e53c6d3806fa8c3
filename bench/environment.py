"""Where the bench runs: paths, the databases and caches it uses, and the commands it runs
(manage.py, bench/probe.py, psql, redis-cli) under a production-like environment."""

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VAR = BASE / "var" / "bench"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PAGES = (
    "home",
    "review",
    "film",
    "soundtrack",
    "person",
    "franchise",
    "archive",
    "search",
    "feed",
    "music",
    "theme",
)
PAGE_LABELS = {
    "home": "home",
    "review": "review",
    "film": "film",
    "soundtrack": "soundtrack",
    "person": "person",
    "franchise": "franchise",
    "archive": "archive (page 50)",
    "search": "search",
    "feed": "feed (RSS)",
    "music": "film's music (200 cues)",
    "theme": "theme",
    "film admin": "film admin, change (200 cues)",
    "floor": "**floor** (1 query, same bytes)",
    "ceiling": "**ceiling** (nginx, static file)",
}
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-tAq"]
# Production refuses a cache per worker (config.env.require_shared_cache), so both runs use
# Redis: the SQLite run databases 3 to 8, the PostgreSQL run 10 to 15, each flushed before use;
# servers with the page cache off share database 9, where only login throttling writes.
REDIS_DB = 10
REDIS_SCRATCH = "redis://127.0.0.1:6379/9"
# Absolute URLs come from SITE_URL (never the Host header); production requires one.
SITE_URL = "http://127.0.0.1:8000"
# The bench's settings: production's with the floor routed (bench/settings.py, bench/urls.py).
BENCH_SETTINGS = "bench.settings"
# A base commit (or one older than bench/settings.py) runs under production's, with no floor.
PRODUCTION_SETTINGS = "config.settings_production"
DATABASES = {
    "SQLite": {
        "url": f"sqlite:///{VAR}/cuesheet.sqlite3",
        "tron_url": f"sqlite:///{VAR}/tron.sqlite3",
        "cache": "redis://127.0.0.1:6379/3",
        "redis_db": 3,
        "cache_label": "Redis (127.0.0.1:6379, db 3)",
    },
    "PostgreSQL": {
        # Persistent connections, as production should have them: a new connection costs
        # PostgreSQL 3-6 ms here (measured without them too, below).
        # And random_page_cost for SSDs (1.1, not 4): the planner then takes the search's
        # trigram indexes over a scan that detoasts every body (6 ms instead of 400).
        "url": "postgres://postgres@127.0.0.1:5432/cuesheet_bench"
        "?conn_max_age=60&options=-c%20random_page_cost%3D1.1",
        "tron_url": "postgres://postgres@127.0.0.1:5432/cuesheet_bench_tron",
        "cache": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "redis_db": REDIS_DB,
        "cache_label": f"Redis (127.0.0.1:6379, db {REDIS_DB})",
    },
}


# Admin pages: never cached, staff only; queries counted and timed in-process, logged in.
ADMIN_PAGES = ("film admin",)

# The pages every compared commit is timed on, in-process (uncached) and through its own
# server (cached).
PAGES_BY_QUERIES = ("review", "film", "soundtrack", "search")
PAGES_CACHED = ("review", "feed")

# The code measured as the head: this checkout, or a commit checked out for --head.
_code = [BASE]


def code():
    return _code[0]


def measure_code(tree):
    _code[0] = tree


def head_settings():
    """bench.settings where the head has it; else production's with the switch older commits
    read in config/urls.py to route the floor."""
    if (code() / "bench" / "settings.py").exists():
        return {"DJANGO_SETTINGS_MODULE": BENCH_SETTINGS}
    return {"DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS, "BENCH_FLOOR": "1"}


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The environment ------------------------------------------------------------------------------


def ensure_tools():
    missing = [tool for tool in ("wrk", "nginx") if not shutil.which(tool, path=_sbin_path())]
    if missing:
        say(f"installing {', '.join(missing)} from Debian's packages")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def _sbin_path():
    return os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def secret_key():
    """The one `make serve` made in var/secret_key, or a new one there."""
    path = BASE / "var" / "secret_key"
    if not path.exists() or not path.read_text().strip():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64) + "\n")
    return path.read_text().strip()


def django_env(database_url, cache_url=REDIS_SCRATCH, page_cache=0, **extra):
    """The environment of a server or command: the head's settings unless ``extra`` says."""
    env = dict(os.environ)
    env.update(
        **head_settings(),
        SECRET_KEY=secret_key(),
        # Plain http on loopback, as `make serve` (see the Makefile).
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        SITE_URL=SITE_URL,
        PAGE_CACHE_TIMEOUT=str(page_cache),
        BENCH_FLOOR_PAGE=str(VAR / "www" / "review.html"),
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def commit_env(database_url, cache_url=REDIS_SCRATCH, page_cache=0):
    """The environment of a compared commit (the base, a --step): production's settings, which
    every commit has, and no floor (only the head's is measured)."""
    return django_env(
        database_url,
        cache_url,
        page_cache,
        DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
        BENCH_FLOOR="0",
    )


def manage(env, *args, cwd=None, quiet=True):
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=cwd or code(),
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=None,
    )


def probe(env, *args, cwd=None):
    """bench/probe.py (this one, whichever checkout it measures) under ``env``, in ``cwd``."""
    result = subprocess.run(
        [PYTHON, str(BASE / "bench" / "probe.py"), *args],
        cwd=cwd or code(),
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def psql(sql, database="postgres"):
    return subprocess.run(
        [*PSQL, "-d", database, "-c", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def fresh_postgres_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def redis_flush(database):
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-n", str(database), "FLUSHDB"],
        check=True,
        capture_output=True,
    )


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    os_name = platform.platform()
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    import django

    def version(*command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except FileNotFoundError:
            return "not found"

    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{kib / 1024 / 1024:.1f} GiB",
        "OS": f"{os_name}, kernel {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": psql("SHOW server_version"),
        "SQLite": __import__("sqlite3").sqlite_version,
        "Redis": version("redis-server", "--version").split(" sha=")[0],
        "gunicorn": version(GUNICORN, "--version"),
        "nginx": subprocess.run(
            ["nginx", "-v"], capture_output=True, text=True, env={"PATH": _sbin_path()}
        ).stderr.strip(),
        "wrk": version("wrk", "--version").splitlines()[0] if shutil.which("wrk") else "?",
        "load average at start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }
