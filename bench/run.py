#!/usr/bin/env python
"""`make bench`: load-test every page type of the production-like server and write
docs/benchmarks.md.

Not a test: it measures. In one run, on SQLite and on PostgreSQL (with Redis as the cache):

1. a database of generated content (``generate_content``: 10,000 reviews, kept between runs in
   var/bench/ and in the PostgreSQL database ``cuesheet_bench``), plus the Tron fixtures;
2. queries per page and per admin changelist, on the Tron fixtures alone and at full size, and
   how long ``loaddata tron`` takes into an empty database (``bench/probe.py``);
3. gunicorn with 2 workers under ``config.settings_production``, driven by wrk on loopback
   for every page type, with the page cache off (``PAGE_CACHE_TIMEOUT=0``) and on;
4. a floor, a one-query Django view returning the review page's bytes (``bench/floor.py``),
   and a ceiling, the same bytes as a static file from nginx (``bench/nginx.conf``);
5. the pages as served before each optimisation (``STEPS``: older commits checked out in git
   worktrees, against a copy of the database migrated back to their schema), so that what
   each change bought is measured in the same run, on the same data.
6. review bodies rendered from plain prose and from hostile Markdown at 10 KB and 100 KB,
   in milliseconds per KB (``bench/markdown.py``, which also runs alone).

wrk, nginx and the load share the machine's cores with the server: the numbers are for
comparing pages and changes with each other on this machine, not for capacity planning.
"""

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VAR = BASE / "var" / "bench"
# The code measured: this checkout, or a commit checked out for --revision.
CODE = BASE
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PAGES = ("home", "review", "film", "soundtrack", "person", "franchise", "archive", "search", "feed")
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
# Older commits (STEPS) have no bench.settings, nor a floor: they run under production's.
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


# The optimisations, oldest first: each is measured against the state before it, in this run.
# A step names the commit that completed it; "before" is the commit just before the first.
# ``analyze``: whether the database had planner statistics then (generate_content runs ANALYZE
# since ba41f60; before, a SQLite copy gets its statistics deleted).
PAGES_BY_QUERIES = ("review", "film", "soundtrack", "search")
STEPS = (
    {
        "label": "before",
        "revision": "30605bf",
        "analyze": False,
        "uncached": PAGES_BY_QUERIES,
        "cached": ("review", "feed"),
    },
    {
        "label": "+ indexes, ANALYZE",
        "revision": "ba41f60",
        "analyze": True,
        "uncached": PAGES_BY_QUERIES,
        "cached": (),
    },
    {
        "label": "+ bodiless listings, EXISTS",
        "revision": "731458f",
        "analyze": True,
        "uncached": PAGES_BY_QUERIES,
        "cached": (),
    },
    {
        "label": "+ page cache first",
        "revision": "dce9df6",
        "analyze": True,
        "uncached": (),
        "cached": ("review", "feed"),
    },
    {
        "label": "+ feed in one piece",
        "revision": "e9c83dd",
        "analyze": True,
        "uncached": ("feed",),
        "cached": ("review", "feed"),
    },
    # Then 10d8ee3, one cache round trip for a hit, and "now". (dd52784 tried threaded workers
    # with keep-alive; they went back to sync, see config/gunicorn.py.)
)


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
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
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


def manage(env, *args, cwd=None, quiet=True):
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=cwd or CODE,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=None,
    )


