#!/usr/bin/env python
"""`make bench`: load-test every page type of the production-like server and write
docs/benchmarks.md.

Not a test: it measures. In one run, on SQLite and on PostgreSQL (with Redis as the cache):

1. a database of generated content (``generate_content``: 10,000 reviews, kept between runs in
   var/bench/ and in the PostgreSQL database ``cuesheet_bench``), plus the Tron fixtures;
2. queries per page and per admin changelist, on the Tron fixtures alone and at full size, and
   how long ``loaddata tron`` takes into an empty database (``bench/probe.py``);
3. gunicorn with 2 workers under ``bench.settings`` (production's, plus the floor's URL),
   driven by wrk on loopback
   for every page type, with the page cache off (``PAGE_CACHE_TIMEOUT=0``) and on; the admin
   pages (the change page of a film with 200 cues) timed in-process, logged in;
4. a floor, a one-query Django view returning the review page's bytes (``bench/floor.py``),
   and a ceiling, the same bytes as a static file from nginx (``bench/nginx.conf``);
5. the same pages as served by the base commit (``--base``, and any ``--step``), checked out in
   git worktrees, against a copy of the database migrated back to their schema, so that the
   head and what it is compared with are measured in the same run, on the same data.
6. instructions per request under callgrind for the review, film, album and person pages, as
   ratios to the floor (``bench/instructions.py``, which also runs alone: repeatable within
   1% whatever the machine's load, where requests per second are not);
7. review bodies rendered from plain prose and from hostile Markdown at 10 KB and 100 KB,
   in milliseconds per KB (``bench/markdown.py``, which also runs alone).

wrk, nginx and the load share the machine's cores with the server: the numbers are for
comparing pages and changes with each other on this machine, not for capacity planning.

The code: environment.py (paths, databases, the commands run), commits.py (which commits are
compared, their worktrees and databases), servers.py (gunicorn, nginx), load.py (the
measurements), report.py (docs/benchmarks.md); probe.py and markdown.py run as their own
processes. Run as ``make bench`` or ``.venv/bin/python bench/run.py --help``.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# Run as a script, bench/ would be first on the path (and its markdown.py would shadow the
# package of that name): put the checkout there instead, so that ``bench`` is a package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import commits  # noqa: E402
from bench import markdown as bench_markdown  # noqa: E402
from bench.environment import (  # noqa: E402
    BASE,
    DATABASES,
    PAGES,
    VAR,
    code,
    django_env,
    ensure_tools,
    machine,
    manage,
    measure_code,
    probe,
    say,
)
from bench.load import measure, measure_fixtures, prepare, time_admin  # noqa: E402
from bench.report import update_instructions, write_report  # noqa: E402
from bench.servers import Nginx  # noqa: E402

MAX_STEPS = 4  # Redis databases: one per compared commit's cached server (11 to 15, 4 to 8).


def arguments():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="make bench BASE=<rev> HEAD=<rev> passes --base and --head.",
    )
    parser.add_argument(
        "--head",
        "--revision",
        metavar="REV",
        help="The commit measured (checked out in a worktree). Default: the working tree.",
    )
    parser.add_argument(
        "--base",
        metavar="REV",
        help="The commit it is compared with, in the same run; 'none' for no comparison. "
        "Default: the merge-base of the head with the current branch's upstream when that is "
        "an earlier commit, otherwise the head's parent (HEAD~1, or REV~1 with --head REV).",
    )
    parser.add_argument(
        "--step",
        action="append",
        default=[],
        metavar="REV[=LABEL]",
        help=f"Also measure this commit, as a column between base and head (up to {MAX_STEPS}).",
    )
    parser.add_argument(
        "--no-steps", action="store_true", help="Compare with nothing: the same as --base none."
    )
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
    parser.add_argument("--output", default=str(BASE / "docs" / "benchmarks.md"))
    parser.add_argument("--json", default=str(VAR / "results.json"))
    parser.add_argument(
        "--instructions-only",
        action="store_true",
        help="Measure only instructions per request under callgrind (bench/instructions.py) "
        "and write the document again with them and the rest of the --json of an earlier run.",
    )
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="Leave out the instructions per request (some minutes under callgrind).",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="Measure nothing: write the document again from the --json of an earlier run "
        "(after editing bench/notes.md, say).",
    )
    options = parser.parse_args()
    if len(options.step) > MAX_STEPS:
        parser.error(f"at most {MAX_STEPS} --step")
    if options.no_steps:
        options.base, options.step = "none", []
    return options


def measure_instructions():
    """bench/instructions.py as its own process (it starts one under valgrind)."""
    say("instructions per request under callgrind (bench/instructions.py, a few minutes)")
    out = VAR / "instructions.json"
    subprocess.run(
        [sys.executable, str(BASE / "bench" / "instructions.py"), "--json", str(out)],
        cwd=code(),
        check=True,
    )
    return json.loads(out.read_text())


def main():
    options = arguments()
    if options.report_only:
        report = json.loads(Path(options.json).read_text())
        vars(options).update(report.get("options", {}))
        write_report(Path(options.output), report, options)
        say(f"wrote {options.output} from {options.json}")
        return
    if options.instructions_only:
        path = Path(options.json)
        result = measure_instructions()
        if path.exists():
            report = json.loads(path.read_text())
            vars(options).update(report.get("options", {}))
            report["instructions"] = result
            path.write_text(json.dumps(report, indent=2))
            write_report(Path(options.output), report, options)
        else:  # No earlier run to write the whole document from: this section alone.
            update_instructions(Path(options.output), result)
        say(f"wrote {options.output} with instructions per request")
        return
    pages = [page for page in options.pages.split(",") if page]
    started = time.monotonic()
    # Resolved before anything is checked out: a bad revision stops the run at once.
    compared = commits.plan(options.base, options.head, options.step)
    if options.head:
        measure_code(commits.worktree(commits.resolve(options.head)))

    ensure_tools()
    (VAR / "logs").mkdir(parents=True, exist_ok=True)
    (VAR / "www").mkdir(parents=True, exist_ok=True)
    os.chmod(VAR / "www", 0o755)
    revision = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=code(), capture_output=True, text=True
    ).stdout.strip()
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "reviews": options.reviews,
        "options": {
            key: getattr(options, key)
            for key in ("threads", "connections", "duration", "warmup", "rounds")
        },
        "revision": revision,
        "head_label": f"head {revision}",
        "compared": compared,
        "databases": {},
    }
    say(f"measuring {revision}" + "".join(f", against {step['label']}" for step in compared))

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
            db.update(measure(name, spec, urls, pages, options, nginx, compared))
            admin = probe(env, "admin-urls", "gen")
            db["admin"] = {"urls": admin, "ms": time_admin(spec, admin)}
    if not options.no_instructions:
        report["instructions"] = measure_instructions()
    say("markdown: render time per KB of hostile input (bench/markdown.py)")
    report["markdown"] = bench_markdown.measure()
    report["machine"]["load average at end"] = " ".join(
        Path("/proc/loadavg").read_text().split()[:3]
    )

    if options.head:
        commits.remove_worktree(code())
    report["minutes"] = (time.monotonic() - started) / 60
    Path(options.json).write_text(json.dumps(report, indent=2))
    Path(options.output).parent.mkdir(parents=True, exist_ok=True)
    write_report(Path(options.output), report, options)
    say(f"wrote {options.output} in {report['minutes']:.1f} minutes")


if __name__ == "__main__":
    main()
