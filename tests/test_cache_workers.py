"""Two real gunicorn workers: a withdrawn review is a 404 from both, at once.

`make serve` once cached pages in each worker's own memory, and a withdrawal's invalidation
reached one worker: the other served the withdrawn review for minutes. Here the production stack
runs as `make serve` runs it (config.settings_production, config/gunicorn.py, two sync workers)
on a SQLite file and Redis, and the test proves that both workers served the page from the one
shared cache before the withdrawal and that neither serves it after. A configuration that could
serve stale pages, a cache per process with two workers, is refused at startup.

Which worker served a request is known without the site telling anyone: a sync worker serves one
connection at a time, so while one connection holds a worker with an unfinished request, a
second connection is served by the other worker. gunicorn's access log, turned on for this test
only, names the process of every response, and confirms it.
"""

import shlex
import socket
import time

import pytest
import redis

from tests.servers import (
    REQUEST_TIMEOUT,
    START_TIMEOUT,
    django,
    free_port,
    get,
    gunicorn,
    prepare_site,
    stop,
)
from tests.servers import production_env as _production_env

REDIS_URL = "redis://127.0.0.1:6379/5"
SLUG = "tron-ares-nine-inch-nails-score-review"
REVIEW_URL = f"/reviews/{SLUG}/"
HEADLINE = b"Nine Inch Nails"

# One Redis database (5) for the module: under xdist its tests share one worker (loadgroup).
pytestmark = [pytest.mark.timeout(240), pytest.mark.xdist_group("redis-db-5")]


def production_env(tmp, port, **extra):
    return _production_env(tmp, port, REDIS_URL, **extra)


def on_both_workers(port, path):
    """``path`` requested on two connections at once, so that each worker serves one.

    The first connection sends its request line and headers but not the blank line that ends
    them: the sync worker that accepts it waits for the rest, and serves nothing else meanwhile.
    The second connection is then served by the other worker; the first is finished after it.
    """
    held = socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT)
    try:
        held.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        time.sleep(0.05)  # let a worker accept it first; the order of accepts does the rest
        second = get(port, path)
        held.sendall(b"Connection: close\r\n\r\n")
        raw = b""
        while chunk := held.recv(65536):
            raw += chunk
    finally:
        held.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    first = (int(status_line.split()[1]), headers, body)
    return [first, second]


def access_log(path, start=0):
    """``(pid, status, x-cache, path)`` for each response logged after byte ``start``."""
    with open(path, encoding="utf-8") as log:
        log.seek(start)
        return [tuple(line.split()) for line in log if line.strip()]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The production stack with two workers, on the Tron demo content and Redis db 5."""
    tmp = tmp_path_factory.mktemp("two-workers")
    port = free_port()
    log = tmp / "access.log"
    env = production_env(tmp, port)
    redis.Redis.from_url(REDIS_URL).flushdb()
    prepare_site(env)
    fields = "%(p)s %(s)s %({x-cache}o)s %(U)s"
    server_env = env | {
        "GUNICORN_CMD_ARGS": f"--access-logfile {log} --access-logformat {shlex.quote(fields)}"
    }
    server = gunicorn(server_env)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert server.poll() is None, f"gunicorn exited: {stop(server)[1]}"
            assert time.monotonic() < deadline, "gunicorn did not answer in time"
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield {"port": port, "env": env, "log": log}
    finally:
        stop(server)


def test_a_withdrawn_review_is_gone_from_both_workers_at_once(site):
    port, log = site["port"], site["log"]

    # Before: both workers serve the review, from the one cache they share.
    start = log.stat().st_size
    for _ in range(3):
        for status, _, body in on_both_workers(port, REVIEW_URL):
            assert status == 200
            assert HEADLINE in body
    served = [line for line in access_log(log, start) if line[3] == REVIEW_URL]
    workers = {pid for pid, *_ in served}
    assert len(workers) == 2, served
    assert [cache for _, _, cache, _ in served].count("miss") == 1, served
    for worker in workers:  # each worker answered from the cache the other filled
        assert (worker, "200", "hit", REVIEW_URL) in served
    pages = redis.Redis.from_url(REDIS_URL).keys("*pagecache:page:*")
    assert len(pages) == 1

    # An editor withdraws it, in a process of its own, as the admin does: in a transaction.
    django(
        site["env"],
        "from django.contrib.auth import get_user_model\n"
        "from django.db import transaction\n"
        "from reviews import services\n"
        "from reviews.models import Review\n"
        "editor = get_user_model().objects.create_superuser('withdrawer', password=None)\n"
        "with transaction.atomic():\n"
        f"    services.withdraw(Review.objects.get(slug={SLUG!r}), user=editor)\n",
    )

    # After: every answer from either worker is a 404, on fresh connections.
    start = log.stat().st_size
    for _ in range(5):
        for status, _, body in on_both_workers(port, REVIEW_URL):
            assert status == 404
            assert HEADLINE not in body
    for _ in range(10):
        status, _, body = get(port, REVIEW_URL)
        assert status == 404
        assert HEADLINE not in body
    for status, _, body in on_both_workers(port, "/reviews/"):
        assert status == 200
        assert HEADLINE not in body
    answered = [line for line in access_log(log, start) if line[3] == REVIEW_URL]
    assert len(answered) == 20
    assert {status for _, status, _, _ in answered} == {"404"}
    assert {pid for pid, *_ in answered} == workers


@pytest.mark.parametrize(
    ("workers", "args", "message"),
    [
        # settings_production, with WEB_CONCURRENCY, refuses while gunicorn loads the app
        ("2", (), "CACHE_URL=locmem:// is a cache per process, and 2 worker processes"),
        # gunicorn's own check, with the number it would really start
        ("1", ("--workers", "3"), "CACHE_URL=locmem:// is a cache per process, and 3 worker"),
    ],
)
def test_production_refuses_a_cache_per_process_for_two_workers(tmp_path, workers, args, message):
    port = free_port()
    env = production_env(tmp_path, port, CACHE_URL="locmem://", WEB_CONCURRENCY=workers)
    server = gunicorn(env, *args)
    try:
        server.wait(timeout=START_TIMEOUT)
    finally:
        _, stderr = stop(server)

    assert server.returncode != 0
    assert message in stderr
    assert "Set CACHE_URL=redis://" in stderr
    with pytest.raises(ConnectionRefusedError):
        get(port, "/healthz")  # nothing listens