def probe(env, *args, cwd=None):
    """bench/probe.py (this one, whichever checkout it measures) under ``env``, in ``cwd``."""
    result = subprocess.run(
        [PYTHON, str(BASE / "bench" / "probe.py"), *args],
        cwd=cwd or CODE,
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


# Data -----------------------------------------------------------------------------------------


def prepare(name, spec, reviews):
    """Migrate, generate (unless the right amount is there already) and load the fixtures."""
    env = django_env(spec["url"])
    if name == "PostgreSQL" and not psql(
        "SELECT 1 FROM pg_database WHERE datname = 'cuesheet_bench'"
    ):
        psql('CREATE DATABASE "cuesheet_bench"')
    say(f"{name}: migrating")
    manage(env, "migrate", "--noinput")
    status = probe(env, "status")
    if status["generated_reviews"] != reviews:
        say(f"{name}: generating {reviews} reviews (a minute or two)")
        started = time.monotonic()
        manage(
            env,
            "generate_content",
            "--replace",
            f"--scale={reviews / 10_000}",
            quiet=False,
        )
        generated = time.monotonic() - started
    else:
        say(f"{name}: reusing the {reviews} generated reviews already there")
        generated = None
    manage(env, "loaddata", "tron", "--verbosity=0")
    return env, generated


def measure_fixtures(name, spec):
    """``loaddata tron`` into an empty database, in-process and as a command; queries per page
    on the Tron fixtures alone, then with a tiny generated publication beside them."""
    timings = {}
    for how in ("in-process", "command"):
        if name == "PostgreSQL":
            fresh_postgres_database("cuesheet_bench_tron")
        else:
            Path(VAR / "tron.sqlite3").unlink(missing_ok=True)
        env = django_env(spec["tron_url"])
        manage(env, "migrate", "--noinput")
        if how == "in-process":
            timings[how] = probe(env, "loaddata")["seconds"]
        else:
            started = time.perf_counter()
            manage(env, "loaddata", "tron", "--verbosity=0")
            timings[how] = time.perf_counter() - started
    tron = probe(env, "queries", "tron")
    manage(env, "generate_content", "--reviews=40", "--films=12", "--albums=9", "--no-progress")
    return timings, tron, probe(env, "queries", "gen")


# Load -----------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


class Server:
    """gunicorn as `make serve` runs it (config/gunicorn.py), on a free loopback port."""

    def __init__(self, label, env, cwd=None):
        self.label, self.env, self.cwd = label, env, cwd or CODE
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        log = open(VAR / "logs" / f"{re.sub(r'\W+', '-', self.label)}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [GUNICORN, "--config", str(self.cwd / "config" / "gunicorn.py"), "config.wsgi"],
            cwd=self.cwd,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = fetch(self.url + "/healthz")
                if status == 200 and json.loads(body)["status"] == "ok":
                    return self
            except (urllib.error.URLError, ConnectionError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()  # __exit__ is not called when __enter__ raises.
                raise SystemExit(f"{self.label}: the server did not start; see {log.name}")
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Nginx:
    def __init__(self, root):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.prefix = VAR / "nginx"
        self.prefix.mkdir(parents=True, exist_ok=True)
        config = (BASE / "bench" / "nginx.conf").read_text()
        self.config = self.prefix / "nginx.conf"
        self.config.write_text(
            config.format(prefix=self.prefix, port=self.port, root=root, workers=2)
        )

    def __enter__(self):
        nginx = shutil.which("nginx", path=_sbin_path())
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                fetch(self.url + "/review.html")
                return self
            except urllib.error.HTTPError:
                return self
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise SystemExit("nginx did not start; see var/bench/nginx/error.log") from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(20)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, options, warmup=True):
    status, _ = fetch(url)
    if status != 200:
        raise SystemExit(f"{url} answered {status}")
    base = ["wrk", f"-t{options.threads}", f"-c{options.connections}", "--latency"]
    if warmup and options.warmup:
        subprocess.run([*base, f"-d{options.warmup}s", url], check=True, capture_output=True)
    output = subprocess.run(
        [*base, f"-d{options.duration}s", url], check=True, capture_output=True, text=True
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)", output)
    result["errors"] = (f"{errors.group(1)} non-2xx " if errors else "") + (
        sockets.group(1) if sockets else ""
    )
    return result


def run_rounds(plan, options):
    """Measure every (key, url) of the plan in turn, ``options.rounds`` times, alternating the
    order; keep each one's best round. Interleaving puts every page next to the pages it is
    compared with, so that other work on the machine weighs on all of them alike."""
    best = {}
    for round_ in range(options.rounds):
        for key, url in plan if round_ % 2 == 0 else reversed(plan):
            result = wrk(url, options, warmup=round_ == 0)
            say(
                f"{' '.join(key):<52} {result['rps']:>8.0f} req/s  p50 {result['p50']:7.2f} ms"
                f"  p99 {result['p99']:7.2f} ms"
                + (f"  ({result['errors']})" if result["errors"] else "")
            )
            if key not in best or result["rps"] > best[key]["rps"]:
                best[key] = result
    return best


def prime(server, urls, pages):
    """Fill the page cache: a few requests per page reach both workers."""
    for page in pages:
        for _ in range(6):
            fetch(server.url + urls[page])


def worktree(revision):
    """The commit checked out under var/bench/trees/."""
    tree = VAR / "trees" / revision
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(tree)], cwd=BASE, capture_output=True
    )
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), revision],
        cwd=BASE,
        check=True,
        capture_output=True,
    )
    return tree


