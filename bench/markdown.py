#!/usr/bin/env python
"""Render time of review bodies per KB: plain prose against the hostile inputs, at two sizes.

A step of ``make bench`` (bench/run.py calls ``measure`` and ``section``), and a script of its
own, which needs no database or server and takes well under a minute::

    .venv/bin/python bench/markdown.py                 # print the section
    .venv/bin/python bench/markdown.py --write         # and replace it in docs/benchmarks.md

Rendering must be linear in the body's length: a hostile input's milliseconds per KB stay
the same from the small size to the large one, and so does its ratio to prose of the same
size. ``--module`` measures another renderer (a file defining ``render_markdown``), each
input in a child process killed after ``--timeout`` seconds: how the renderer before
markdown-it-py was measured against this one.
"""

import argparse
import importlib.util
import json
import multiprocessing
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
PROSE = BASE / "tests" / "data" / "tron-ares-score-review.txt"
HEADING = "## Markdown rendering: time per KB of hostile input"
SIZES = (10_000, 100_000)


def _repeat(unit):
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _nested(line):
    def make(size):
        lines, depth = [], 0
        while sum(map(len, lines)) < size:
            lines.append(line(depth))
            depth += 1
        return "".join(lines)[:size]

    return make


def _prose(size):
    return _repeat(PROSE.read_text() + "\n\n")(size)


# name: what the input is → a function of its size in characters
INPUTS = {
    "prose (the seed article, repeated)": _prose,
    "`[` × N": _repeat("["),
    "`[a](` × N": _repeat("[a]("),
    "`![` × N": _repeat("!["),
    "`>` × N": _repeat(">"),
    "`<div>` × N": _repeat("<div>"),
    "`*a` × N": _repeat("*a"),
    "`_` × N": _repeat("_"),
    "`` ` `` × N": _repeat("`"),
    "`&#` × N": _repeat("&#"),
    "`a\\n` × N (one paragraph of short lines)": _repeat("a\n"),
    "lists nested N deep": _nested(lambda depth: "  " * depth + "- x\n"),
    "blockquotes nested N deep": _nested(lambda depth: ">" * (depth + 1) + " x\n"),
}


# Seconds per render with the ``markdown`` package (3.11.3) and nh3, the renderer before
# markdown-it-py, measured once with --module on 2 December 2026 on the machine of the tables
# (one render each, killed after 60 s: None). It is no longer installed.
BEFORE = {
    "prose (the seed article, repeated)": (0.017, 0.068),
    "`[` × N": (30.822, None),
    "`[a](` × N": (2.482, None),
    "`![` × N": (15.42, None),
    "`>` × N": (0.248, 3.103),
    "`<div>` × N": (0.059, 2.521),
    "`*a` × N": (0.071, 6.385),
    "`_` × N": (0.004, 0.011),
    "`` ` `` × N": (0.005, 0.03),
    "`&#` × N": (0.009, 0.129),
    "`a\\n` × N (one paragraph of short lines)": (0.007, 0.043),
    "lists nested N deep": (0.019, 0.454),
    "blockquotes nested N deep": (0.052, 1.493),
}


def load_renderer(module=None):
    if module is None:
        sys.path.insert(0, str(BASE))
        from reviews.markdown import render_markdown

        return render_markdown
    spec = importlib.util.spec_from_file_location("renderer_under_test", module)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded.render_markdown


def _best(render, text, repeat):
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        render(text)
        best = min(best, time.perf_counter() - started)
    return best


def _child(render, text, repeat, pipe):
    pipe.send(_best(render, text, repeat))


def timed(render, text, repeat, timeout=None):
    """Best of ``repeat`` renders of ``text``, in seconds; ``None`` past ``timeout``."""
    if timeout is None:
        return _best(render, text, repeat)
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_child, args=(render, text, repeat, send)
    )
    child.start()
    result = receive.recv() if receive.poll(timeout) else None
    child.kill()
    child.join()
    return result


