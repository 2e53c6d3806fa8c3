"""The measurements: data prepared, fixtures timed, every URL driven by wrk in interleaved
rounds, and the same pages timed in-process; for the head and every compared commit."""

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path

from bench.commits import remove_worktree, step_database, worktree
from bench.environment import (
    PAGES_BY_QUERIES,
    PAGES_CACHED,
    REDIS_SCRATCH,
    VAR,
    code,
    commit_env,
    django_env,
    fresh_postgres_database,
    manage,
    probe,
    psql,
    redis_flush,
    say,
)
from bench.servers import Server, fetch


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


def cache_url(spec, slot):
    """Each server with the page cache on gets a Redis database of its own, emptied: for
    PostgreSQL 10, 11, ...; for SQLite 3, 4, ... With the page cache off, REDIS_SCRATCH."""
    db = spec["redis_db"] + slot
    redis_flush(db)
    return spec["cache"].rsplit("/", 1)[0] + f"/{db}"


def measure(name, spec, urls, pages, options, nginx, compared=()):
    """Start every server this database is measured on and drive them all, interleaved; then
    time the same pages in-process, which is steadier on a shared machine. ``compared``: the
    base and steps (bench.commits.plan), each served from its own worktree and database copy."""
    with contextlib.ExitStack() as stack:
        steps = []
        # Copies first: PostgreSQL copies a database only while nobody is connected to it.
        for index, step in enumerate(compared):
            try:
                tree = worktree(step["revision"])
                stack.callback(remove_worktree, tree)
                url = step_database(name, spec, index, tree, code())
                manage(commit_env(url), "collectstatic", "--noinput", cwd=tree)
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
            env = commit_env(url, cache_url(spec, next(slots)), page_cache=600)
            server = stack.enter_context(Server(f"{name} {step['label']} cached", env, cwd=tree))
            prime(server, urls, PAGES_CACHED)
            plan += [
                ((step["label"], "cached", page), server.url + urls[page]) for page in PAGES_CACHED
            ]

        best = run_rounds(plan, options)

        say(f"{name}: timing the pages in-process")
        inprocess = {
            "now": in_process(spec, spec["url"], urls, [*pages, "floor"], pages, django_env)
        }
        for step, tree, url in steps:
            inprocess[step["label"]] = in_process(
                spec, url, urls, PAGES_BY_QUERIES, PAGES_CACHED, commit_env, cwd=tree
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


def in_process(spec, database_url, urls, uncached, cached, make_env, cwd=None):
    """Milliseconds per request, page cache off and on (in the database's cache), by page,
    under ``make_env`` (django_env for the head, commit_env for a compared commit)."""
    result = {}
    for mode, timeout, pages in (("uncached", 0, uncached), ("cached", 600, cached)):
        if pages:
            cache = cache_url(spec, 0) if timeout else REDIS_SCRATCH
            env = make_env(database_url, cache, page_cache=timeout)
            times = probe(env, "time", *(urls[page] for page in pages), cwd=cwd)
            result[mode] = {page: times[urls[page]] for page in pages}
    return result


def time_admin(spec, urls):
    """Milliseconds per request for each admin page (``urls``: page → URL), logged in as an
    editor, in-process: the admin is never cached, and wrk has no session to log in with."""
    times = probe(django_env(spec["url"]), "time-admin", *urls.values())
    return {page: times[url] for page, url in urls.items()}


def without_persistent_connections(url):
    base, _, query = url.partition("?")
    kept = "&".join(part for part in query.split("&") if not part.startswith("conn_max_age="))
    return f"{base}?{kept}" if kept else base