def remove_worktree(tree):
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(tree)], cwd=BASE, capture_output=True
    )


def leaf_migrations(tree):
    """The newest migration of each content app in a checkout: the schema it expects."""
    leaves = {}
    for app in ("films", "soundtracks", "reviews"):
        names = sorted(path.stem for path in (tree / app / "migrations").glob("[0-9]*.py"))
        leaves[app] = names[-1]
    return leaves


def step_database(name, spec, step, index, tree):
    """A copy of the benchmark database, migrated back to what ``tree`` expects."""
    if name == "PostgreSQL":
        copy = f"cuesheet_bench_step{index}"
        psql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{copy}" TEMPLATE "cuesheet_bench"')
        url = spec["url"].replace("/cuesheet_bench", f"/{copy}")
    else:
        copy = VAR / f"step{index}.sqlite3"
        shutil.copy(VAR / "cuesheet.sqlite3", copy)
        url = f"sqlite:///{copy}"
    env = django_env(url, DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS)
    # Back to the step's schema, with this checkout's migrations (which know how to undo theirs).
    for app, leaf in leaf_migrations(tree).items():
        manage(env, "migrate", app, leaf, "--noinput")
    if name == "SQLite" and not step["analyze"]:
        import sqlite3

        with sqlite3.connect(copy) as connection:
            connection.execute("DELETE FROM sqlite_stat1")
    return url


def cache_url(spec, slot):
    """Each server with the page cache on gets a Redis database of its own, emptied: for
    PostgreSQL 10, 11, ...; for SQLite 3, 4, ... With the page cache off, REDIS_SCRATCH."""
    db = spec["redis_db"] + slot
    redis_flush(db)
    return spec["cache"].rsplit("/", 1)[0] + f"/{db}"


def measure(name, spec, urls, pages, options, nginx):
    """Start every server this database is measured on and drive them all, interleaved; then
    time the same pages in-process, which is steadier on a shared machine."""
    with contextlib.ExitStack() as stack:
        steps = []
        if not options.no_steps:
            # Copies first: PostgreSQL copies a database only while nobody is connected to it.
            for index, step in enumerate(STEPS):
                try:
                    tree = worktree(step["revision"])
                    stack.callback(remove_worktree, tree)
                    url = step_database(name, spec, step, index, tree)
                    manage(
                        django_env(url, DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS),
                        "collectstatic",
                        "--noinput",
                        cwd=tree,
                    )
                    steps.append((step, tree, url))
                except subprocess.CalledProcessError as error:
                    say(f"{name} {step['label']}: skipped ({error})")

        plan = []
        env = django_env(spec["url"], page_cache=0)
        server = stack.enter_context(Server(f"{name} uncached", env))
        # The floor and the ceiling serve these bytes.
        saved = VAR / "www" / "review.html"
        saved.write_bytes(fetch(server.url + urls["review"])[1])
        os.chmod(saved, 0o644)
        plan += [(("now", "uncached", page), server.url + urls[page]) for page in pages]
        plan.append((("now", "uncached", "floor"), server.url + urls["floor"]))
        env = django_env(spec["url"], cache_url(spec, 0), page_cache=600)
        server = stack.enter_context(Server(f"{name} cached", env))
        prime(server, urls, pages)
        plan += [(("now", "cached", page), server.url + urls[page]) for page in pages]
        plan.append((("now", "cached", "ceiling"), nginx.url + "/review.html"))

        if "conn_max_age" in spec["url"]:
            # What persistent connections buy: the same code, connecting for every request.
            env = django_env(without_persistent_connections(spec["url"]), page_cache=0)
            server = stack.enter_context(Server(f"{name} uncached, new connections", env))
            plan += [
                (("variant", "uncached", page), server.url + urls[page])
                for page in ("review", "floor")
            ]

        # Earlier commits: cached pages through their servers (the server's share of a hit is
        # most of it); uncached pages only in-process below, where CPU time is what differs.
        slots = iter(range(1, 6))  # Redis databases 11 to 15
        for step, tree, url in steps:
            if step["cached"]:
                env = django_env(
                    url,
                    cache_url(spec, next(slots)),
                    page_cache=600,
                    DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
                )
                server = stack.enter_context(
                    Server(f"{name} {step['label']} cached", env, cwd=tree)
                )
                prime(server, urls, step["cached"])
                plan += [
                    ((step["label"], "cached", page), server.url + urls[page])
                    for page in step["cached"]
                ]

        best = run_rounds(plan, options)

        say(f"{name}: timing the pages in-process")
        inprocess = {"now": in_process(spec, spec["url"], urls, [*pages, "floor"], pages)}
        for step, tree, url in steps:
            inprocess[step["label"]] = in_process(
                spec,
                url,
                urls,
                step["uncached"],
                step["cached"],
                cwd=tree,
                DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
            )

    results = {"steps": {}, "inprocess": inprocess}
    for (label, mode, page), result in best.items():
        if label == "now":
            results.setdefault(mode, {})[page] = result
        elif label == "variant":
            results.setdefault("new_connections", {})[page] = result
        else:
            results["steps"].setdefault(label, {}).setdefault(mode, {})[page] = result
    results["ceiling"] = results["cached"].pop("ceiling")
    return results


