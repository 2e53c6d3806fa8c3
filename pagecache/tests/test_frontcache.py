"""pagecache.frontcache against a tiny HTTP server on loopback that plays the front cache.

The server records every request it gets and answers as the test tells it: as Varnish does
(200, ``purged <n>``), slowly, with a 500, or by closing the connection. Nothing here needs
Varnish: tests/test_front_cache.py purges a real one.
"""

import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from pagecache import frontcache


class FrontCacheDouble(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests = []  # (method, path, headers as a list of (name, value))
        self.status = 200
        self.delay = 0.0
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PURGE(self):
        server = self.server
        server.requests.append((self.command, self.path, list(self.headers.items())))
        if server.delay:
            time.sleep(server.delay)
        keys = (
            self.headers.get(frontcache.PURGE_HEADER)
            or self.headers.get(frontcache.SOFT_PURGE_HEADER, "")
        ).split()
        body = f"purged {len(keys)}\n".encode() if server.status == 200 else b"oops\n"
        try:
            self.send_response(server.status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first

    def log_message(self, *args):
        pass


@pytest.fixture
def double():
    server = FrontCacheDouble()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once it is closed


def purged_headers(server):
    return [dict(headers)[frontcache.PURGE_HEADER] for _, _, headers in server.requests]


def test_no_front_cache_sends_nothing_and_costs_nothing(double):
    with override_settings(FRONT_CACHE_URLS=[]):
        assert frontcache.purge(["review:1", "all"]) == 0
        assert frontcache.purge(["review:1"], soft=True) == 0
    assert double.requests == []


def test_one_purge_request_with_every_key_sorted_once(double):
    with override_settings(FRONT_CACHE_URLS=[double.url]):
        assert frontcache.purge(["review:12", "film:3", "all", "film:3"]) == 3
    assert len(double.requests) == 1
    method, path, headers = double.requests[0]
    assert (method, path) == ("PURGE", "/")
    assert dict(headers)[frontcache.PURGE_HEADER] == "all film:3 review:12"


def test_a_soft_purge_names_its_keys_in_the_soft_header_only(double):
    with override_settings(FRONT_CACHE_URLS=[double.url]):
        assert frontcache.purge(["review:12", "film:3"], soft=True) == 2
    ((method, path, headers),) = double.requests
    assert (method, path) == ("PURGE", "/")
    assert dict(headers)[frontcache.SOFT_PURGE_HEADER] == "film:3 review:12"
    assert frontcache.PURGE_HEADER not in dict(headers)


def test_every_front_cache_is_purged(double):
    other = FrontCacheDouble()
    thread = threading.Thread(target=other.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        with override_settings(FRONT_CACHE_URLS=[double.url, other.url]):
            assert frontcache.purge({"film:3"}) == 2
        assert purged_headers(double) == purged_headers(other) == ["film:3"]
    finally:
        other.shutdown()
        other.server_close()


def test_one_string_is_one_key_not_its_letters(double):
    with override_settings(FRONT_CACHE_URLS=[double.url]):
        frontcache.purge("film:3")
    assert purged_headers(double) == ["film:3"]


def test_a_huge_key_list_is_split_into_requests_under_the_header_limit(double):
    keys = [f"review:{pk}" for pk in range(5000)]
    with override_settings(FRONT_CACHE_URLS=[double.url]):
        assert frontcache.purge(keys) == 5000
    headers = purged_headers(double)
    assert len(headers) > 10
    assert all(len(header.encode()) <= frontcache.MAX_HEADER_BYTES for header in headers)
    sent = [key for header in headers for key in header.split(" ")]
    assert sorted(sent) == sorted(keys)  # each key once, none cut in two


@pytest.mark.parametrize(
    "bad",
    [
        "film:3 review:4",  # would purge two keys
        "film:3\r\nX-Injected: yes",  # would add a header
        "film:3\nall",
        "film:3,all",  # xkey splits on commas too
        "",
        "ключ:1",
        "x" * 300,
        None,
        3,
    ],
)
def test_a_key_that_is_not_one_is_refused_and_logged_never_sent(double, caplog, bad):
    with (
        override_settings(FRONT_CACHE_URLS=[double.url]),
        caplog.at_level(logging.WARNING, "pagecache.frontcache"),
    ):
        frontcache.purge([bad, "film:9"])
    assert purged_headers(double) == ["film:9"]
    _, _, headers = double.requests[0]
    assert [name.lower() for name, _ in headers if name.lower().startswith("x-")] == []
    assert "not a surrogate key" in caplog.text


def test_only_bad_keys_send_nothing(double, caplog):
    with override_settings(FRONT_CACHE_URLS=[double.url]):
        assert frontcache.purge(["a b", "c\nd"]) == 0
    assert double.requests == []


def test_an_unreachable_front_cache_is_logged_and_the_save_goes_on(double, caplog):
    unreachable = f"http://127.0.0.1:{closed_port()}"
    with (
        override_settings(FRONT_CACHE_URLS=[unreachable, double.url]),
        caplog.at_level(logging.ERROR, "pagecache.frontcache"),
    ):
        started = time.monotonic()
        assert frontcache.purge(["film:3"]) == 1  # the other one still purged
        assert time.monotonic() - started < 1
    assert purged_headers(double) == ["film:3"]
    assert f"Front cache not purged of 1 keys: {unreachable}" in caplog.text


def test_a_slow_front_cache_is_given_up_on_after_the_timeout(double, caplog):
    double.delay = frontcache.TIMEOUT + 2
    keys = [f"review:{pk}" for pk in range(2000)]  # several batches: one timeout for all
    with (
        override_settings(FRONT_CACHE_URLS=[double.url]),
        caplog.at_level(logging.ERROR, "pagecache.frontcache"),
    ):
        started = time.monotonic()
        assert frontcache.purge(keys) == 0
        elapsed = time.monotonic() - started
    assert frontcache.TIMEOUT - 0.1 < elapsed < frontcache.TIMEOUT + 0.5
    assert len(double.requests) == 1  # the rest of the batches skipped
    assert "no answer within 2 s" in caplog.text


def test_an_error_answer_is_logged_with_its_status(double, caplog):
    double.status = 500
    with (
        override_settings(FRONT_CACHE_URLS=[double.url]),
        caplog.at_level(logging.ERROR, "pagecache.frontcache"),
    ):
        assert frontcache.purge(["film:3"]) == 0
    assert "answered 500" in caplog.text


def test_a_refused_purge_is_logged(double, caplog):
    double.status = 405  # Varnish, to an address outside its ACL
    with (
        override_settings(FRONT_CACHE_URLS=[double.url]),
        caplog.at_level(logging.ERROR, "pagecache.frontcache"),
    ):
        assert frontcache.purge(["film:3"]) == 0
    assert "answered 405" in caplog.text


def test_a_connection_closed_without_an_answer_is_logged(caplog):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def hang_up():
            connection, _ = listener.accept()
            connection.recv(65536)
            connection.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        with (
            override_settings(FRONT_CACHE_URLS=[f"http://127.0.0.1:{port}"]),
            caplog.at_level(logging.ERROR, "pagecache.frontcache"),
        ):
            assert frontcache.purge(["film:3"]) == 0
        thread.join(5)
    assert "Front cache not purged" in caplog.text


@pytest.mark.parametrize("url", ["ftp://cache.example", "127.0.0.1:8000", "http://"])
def test_a_front_cache_url_that_is_not_one_is_logged(url, caplog):
    with (
        override_settings(FRONT_CACHE_URLS=[url]),
        caplog.at_level(logging.ERROR, "pagecache.frontcache"),
    ):
        assert frontcache.purge(["film:3"]) == 0
    assert "is not an http:// or https:// URL" in caplog.text


def test_the_backend_interface():
    with pytest.raises(NotImplementedError):
        frontcache.FrontCache().purge(["film:3"])
    assert repr(frontcache.Varnish("http://127.0.0.1:8000")) == "Varnish('http://127.0.0.1:8000')"