def measure(module=None, sizes=SIZES, repeat=3, timeout=None, inputs=None):
    """``{input: {size: seconds or None}}`` for each input at each size."""
    render = load_renderer(module)
    results = {}
    for name in inputs or INPUTS:
        results[name] = {}
        for size in sizes:
            results[name][size] = timed(render, INPUTS[name](size), repeat, timeout)
    return results


def section(results, note=""):
    """The section of docs/benchmarks.md for ``results`` (from ``measure``), as lines."""
    sizes = sorted({int(size) for row in results.values() for size in row})
    prose = results[next(iter(INPUTS))]
    header = ["input"]
    for size in sizes:
        header += [f"ms/KB at {size // 1000} KB", f"× prose at {size // 1000} KB"]
    out = [
        HEADING,
        "",
        "Written by bench/markdown.py (a step of `make bench`; runs alone in under a minute). "
        "`render_markdown` (markdown-it-py, then nh3) on each input cut to the size given, "
        "the best of three renders; *× prose* is its time over plain prose of the same size. "
        "Linear means the same milliseconds per KB at both sizes. (Prose itself costs less "
        "per KB at 10 KB, where the parser's work fits the CPU's caches, than from 50 KB on, "
        "so the ratios fall between the sizes.) Review bodies are capped at 100,000 "
        "characters (`reviews.markdown.MAX_LENGTH`).",
        "",
    ]
    if note:
        out += [note, ""]
    out += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for name, row in results.items():
        cells = [name]
        for size in sizes:
            seconds = row.get(size, row.get(str(size)))
            reference = prose.get(size, prose.get(str(size)))
            if seconds is None:
                cells += ["did not finish", ""]
            else:
                cells += [f"{seconds * 1000 / (size / 1000):.2f}", f"{seconds / reference:.0f}×"]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    if sizes == list(SIZES):
        out += [
            "Seconds per render of the whole input, with the `markdown` package before "
            "(measured once, before it was removed; *over 60 s* means it was stopped) and now:",
            "",
            "| input | before, 10 KB | before, 100 KB | now, 10 KB | now, 100 KB |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, row in results.items():
            before = BEFORE.get(name, (None, None))
            now = [row.get(size, row.get(str(size))) for size in sizes]
            cells = [_seconds(value, "over 60 s") for value in before]
            cells += [_seconds(value, "did not finish") for value in now]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def _seconds(value, missing):
    return missing if value is None else f"{value:.3f}"


def replace_section(path, lines):
    """Put ``lines`` in place of the section in ``path`` (at the end if it has none)."""
    text = path.read_text()
    start = text.find(HEADING)
    new = "\n".join(lines)
    if start == -1:
        path.write_text(text.rstrip("\n") + "\n\n" + new + "\n")
        return
    end = text.find("\n## ", start + len(HEADING))
    rest = "" if end == -1 else text[end:]
    path.write_text(text[:start] + new + ("\n" + rest.lstrip("\n") if rest else "\n"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", help="A file defining render_markdown to measure instead.")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="In characters.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, help="Seconds per input (in a child process).")
    parser.add_argument("--only", help="Comma-separated input names (a prefix is enough).")
    parser.add_argument("--json", help="Also write the results here.")
    parser.add_argument("--write", action="store_true", help="Update docs/benchmarks.md.")
    options = parser.parse_args()
    inputs = list(INPUTS)
    if options.only:
        wanted = options.only.split(",")
        inputs = [name for name in inputs if any(name.startswith(w) for w in wanted)]
        inputs = [next(iter(INPUTS)), *(name for name in inputs if name != next(iter(INPUTS)))]
    sizes = [int(size) for size in options.sizes.split(",")]
    results = measure(options.module, sizes, options.repeat, options.timeout, inputs)
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2))
    lines = section(results)
    print("\n".join(lines))
    if options.write:
        replace_section(BASE / "docs" / "benchmarks.md", lines)


if __name__ == "__main__":
    main()