def in_process(spec, database_url, urls, uncached, cached, cwd=None, **extra):
    """Milliseconds per request, page cache off and on (in the database's cache), by page."""
    result = {}
    for mode, timeout, pages in (("uncached", 0, uncached), ("cached", 600, cached)):
        if pages:
            cache = cache_url(spec, 0) if timeout else REDIS_SCRATCH
            env = django_env(database_url, cache, page_cache=timeout, **extra)
            times = probe(env, "time", *(urls[page] for page in pages), cwd=cwd)
            result[mode] = {page: times[urls[page]] for page in pages}
    return result


def without_persistent_connections(url):
    base, _, query = url.partition("?")
    kept = "&".join(part for part in query.split("&") if not part.startswith("conn_max_age="))
    return f"{base}?{kept}" if kept else base


# The report -----------------------------------------------------------------------------------


def ratio(value, reference):
    return f"{value / reference:.2f}×" if reference else "—"


def table(results, queries, floor, ceiling, inprocess=None):
    head = "| page | req/s | p50 ms | p99 ms | queries | × floor | × ceiling | ms in-process |"
    rule = "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    lines = [head, rule]
    for page, result in results.items():
        ms = (inprocess or {}).get(page)
        line = (
            f"| {PAGE_LABELS[page]} | {result['rps']:.0f} | {result['p50']:.2f} | "
            f"{result['p99']:.2f} | {queries.get(page, '—')} | {ratio(result['rps'], floor)} | "
            f"{ratio(result['rps'], ceiling)} | {f'{ms:.2f}' if ms else '—'} |"
        )
        lines.append(line)
    return "\n".join(lines)


def steps_section(report):
    """Each page before each optimisation and now, measured in this run."""
    out = []
    labels = [step["label"] for step in STEPS]
    for name, db in report["databases"].items():
        inprocess = db.get("inprocess", {})
        if len(inprocess) < 2:
            continue
        rows = sorted(
            {
                (mode, page)
                for step in STEPS
                for mode in ("uncached", "cached")
                for page in step[mode]
            },
            key=lambda row: (row[0] == "cached", PAGES.index(row[1])),
        )
        out += [
            f"### {name}: milliseconds per request, in-process, before each change and now",
            "",
            "| page | " + " | ".join(labels) + " | now | before ÷ now |",
            "| --- |" + " ---: |" * (len(labels) + 2),
        ]
        for mode, page in rows:
            cells = [inprocess.get(label, {}).get(mode, {}).get(page) for label in labels]
            now = inprocess["now"][mode][page]
            first = next((cell for cell in cells if cell), None)
            out.append(
                f"| {PAGE_LABELS[page]}, {mode} | "
                + " | ".join(f"{cell:.2f}" if cell else "—" for cell in cells)
                + f" | {now:.2f} | {ratio(first, now) if first else '—'} |"
            )
        served = [(label, db["steps"].get(label, {}).get("cached", {})) for label in labels]
        served = [(label, results) for label, results in served if results]
        if served:
            pages = sorted({page for _, results in served for page in results}, key=PAGES.index)
            out += [
                "",
                f"{name}, cached pages through gunicorn, requests per second (wrk):",
                "",
                "| page | " + " | ".join(label for label, _ in served) + " | now | now ÷ first |",
                "| --- |" + " ---: |" * (len(served) + 2),
            ]
            for page in pages:
                cells = [results.get(page, {}).get("rps") for _, results in served]
                now = db["cached"][page]["rps"]
                first = next((cell for cell in cells if cell), None)
                out.append(
                    f"| {PAGE_LABELS[page]} | "
                    + " | ".join(f"{cell:.0f}" if cell else "—" for cell in cells)
                    + f" | {now:.0f} | {ratio(now, first) if first else '—'} |"
                )
        out.append("")
    if out:
        out = [
            "## What each change bought",
            "",
            "Each column is the site as of a commit (bench/run.py `STEPS`; the label says what "
            "that commit added to the one before), run against a copy of the same database "
            "migrated back to that commit's schema, in this run. The first table is CPU per "
            "request in-process (best of 7 batches of 10), which other work on the machine "
            "disturbs far less than throughput; the second drives the cached pages through each "
            "commit's own server. *Now* also holds everything else committed since, by everyone.",
            "",
            *out,
        ]
    return out


