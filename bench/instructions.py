#!/usr/bin/env python
"""Instructions per request, under ``valgrind --tool=callgrind``: a measure that stays the same
whatever else the machine is doing, beside ``make bench``'s requests per second.

``python bench/instructions.py`` (or ``make bench BENCH_ARGS=--instructions-only``) prepares a
small SQLite database in var/bench/instructions/ (the Tron fixtures and ``generate_content`` at
``--reviews`` reviews, kept between runs), then starts one Django process under callgrind
(``bench.settings``: production's, page cache off, Redis db ``--redis-db`` as the cache) that
serves every measured URL through the WSGI handler, as gunicorn would call it, without a socket:

1. each URL ``--warmup`` times, not counted (imports, template loading, caches filled: the
   steady state of a long-running worker);
2. each URL ``--requests`` times inside one call of a C function of libc that calls back into
   Python (``twalk``, whose recursion ``trecurse`` is given to callgrind's ``--toggle-collect``
   and ``--dump-after``): callgrind counts only inside it and writes one dump per URL.

A page's cost is its dump's instruction count divided by ``--requests``, and is reported as a
ratio to the floor (``bench/floor.py``: one query and the review page's bytes, through the same
middleware). ``PYTHONHASHSEED=0`` and a ``gc.collect()`` before each URL make two runs agree to
well under 1%. The dumps stay in var/bench/instructions/ for ``callgrind_annotate``.
"""

import argparse
import ctypes
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.environment import PYTHON, VAR, django_env, manage, probe, redis_flush, say  # noqa: E402

HERE = VAR / "instructions"
DATABASE_URL = f"sqlite:///{HERE}/cuesheet.sqlite3"
PAGES = ("review", "film", "soundtrack", "person", "franchise", "music", "home")
DEFAULT_PAGES = ("review", "film", "soundtrack", "person")
# glibc's twalk() tail-calls its recursion, trecurse(): the function callgrind sees entered.
TOGGLE = "trecurse"


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=200, help="Generated reviews (200).")
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="Of " + ",".join(PAGES))
    parser.add_argument("--requests", type=int, default=5, help="Requests counted per URL.")
    parser.add_argument("--warmup", type=int, default=3, help="Requests not counted per URL.")
    parser.add_argument("--redis-db", type=int, default=8, help="Redis database (flushed).")
    parser.add_argument("--json", help="Also write the result here.")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def environment(options):
    return django_env(
        DATABASE_URL,
        cache_url=f"redis://127.0.0.1:6379/{options.redis_db}",
        BENCH_FLOOR_PAGE=str(HERE / "review.html"),
        PYTHONHASHSEED="0",
    )


def prepare(options):
    """The database (reused when it holds the right amount), the URLs, the floor's bytes."""
    HERE.mkdir(parents=True, exist_ok=True)
    env = environment(options)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")  # The pages name the hashed files.
    status = probe(env, "status")
    if status["generated_reviews"] != options.reviews:
        say(f"instructions: generating {options.reviews} reviews")
        manage(
            env,
            "generate_content",
            "--replace",
            f"--scale={options.reviews / 10_000}",
            "--no-progress",
        )
    if not status["tron"]:
        manage(env, "loaddata", "tron", "--verbosity=0")
    urls = probe(env, "urls", "gen")
    redis_flush(options.redis_db)
    # The floor answers with the review page's bytes, saved from the page itself.
    page = subprocess.run(
        [PYTHON, __file__, "--child", "save", urls["review"]],
        env=env,
        check=True,
        capture_output=True,
    ).stdout
    (HERE / "review.html").write_bytes(page)
    urls["floor"] = f"/bench/floor/{urls['review'].rstrip('/').rsplit('/', 1)[1]}/"
    return env, urls


def measure(options):
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    pages = [page for page in options.pages.split(",") if page]
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    env, urls = prepare(options)
    measured = ["floor", *pages]
    for old in HERE.glob("callgrind.out*"):
        old.unlink()
    redis_flush(options.redis_db)
    say(f"instructions: {', '.join(measured)} under callgrind (a few minutes)")
    out = HERE / "callgrind.out"
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            f"--toggle-collect={TOGGLE}",
            f"--dump-after={TOGGLE}",
            f"--callgrind-out-file={out}",
            PYTHON,
            __file__,
            "--child",
            str(options.warmup),
            str(options.requests),
            *(urls[page] for page in measured),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"the measured process failed:\n{result.stderr[-3000:]}")
    dumps = sorted(HERE.glob("callgrind.out.*"), key=lambda path: int(path.suffix[1:]))
    if len(dumps) != len(measured):
        raise SystemExit(f"expected {len(measured)} callgrind dumps, found {len(dumps)}")
    per_request = {}
    for page, dump in zip(measured, dumps, strict=True):
        summary = re.search(r"^summary: (\d+)$", dump.read_text(), re.MULTILINE)
        per_request[page] = int(summary.group(1)) / options.requests
        dump.rename(HERE / f"callgrind.out.{page}")
    floor = per_request["floor"]
    return {
        "reviews": options.reviews,
        "requests": options.requests,
        "warmup": options.warmup,
        "urls": {page: urls[page] for page in measured},
        "instructions": per_request,
        "ratio": {page: count / floor for page, count in per_request.items()},
        "seconds": time.monotonic() - started,
    }


def table(result):
    lines = [
        "| page | instructions per request | × floor |",
        "| --- | ---: | ---: |",
    ]
    for page, count in result["instructions"].items():
        lines.append(f"| {page} | {count / 1e6:.2f} M | {result['ratio'][page]:.2f}× |")
    return "\n".join(lines)


# The measured process --------------------------------------------------------------------------


def child(args):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def get(url):
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": _Empty(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses = []

        def start_response(status, headers, exc_info=None):
            statuses.append(status)

        response = application(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{url} answered {statuses[0]}")
        return body

    if args[0] == "save":
        sys.stdout.buffer.write(get(args[1]))
        return
    warmup, requests, *urls = args
    for url in urls:
        for _ in range(int(warmup)):
            get(url)
    for url in urls:
        gc.collect()
        _counted(lambda url=url: [get(url) for _ in range(int(requests))])


class _Empty:
    def read(self, *args):
        return b""

    def readline(self, *args):
        return b""


def _counted(function):
    """Run ``function`` inside libc's twalk(), the only place callgrind counts (TOGGLE)."""
    libc = ctypes.CDLL(None)
    action_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
    compare_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
    libc.tsearch.restype = ctypes.c_void_p
    libc.tsearch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, compare_type]
    libc.twalk.argtypes = [ctypes.c_void_p, action_type]
    compare = compare_type(lambda a, b: 0)
    root = ctypes.c_void_p()
    libc.tsearch(1, ctypes.byref(root), compare)  # One node: twalk visits it once, as a leaf.
    errors = []

    def action(node, which, depth):
        try:
            function()
        except BaseException as error:  # noqa: BLE001 - raised again outside the C frame
            errors.append(error)

    callback = action_type(action)
    libc.twalk(root, callback)
    if errors:
        raise errors[0]


def main():
    options = arguments()
    if options.child is not None:
        child(options.child)
        return
    result = measure(options)
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=2))
    print(table(result))
    say(f"instructions: {result['seconds']:.0f} s; dumps in {HERE} (callgrind_annotate)")


if __name__ == "__main__":
    main()
