"""docs/benchmarks.md, written from the results of a run (or of an earlier one's JSON)."""

from bench import markdown as bench_markdown
from bench.environment import (
    ADMIN_PAGES,
    BASE,
    PAGE_LABELS,
    PAGES,
    PAGES_BY_QUERIES,
    PAGES_CACHED,
)


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
    """Each page as of each compared commit (the base, any steps) and at the head, this run."""
    out = []
    labels = [step["label"] for step in report.get("compared", [])]
    head = report.get("head_label", "head")
    rows = [("uncached", page) for page in PAGES_BY_QUERIES]
    rows += [("cached", page) for page in PAGES_CACHED]
    for name, db in report["databases"].items():
        inprocess = db.get("inprocess", {})
        if not labels or len(inprocess) < 2:
            continue
        out += [
            f"### {name}: milliseconds per request, in-process, base and head",
            "",
            "| page | " + " | ".join(labels) + f" | {head} | base ÷ head |",
            "| --- |" + " ---: |" * (len(labels) + 2),
        ]
        for mode, page in rows:
            cells = [inprocess.get(label, {}).get(mode, {}).get(page) for label in labels]
            now = inprocess["now"].get(mode, {}).get(page)
            if now is None:
                continue
            first = next((cell for cell in cells if cell), None)
            out.append(
                f"| {PAGE_LABELS[page]}, {mode} | "
                + " | ".join(f"{cell:.2f}" if cell else "—" for cell in cells)
                + f" | {now:.2f} | {ratio(first, now) if first else '—'} |"
            )
        served = [(label, db["steps"].get(label, {}).get("cached", {})) for label in labels]
        served = [(label, results) for label, results in served if results]
        if served:
            out += [
                "",
                f"{name}, cached pages through gunicorn, requests per second (wrk):",
                "",
                "| page | "
                + " | ".join(label for label, _ in served)
                + f" | {head} | head ÷ base |",
                "| --- |" + " ---: |" * (len(served) + 2),
            ]
            for page in PAGES_CACHED:
                if page not in db["cached"]:
                    continue
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
            "## Base and head",
            "",
            "Each column is the site as of a commit given to the run (`make bench BASE=<rev> "
            "HEAD=<rev>`, and any `--step`), run against a copy of the same database migrated "
            "back to that commit's schema, in this run. The first table is CPU per request "
            "in-process (best of 7 batches of 10), which other work on the machine disturbs far "
            "less than throughput; the second drives the cached pages through each commit's own "
            "server.",
            "",
            *out,
        ]
    return out


def short(function):
    """A profiled function's name without the path to site-packages or the checkout."""
    return function.split("site-packages/")[-1].lstrip("./")


def verdict(met):
    return "**met**" if met else "**not met**"


HOW_TO_RUN = (
    "## Running it",
    "",
    "`make bench BASE=<rev> HEAD=<rev>` measures the commit `HEAD` (default: the working tree, "
    "as it is) against the commit `BASE` (default: where the current branch left its "
    "upstream, if it has one and has moved on from it; otherwise the head's parent, "
    "`HEAD~1`); `BASE=none` measures the head alone. A revision is anything git names: a hash, "
    "a tag, a branch, `HEAD~3`. Each compared commit is checked out in a worktree under "
    "var/bench/trees/ and served, under `config.settings_production`, from a copy of the "
    "benchmark database migrated back to its schema with the head's migrations (a base whose "
    "migrations the head no longer has is skipped, and says so). More columns between the "
    "two: `BENCH_ARGS='--step <rev>=<label> --step <rev>'`, up to four. The head runs under "
    "`bench.settings` (production's settings with the floor's URL; the product's "
    "config/urls.py does not know it). `.venv/bin/python bench/run.py --help` lists the "
    "other options (sizes, wrk's duration and rounds, which databases and pages).",
    "",
    "Instructions per request under callgrind (bench/instructions.py, some four minutes; "
    "`--no-instructions` leaves them out): `make bench BENCH_ARGS=--instructions-only` "
    "measures them alone and writes them into this document, or `.venv/bin/python "
    "bench/instructions.py` prints them. `.venv/bin/python bench/pages_guard.py save` before a "
    "change to the public pages and `check` after it proves every guarded page the same, byte "
    "for byte.",
)