def short(function):
    """A profiled function's name without the path to site-packages or the checkout."""
    return function.split("site-packages/")[-1].lstrip("./")


def verdict(met):
    return "**met**" if met else "**not met**"


def write_report(path, report, options):
    m = report["machine"]
    out = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (bench/run.py) on {report['date']}, measuring "
        f"`{report['revision']}`; do not edit by hand — the narrative at the end comes from "
        "bench/notes.md.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in m.items()),
        "",
        "## Method",
        "",
        f"- Data: `generate_content` at {report['reviews']:,} reviews "
        f"({report['reviews'] // 5:,} films, {report['reviews'] * 3 // 20:,} albums of about "
        "20 tracks, notes, tags, people, franchises) plus the Tron fixtures.",
        "- Server: `make serve`'s stack — gunicorn (config/gunicorn.py: 2 sync workers), "
        "`config.settings_production`, whitenoise, the request log on. PostgreSQL with "
        "persistent connections and `random_page_cost=1.1` (see the notes at the end).",
        f"- Load: `wrk -t{options.threads} -c{options.connections} -d{options.duration}s "
        f"--latency` on loopback, one URL at a time after a {options.warmup} s warm-up; every "
        f"URL of a database (pages, floor, ceiling, earlier commits) in turn, {options.rounds} "
        "rounds in alternating order, the best round kept: load from elsewhere on the machine "
        "then weighs on the pages and their references alike. wrk shares the cores with the "
        "server.",
        "- *Uncached*: `PAGE_CACHE_TIMEOUT=0`. *Cached*: the page cache on, primed; "
        "local memory (per worker) for SQLite, Redis for PostgreSQL.",
        "- *Floor*: `bench/floor.py`, one query and the review page's bytes through the same "
        "middleware and server. *Ceiling*: the same bytes as a static file from nginx "
        "(bench/nginx.conf, 2 workers, keep-alive).",
        "- *Queries*: counted in-process (bench/probe.py) with the page cache off; search "
        "counted with `q=a`, which finds reviews, films, people and tracks at any size (the "
        "load uses a rarer word, `q=labyrinth`).",
        "",
    ]
    target_lines = []
    for name, db in report["databases"].items():
        ceiling = db["ceiling"]["rps"]
        floor = db["uncached"]["floor"]["rps"]
        review_uncached = db["uncached"]["review"]["rps"]
        review_cached = db["cached"]["review"]["rps"]
        times = db["inprocess"]["now"]["uncached"]
        target_lines += [
            f"| {name}: review page uncached ≥ 0.8× floor | "
            f"{ratio(review_uncached, floor)} (in-process: "
            f"{ratio(times['floor'], times['review'])}) | "
            f"{verdict(review_uncached >= 0.8 * floor)} |",
            f"| {name}: review page cached ≥ 0.10× ceiling | "
            f"{ratio(review_cached, ceiling)} | {verdict(review_cached >= 0.10 * ceiling)} |",
        ]
        small_pages = db["small_queries"]["pages"]
        gen_pages = db["queries"]["pages"]
        same = all(small_pages[page] == gen_pages[page] for page in PAGES)
        differing = ", ".join(
            f"{page} {small_pages[page]} → {gen_pages[page]}"
            for page in PAGES
            if small_pages[page] != gen_pages[page]
        )
        tron_pages = db["tron_queries"]["pages"]
        tron_differs = ", ".join(
            f"{page} {tron_pages[page]}" for page in PAGES if tron_pages[page] != gen_pages[page]
        )
        target_lines.append(
            f"| {name}: queries per page the same at 40 and at {report['reviews']:,} generated "
            f"reviews | {'all equal' if same else differing}; the Tron pages "
            + (f"differ by shape: {tron_differs} (see the notes)" if tron_differs else "too")
            + f" | {verdict(same)} |"
        )
        small_lists = db["small_queries"]["changelists"]
        gen_lists = db["queries"]["changelists"]
        fixed = all(small_lists[m]["queries"] == gen_lists[m]["queries"] for m in gen_lists)
        biggest = max(entry["rows"] for entry in gen_lists.values())
        target_lines.append(
            f"| {name}: every admin changelist a fixed number of queries (up to {biggest:,} "
            f"rows) | {'all equal' if fixed else 'see below'} | {verdict(fixed)} |"
        )
        loaddata = db["loaddata"]["in-process"]
        target_lines.append(
            f"| {name}: `loaddata tron` under 2 s | {loaddata:.2f} s in-process, "
            f"{db['loaddata']['command']:.2f} s as a command | {verdict(loaddata < 2)} |"
        )
    out += ["## Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    out += target_lines
    out.append("")

    for name, db in report["databases"].items():
        floor = db["uncached"]["floor"]["rps"]
        ceiling = db["ceiling"]["rps"]
        out += [f"## {name}", "", f"Cache: {db['cache']}."]
        if db.get("generated_seconds"):
            out.append(
                f"`generate_content` took {db['generated_seconds']:.0f} s in this run "
                "(including the Django start-up)."
            )
        for mode in ("uncached", "cached"):
            results = dict(db[mode])
            if mode == "cached":
                results["floor"] = db["uncached"]["floor"]
            results["ceiling"] = db["ceiling"]
            out += [
                "",
                f"### {name}, {mode}",
                "",
                table(
                    results,
                    db["queries"]["pages"],
                    floor,
                    ceiling,
                    db["inprocess"]["now"].get(mode),
                ),
            ]
        if "new_connections" in db:
            fresh = db["new_connections"]
            out += [
                "",
                f"### {name}, uncached, a new connection for every request",
                "",
                "The same server without `conn_max_age`:",
                "",
                table(fresh, db["queries"]["pages"], floor, ceiling),
            ]
        out += ["", "### Queries per page", ""]
        out += [
            "The Tron pages, and the same page types for generated objects of the richest "
            "shape (most tags, credits, tracks, notes...) at 40 and at "
            f"{report['reviews']:,} reviews.",
            "",
            f"| page | Tron fixtures | 40 generated reviews | {report['reviews']:,} |",
            "| --- | ---: | ---: | ---: |",
        ]
        for page in PAGES:
            out.append(
                f"| {PAGE_LABELS[page]} | {db['tron_queries']['pages'][page]} | "
                f"{db['small_queries']['pages'][page]} | {db['queries']['pages'][page]} |"
            )
        out += ["", "### Admin changelists", ""]
        out += [
            f"| changelist | queries, Tron + 40 generated | rows | queries, {report['reviews']:,} "
            "| rows |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for label, entry in db["queries"]["changelists"].items():
            small = db["small_queries"]["changelists"].get(label, {})
            out.append(
                f"| {label} | {small.get('queries', '—')} | {small.get('rows', 0):,} | "
                f"{entry['queries']} | {entry['rows']:,} |"
            )
        out.append("")

    out += ["## Where the review page's time goes", ""]
    for name, db in report["databases"].items():
        prof = db["profile"]
        out += [
            f"{name}, uncached, in-process (`bench/probe.py profile`, cProfile; parts nest, so "
            "they do not add up):",
            "",
            "| part | ms per request |",
            "| --- | ---: |",
            *(f"| {part} | {ms:.2f} |" for part, ms in prof["ms_per_request"].items()),
            "",
            "Most own time:",
            "",
            "| function | ms per request |",
            "| --- | ---: |",
            *(
                f"| `{short(row['function'])}` | {row['ms_per_request']:.2f} |"
                for row in prof["top_own_time"][:10]
            ),
            "",
        ]
    out += steps_section(report)
    if "markdown" in report:
        out += bench_markdown().section(report["markdown"])
    notes = BASE / "bench" / "notes.md"
    if notes.exists():
        out += [notes.read_text().strip(), ""]
    path.write_text("\n".join(out))


def bench_markdown():
    """bench/markdown.py, loaded by path: as ``markdown`` it would shadow the package's name."""
    spec = importlib.util.spec_from_file_location("bench_markdown", BASE / "bench" / "markdown.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The run --------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument(
        "--duration", type=int, default=3, help="Seconds measured per URL and round."
    )
    parser.add_argument("--rounds", type=int, default=2, help="Rounds; the best one counts.")
    parser.add_argument("--warmup", type=int, default=1, help="Seconds of warm-up per URL.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="Which of SQLite,PostgreSQL."
    )
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument(
        "--no-steps",
        action="store_true",
        help="Skip measuring the pages as they were before each optimisation.",
    )
    parser.add_argument(
        "--revision",
        metavar="REV",
        help="Measure this commit (checked out in a worktree) instead of the working tree.",
    )
    parser.add_argument("--output", default=str(BASE / "docs" / "benchmarks.md"))
    parser.add_argument("--json", default=str(VAR / "results.json"))
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="Measure nothing: write the document again from the --json of an earlier run "
        "(after editing bench/notes.md, say).",
    )
    options = parser.parse_args()
    if options.report_only:
        report = json.loads(Path(options.json).read_text())
        vars(options).update(report.get("options", {}))
        write_report(Path(options.output), report, options)
        say(f"wrote {options.output} from {options.json}")
        return
    pages = [page for page in options.pages.split(",") if page]
    started = time.monotonic()
    global CODE
    if options.revision:
        CODE = worktree(options.revision)

    ensure_tools()
    (VAR / "logs").mkdir(parents=True, exist_ok=True)
    (VAR / "www").mkdir(parents=True, exist_ok=True)
    os.chmod(VAR / "www", 0o755)
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "reviews": options.reviews,
        "options": {
            key: getattr(options, key)
            for key in ("threads", "connections", "duration", "warmup", "rounds")
        },
        "revision": subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=CODE,
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "databases": {},
    }
    say("collecting static files")
    manage(django_env(DATABASES["SQLite"]["url"]), "collectstatic", "--noinput")
    saved = VAR / "www" / "review.html"
    if not saved.exists():
        saved.write_text("The review page's bytes go here.\n")
    os.chmod(saved, 0o644)
    with Nginx(VAR / "www") as nginx:
        for name in options.databases.split(","):
            spec = DATABASES[name]
            env, generated = prepare(name, spec, options.reviews)
            say(f"{name}: loaddata timing and query counts")
            loaddata, tron_queries, small_queries = measure_fixtures(name, spec)
            db = report["databases"][name] = {
                "cache": spec["cache_label"],
                "generated_seconds": generated,
                "loaddata": loaddata,
                "tron_queries": tron_queries,
                "small_queries": small_queries,
                "queries": probe(env, "queries", "gen"),
            }
            urls = probe(env, "urls", "gen")
            urls["floor"] = f"/bench/floor/{urls['review'].rstrip('/').rsplit('/', 1)[1]}/"
            db["urls"] = urls
            db["profile"] = probe(env, "profile", urls["review"], "200")
            db.update(measure(name, spec, urls, pages, options, nginx))
    say("markdown: render time per KB of hostile input (bench/markdown.py)")
    report["markdown"] = bench_markdown().measure()
    report["machine"]["load average at end"] = " ".join(
        Path("/proc/loadavg").read_text().split()[:3]
    )

    if options.revision:
        remove_worktree(CODE)
    report["minutes"] = (time.monotonic() - started) / 60
    Path(options.json).write_text(json.dumps(report, indent=2))
    Path(options.output).parent.mkdir(parents=True, exist_ok=True)
    write_report(Path(options.output), report, options)
    say(f"wrote {options.output} in {report['minutes']:.1f} minutes")


if __name__ == "__main__":
    main()