def update_instructions(path, result):
    """Put the instructions section (and the way to run it) into an existing document, in
    place of the one it has: an --instructions-only run with no earlier --json to start from."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = text.split("\n")

    def drop(heading):
        if heading not in lines:
            return None
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        del lines[start:end]
        return start

    drop("## Instructions per request")
    running = drop("## Running it")
    if running is not None:
        lines[running:running] = [*HOW_TO_RUN, ""]
    section = instructions_section(result)
    where = "## Where the review page's time goes"
    at = lines.index(where) if where in lines else len(lines)
    lines[at:at] = section
    text = "\n".join(lines)
    notes = BASE / "bench" / "notes.md"
    if notes.exists():  # The narrative at the end, as it is now.
        narrative = notes.read_text().strip()
        first = narrative.split("\n", 1)[0]
        if first in text:
            text = text[: text.index(first)] + narrative + "\n"
    path.write_text(text)


def instructions_section(result):
    if not result:
        return []
    label = {"soundtrack": "album (soundtrack)"}
    return [
        "## Instructions per request",
        "",
        f"Under `valgrind --tool=callgrind` (bench/instructions.py; `make bench "
        f"BENCH_ARGS=--instructions-only` runs it alone): SQLite, the Tron fixtures and "
        f"{result['reviews']:,} generated reviews, bench.settings with the page cache off and "
        f"its fragments warm, each URL called {result['warmup']} times through the WSGI handler "
        f"and then {result['requests']} times counted. Instruction counts do not depend on "
        "the machine's load: two runs agree within 1%.",
        "",
        "| page | instructions per request | × floor |",
        "| --- | ---: | ---: |",
        *(
            f"| {label.get(page, page)} | {count / 1e6:.1f} M | {result['ratio'][page]:.2f}× |"
            for page, count in result["instructions"].items()
        ),
        "",
    ]


def write_report(path, report, options):
    m = report["machine"]
    out = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (bench/run.py) on {report['date']}, measuring "
        f"`{report['revision']}`"
        + (
            " against " + ", ".join(f"`{step['label']}`" for step in report["compared"])
            if report.get("compared")
            else ""
        )
        + "; do not edit by hand — the narrative at the end comes from bench/notes.md.",
        "",
        *HOW_TO_RUN,
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
        "20 tracks, notes, tags, people, franchises; cue sheets of about 40 cues a film, one "
        "film in 50 with 200, linked to the albums, and themes) plus the Tron fixtures. The "
        "film's music page and the film's admin are measured for a film with 200 cues.",
        "- Server: `make serve`'s stack — gunicorn (config/gunicorn.py: 2 sync workers), "
        "`bench.settings` (production's, plus the floor's URL), whitenoise, the request log "
        "on. PostgreSQL with "
        "persistent connections and `random_page_cost=1.1` (see the notes at the end).",
        f"- Load: `wrk -t{options.threads} -c{options.connections} -d{options.duration}s "
        f"--latency` on loopback, one URL at a time after a {options.warmup} s warm-up; every "
        f"URL of a database (pages, floor, ceiling, earlier commits) in turn, {options.rounds} "
        "rounds in alternating order, the best round kept: load from elsewhere on the machine "
        "then weighs on the pages and their references alike. wrk shares the cores with the "
        "server.",
        "- *Uncached*: `PAGE_CACHE_TIMEOUT=0`. *Cached*: the page cache on, primed; "
        "Redis for both (production refuses a cache per worker).",
        "- *Floor*: `bench/floor.py`, one query and the review page's bytes through the same "
        "middleware and server. *Ceiling*: the same bytes as a static file from nginx "
        "(bench/nginx.conf, 2 workers, keep-alive).",
        "- *Queries*: counted in-process (bench/probe.py) with the page cache off; search "
        "counted with `q=score`, which finds reviews and albums at any size on both databases "
        "(the load uses a rarer word, `q=labyrinth`).",
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
        # A page an older run did not measure, or the Tron fixtures lack (a theme), is left out.
        measured = [page for page in PAGES if page in gen_pages]
        same = all(small_pages.get(page) == gen_pages[page] for page in measured)
        differing = ", ".join(
            f"{page} {small_pages.get(page, '—')} → {gen_pages[page]}"
            for page in measured
            if small_pages.get(page) != gen_pages[page]
        )
        tron_pages = db["tron_queries"]["pages"]
        tron_differs = ", ".join(
            f"{page} {tron_pages[page]}"
            for page in measured
            if page in tron_pages and tron_pages[page] != gen_pages[page]
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
        small_admin = db["small_queries"].get("admin_pages", {})
        gen_admin = db["queries"].get("admin_pages", {})
        if gen_admin:
            fixed = all(small_admin.get(page) == gen_admin[page] for page in gen_admin)
            target_lines.append(
                f"| {name}: the film admin with 200 cues a fixed number of queries | "
                + ", ".join(
                    f"{small_admin.get(page, '—')} at 40, {gen_admin[page]} at "
                    f"{report['reviews']:,}"
                    for page in gen_admin
                )
                + f" | {verdict(fixed)} |"
            )
        loaddata = db["loaddata"]["in-process"]
        target_lines.append(
            f"| {name}: `loaddata tron` under 2 s | {loaddata:.2f} s in-process, "
            f"{db['loaddata']['command']:.2f} s as a command | {verdict(loaddata < 2)} |"
        )
    if report.get("instructions"):
        review = report["instructions"]["ratio"].get("review")
        if review is not None:
            target_lines.append(
                f"| SQLite: review page uncached ≤ 5× the floor in instructions (callgrind) | "
                f"{review:.2f}× | {verdict(review <= 5)} |"
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
            if page not in db["queries"]["pages"]:
                continue
            out.append(
                f"| {PAGE_LABELS[page]} | {db['tron_queries']['pages'].get(page, '—')} | "
                f"{db['small_queries']['pages'].get(page, '—')} | {db['queries']['pages'][page]} |"
            )
        if "admin" in db:
            out += ["", "### Admin pages", ""]
            out += [
                "Logged in as an editor, never cached: queries, and milliseconds per request "
                "in-process (best of 7 batches of 10).",
                "",
                f"| page | queries, Tron | 40 generated | {report['reviews']:,} | ms in-process |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            for page in ADMIN_PAGES:
                if page not in db["admin"]["ms"]:
                    continue
                out.append(
                    f"| {PAGE_LABELS[page]} | "
                    f"{db['tron_queries'].get('admin_pages', {}).get(page, '—')} | "
                    f"{db['small_queries'].get('admin_pages', {}).get(page, '—')} | "
                    f"{db['queries'].get('admin_pages', {}).get(page, '—')} | "
                    f"{db['admin']['ms'][page]:.2f} |"
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

    out += instructions_section(report.get("instructions"))
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
        out += bench_markdown.section(report["markdown"])
    notes = BASE / "bench" / "notes.md"
    if notes.exists():
        out += [notes.read_text().strip(), ""]
    path.write_text("\n".join(out))
