"""Varnish in front of two gunicorns, as `make serve` runs them: what readers and staff see.

The stack is config/serve.py itself (APP_SERVERS=2), started once for the module on free ports,
with Redis db 6 (another for a second worker) and the Tron demo content: on a SQLite file, or,
when DATABASE_URL names PostgreSQL (the suite's second run), on a database of the module's own
beside it (``<name>_front_cache_<worker>``, made and dropped here), which both app servers
share. The
tests read Varnish's ``X-Cache`` (HIT, MISS, PASS) and purge it as the app does. A second,
small Varnish with the same VCL fronts a stand-in backend, for what the app never answers
(a Set-Cookie on a public page, ``s-maxage=0``, a backend that is gone).

Without varnishd (Debian's varnish and varnish-modules) the module skips on a laptop, and fails in
CI (``CI`` set), which installs them (.ci/run).

It is one long module on purpose: the stack takes half a minute to start, so every case that
needs it shares the one started here rather than a module of its own each.
"""

import contextlib
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis

from tests.servers import (
    ROOT,
    START_TIMEOUT,
    django,
    free_port,
    in_ci,
    prepare_site,
    production_env,
    request,
    stop,
    wait_until,
)

# xdist may still hand this module's tests to both workers (a worker restarted, the group
# rescheduled): each worker's stack then has a Redis database and a PostgreSQL database of its
# own, so that one never flushes or drops what the other is serving from.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{(6, 12, 13, 14, 15)[WORKER % 5]}"
REVIEW = "/reviews/tron-ares-nine-inch-nails-score-review/"
HEADLINE = b"Nine Inch Nails"
UNRELATED = "/reviews/an-unrelated-review/"
FILM = "/films/tron-ares/"
PERSON = "/people/jeff-bridges/"
PASSWORD = "a long and unguessable password 31"

pytestmark = [pytest.mark.timeout(180), pytest.mark.xdist_group("varnish")]


def find_varnishd():
    for place in (os.environ.get("VARNISHD"), "/usr/sbin/varnishd", "/usr/local/sbin/varnishd"):
        if place and os.access(place, os.X_OK):
            return place
    return None


@pytest.fixture(scope="module")
def varnishd():
    found = find_varnishd()
    xkey = [
        *Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so"),
        *Path("/usr/local/lib/varnish/vmods").glob("libvmod_xkey.so"),
    ]
    if not found or not xkey:
        reason = (
            "The front cache tests need varnishd and vmod xkey "
            "(apt-get install varnish varnish-modules)."
        )
        if in_ci():
            pytest.fail(f"{reason} CI installs it, so its absence here is an error.", pytrace=False)
        pytest.skip(reason)
    return found


SETUP = """
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from films.models import Film
from films.tests.factories import FilmFactory
from reviews.models import Author, Review
from reviews.preview import share_token
from reviews.tests.factories import ReviewFactory

User = get_user_model()
for name in ("editor", "throttled"):
    User.objects.create_superuser(name, email=f"{name}@example.org", password=PASSWORD)
tron = Film.objects.get(slug="tron")
author = Author.objects.create(name="Vic Tester", slug="vic-tester")
other = FilmFactory(title="An Unrelated Film", slug="an-unrelated-film")
ReviewFactory(
    film=other, slug="an-unrelated-review", headline="An unrelated review", authors=[author]
)
draft = ReviewFactory(
    film=tron, slug="a-draft-review", headline="A draft nobody may see",
    status=Review.Status.DRAFT, publish_at=None, authors=[author],
)
print(share_token(draft, days=1))
"""


@pytest.fixture(scope="module")
def site(varnishd, varnish_workdir, database_url, tmp_path_factory):
    """config/serve.py with two app servers behind Varnish; ``{"port", "apps", "env", ...}``."""
    tmp = tmp_path_factory.mktemp("front-cache")
    workdir = varnish_workdir()
    port, apps = free_port(), [free_port(), free_port()]
    env = production_env(
        tmp,
        port,
        REDIS_URL,
        WEB_CONCURRENCY="1",
        APP_SERVERS="2",
        APP_PORTS=",".join(map(str, apps)),
        VARNISH_WORKDIR=str(workdir),
        VARNISHD=varnishd,
        DATABASE_URL=database_url,
    )
    redis.Redis.from_url(REDIS_URL).flushdb()
    token = prepare_site(env, admin=True, then=f"PASSWORD = {PASSWORD!r}\n{SETUP}").strip()
    log = open(tmp / "serve.log", "w+")  # noqa: SIM115 (closed at the end of the module)
    server = subprocess.Popen(
        [sys.executable, "config/serve.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: (
                server.poll() is None
                and "Ctrl-C stops them all" in (tmp / "serve.log").read_text()
                or server.poll() is not None
            ),
            message="serving",
        )
        assert server.poll() is None, (tmp / "serve.log").read_text()
        yield {
            "port": port,
            "apps": apps,
            "server": server,
            # What an editor's process has: the app servers' view of the front cache.
            "env": env | {"FRONT_CACHE_URLS": f"http://127.0.0.1:{port}"},
            "share_token": token,
            "log": tmp / "serve.log",
            "workdir": workdir,
        }
    finally:
        for pid in children(server.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)  # in case a test left one stopped
        stop(server, timeout=30)
        log.close()
    assert server.returncode == 0, (tmp / "serve.log").read_text()
    with pytest.raises(ConnectionRefusedError):
        request(port, "/healthz")  # Varnish went with it
    for app in apps:
        with pytest.raises(ConnectionRefusedError):
            request(app, "/healthz")


@pytest.fixture(scope="module")
def varnish_workdir():
    """A working directory Varnish's compiler can read even when it runs as its own user (as it
    does when started by root): not under pytest's private temporary directory."""
    made = []

    def make():
        path = Path(tempfile.mkdtemp(prefix="cuesheet-varnish-"))
        path.chmod(0o755)
        made.append(path)
        return path / "varnish"

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """SQLite, or a PostgreSQL database of this module's own when DATABASE_URL names one."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        yield f"sqlite:///{tmp_path_factory.mktemp('front-cache-db') / 'cuesheet.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    name = f"{parts.path.lstrip('/')}_front_cache_{WORKER}"
    server = parts._replace(path="/postgres").geturl()

    def run(statement):
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(statement)

    run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def children(pid):
    """The processes ``pid`` started, and theirs."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = [int(kid) for kid in (task / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *children(kid)]
    return found


def front(site, path, headers=None, **kwargs):
    return request(site["port"], path, headers=headers, **kwargs)


def x_cache(site, path, headers=None):
    status, response_headers, _ = front(site, path, headers)
    return status, response_headers.get("x-cache")


def purge(site, header, keys, source=None):
    return front(site, "/", {header: keys}, method="PURGE", source=source)


def keys_of(site, path):
    """The surrogate keys the app names for ``path`` (straight from an app server)."""
    _, headers, _ = request(site["apps"][0], path)
    return headers.get("xkey", "").split()


class Form(HTMLParser):
    """The fields of the admin's change form, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields, self.select, self.textarea, self.inside = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith(("_form", "-form")):
            self.inside = True
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append(
                [attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")]
            )
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append([self.select, attrs.get("value", "")])
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
            self.fields.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def cookies_of(headers_list):
    return "; ".join(
        value.split(";", 1)[0] for name, value in headers_list if name.lower() == "set-cookie"
    )


class Browser:
    """A staff member's cookies, against one server (an app server, or Varnish)."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def send(self, path, method="GET", fields=None):
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            pairs = fields.items() if isinstance(fields, dict) else fields
            body = urlencode([tuple(pair) for pair in pairs])
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie, _, _ = value.partition(";")
                    key, _, val = cookie.partition("=")
                    if val in {"", '""'}:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = val
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def form(self, path):
        status, _, body = self.send(path)
        assert status == 200, body[:500]
        parser = Form()
        parser.feed(body.decode())
        return parser.fields

    def login(self, username, password=PASSWORD):
        fields = dict(self.form("/admin/login/"))
        fields.update(username=username, password=password)
        return self.send("/admin/login/?next=/admin/", "POST", fields)


def staff(port, username="editor"):
    browser = Browser(port)
    status, headers, body = browser.login(username)
    assert status == 302, body[:2000]
    assert "sessionid" in browser.cookies
    return browser


# --- reading through Varnish ---------------------------------------------------------------


def test_a_page_is_a_miss_then_a_hit_and_its_keys_never_reach_the_client(site):
    path = f"{REVIEW}?utm_source=miss-then-hit"
    first = front(site, path)
    second = front(site, path)
    assert first[0] == second[0] == 200
    assert first[1]["x-cache"] == "MISS"
    assert second[1]["x-cache"] == "HIT"
    assert HEADLINE in second[2]
    assert second[2] == first[2]
    for _, headers, _ in (first, second):
        assert "xkey" not in headers
        assert "set-cookie" not in headers
    assert "all" in keys_of(site, REVIEW)  # the app names them; Varnish keeps them to itself


def test_cookies_are_stripped_from_public_pages_so_readers_share_one_copy(site):
    path = f"{REVIEW}?utm_source=cookies"
    assert x_cache(site, path, {"Cookie": "_ga=GA1.1.123; theme=dark"}) == (200, "MISS")
    assert x_cache(site, path, {"Cookie": "csrftoken=abc"}) == (200, "HIT")
    assert x_cache(site, path) == (200, "HIT")


def test_gzip_for_clients_that_accept_it_plain_for_the_others(site):
    path = f"{REVIEW}?utm_source=gzip"
    zipped = front(site, path, {"Accept-Encoding": "gzip, deflate, br"})
    plain = front(site, path)
    assert zipped[1]["content-encoding"] == "gzip"
    assert "content-encoding" not in plain[1]
    assert gzip.decompress(zipped[2]) == plain[2]
    assert len(zipped[2]) * 2 < len(plain[2])
    assert plain[1]["x-cache"] == "HIT"  # one stored copy serves both


def test_staff_never_get_a_cached_page_and_theirs_never_enter_the_cache(site):
    editor = staff(site["port"])  # logged in through Varnish: /admin/ is passed
    path = f"{REVIEW}?utm_source=staff"
    for _ in range(2):
        status, headers, body = editor.send(path)
        assert status == 200
        assert headers["X-Cache"] == "PASS"
    assert x_cache(site, path) == (200, "MISS")  # what staff were served was not stored
    assert x_cache(site, path) == (200, "HIT")
    status, headers, _ = editor.send(path)  # and staff still do not get the cached copy
    assert headers["X-Cache"] == "PASS"
    status, headers, _ = editor.send("/admin/")
    assert status == 200
    assert headers["X-Cache"] == "PASS"


def test_a_draft_preview_and_share_link_never_enter_the_cache(site):
    editor = staff(site["port"])
    draft = "/reviews/a-draft-review/"
    status, headers, body = editor.send(draft)  # the staff preview
    assert status == 200
    assert b"A draft nobody may see" in body
    shared = f"{draft}?{urlencode({'share': site['share_token']})}"
    for _ in range(3):
        status, headers, body = front(site, shared)
        assert status == 200
        assert b"A draft nobody may see" in body
        assert headers["x-cache"] in {"MISS", "PASS"}
        assert "private" in headers["cache-control"]
    for _ in range(2):
        status, headers, body = front(site, draft)
        assert status == 404
        assert b"A draft nobody may see" not in body
    status, _, body = front(site, f"{draft}?share=forged")
    assert status == 404


def test_purge_by_key_from_the_acl_only(site):
    path = f"{REVIEW}?utm_source=purge"
    front(site, path)
    assert x_cache(site, path) == (200, "HIT")
    review_key = next(key for key in keys_of(site, REVIEW) if key.startswith("review:"))

    # From another address on this machine: not in the ACL.
    for header in ("xkey-purge", "xkey-softpurge"):
        status, _, body = purge(site, header, review_key, source="127.0.0.2")
        assert status == 405
    assert x_cache(site, path) == (200, "HIT")
    status, _, _ = front(site, "/", {"xkey-purge": review_key}, method="BAN")
    assert status == 405

    status, headers, body = purge(site, "xkey-purge", f"{review_key} film:0")
    assert status == 200
    assert re.fullmatch(rb"purged [1-9][0-9]*\n", body), body
    assert "xkey" not in headers
    assert x_cache(site, path) == (200, "MISS")
    assert x_cache(site, path) == (200, "HIT")
    status, _, body = purge(site, "xkey-softpurge", review_key)
    assert status == 200
    assert re.fullmatch(rb"purged [1-9][0-9]*\n", body), body
    assert x_cache(site, path) == (200, "STALE")  # served at once, fetched again behind it
    wait_until(lambda: x_cache(site, path) == (200, "HIT"), timeout=1, interval=0.01)
    status, _, body = purge(site, "xkey-purge", "nothing:here")
    assert (status, body) == (200, b"purged 0\n")
    status, _, _ = front(site, "/", method="PURGE")
    assert status == 400  # no keys named


# --- keys: what an edit purges ---------------------------------------------------------------


def warm(site, *paths):
    for path in paths:
        front(site, path)
        assert x_cache(site, path)[1] == "HIT", path


def test_a_film_edit_purges_its_page_and_its_reviews_and_nothing_else(site):
    warm(site, FILM, REVIEW, UNRELATED)
    django(
        site["env"],
        "from django.db import transaction\n"
        "from films.models import Film\n"
        "with transaction.atomic():\n"
        "    film = Film.objects.get(slug='tron-ares')\n"
        "    film.title = 'Tron: Ares (edited)'\n"
        "    film.save()\n",
    )
    # An edit purges soft: the next reader of each page is served the stale copy at once,
    # nobody waits for a miss, and Varnish fetches the page again behind them.
    for path in (FILM, REVIEW):
        assert x_cache(site, path) == (200, "STALE"), path
    for path in (FILM, REVIEW):
        wait_until(
            lambda path=path: b"Tron: Ares (edited)" in front(site, path)[2],
            timeout=1,
            interval=0.01,
            message=f"fresh through Varnish: {path}",
        )
        assert x_cache(site, path) == (200, "HIT"), path
    assert x_cache(site, UNRELATED) == (200, "HIT")


def test_a_withdrawal_purges_the_review_everywhere(site):
    path = UNRELATED
    warm(site, path, "/reviews/", "/", "/films/an-unrelated-film/")
    assert b"An unrelated review" in front(site, "/reviews/")[2]
    django(
        site["env"],
        "from django.contrib.auth import get_user_model\n"
        "from django.db import transaction\n"
        "from reviews import services\n"
        "from reviews.models import Review\n"
        "editor = get_user_model().objects.get(username='editor')\n"
        "with transaction.atomic():\n"
        "    services.withdraw(Review.objects.get(slug='an-unrelated-review'), user=editor)\n",
    )
    assert front(site, path)[0] == 404
    for listing in ("/reviews/", "/", "/films/an-unrelated-film/"):
        status, headers, body = front(site, listing)
        assert status == 200
        assert headers["x-cache"] == "MISS", listing
        assert b"An unrelated review" not in body, listing


def test_a_scheduled_review_goes_live_without_a_cron(site):
    publish_at = float(
        django(
            site["env"],
            "import datetime\n"
            "from django.utils import timezone\n"
            "from films.models import Film\n"
            "from reviews.models import Author\n"
            "from reviews.tests.factories import ReviewFactory\n"
            "review = ReviewFactory(film=Film.objects.get(slug='tron-legacy'),\n"
            "    slug='a-scheduled-review', headline='A scheduled review',\n"
            "    authors=[Author.objects.get(slug='vic-tester')],\n"
            "    publish_at=timezone.now() + datetime.timedelta(seconds=5))\n"
            "print(review.publish_at.timestamp())\n",
        )
    )
    live = time.monotonic() + publish_at - time.time()
    assert live - time.monotonic() > 0.5, "too slow to see it before its time"
    assert b"A scheduled review" not in front(site, "/reviews/")[2]
    assert front(site, "/reviews/a-scheduled-review/")[0] == 404
    # Its creation purged the list soft: fetched again behind the reader, then a hit.
    wait_until(lambda: x_cache(site, "/reviews/") == (200, "HIT"), timeout=1, interval=0.01)
    time.sleep(max(0, live - time.monotonic()))
    # Within 3 s of its time, with nobody writing anything: the lists' TTL ran out.
    wait_until(
        lambda: b"A scheduled review" in front(site, "/reviews/")[2],
        timeout=3,
        message="on the list",
    )
    assert front(site, "/reviews/a-scheduled-review/")[0] == 200


# --- two app servers ---------------------------------------------------------------------------


def test_an_edit_through_one_app_server_is_fresh_through_the_other_and_varnish(site):
    one, other = site["apps"]
    warm(site, PERSON)
    for app in (one, other):
        request(app, PERSON)  # each app server's own page cache (Redis) holds it too
        assert request(app, PERSON)[1].get("x-cache") == "hit"

    editor = staff(one)
    pk = django(
        site["env"],
        "from films.models import Person\nprint(Person.objects.get(slug='jeff-bridges').pk)",
    ).strip()
    change = f"/admin/films/person/{pk}/change/"
    fields = editor.form(change)
    fields = [
        [name, "Jeff Bridges (edited)" if name == "name" else value] for name, value in fields
    ]
    status, _, body = editor.send(change, "POST", [*fields, ["_save", "Save"]])
    assert status == 302, body[:3000]

    started = time.monotonic()
    status, headers, body = request(other, PERSON)
    assert b"Jeff Bridges (edited)" in body
    assert x_cache(site, PERSON) == (200, "STALE")  # an edit: refetched behind the reader
    wait_until(
        lambda: b"Jeff Bridges (edited)" in front(site, PERSON)[2],
        timeout=1,
        interval=0.01,
        message="fresh through Varnish",
    )
    assert time.monotonic() - started < 1


def test_a_login_through_one_app_server_is_valid_on_the_other(site):
    one, other = site["apps"]
    editor = staff(one)
    elsewhere = Browser(other)
    elsewhere.cookies = dict(editor.cookies)
    status, _, body = elsewhere.send("/admin/")
    assert status == 200
    assert b"Log out" in body or b"logout" in body
    assert Browser(other).send("/admin/")[0] == 302  # without the cookie: the login page


def test_the_login_throttle_counts_failures_on_both_app_servers(site):
    one, other = site["apps"]
    for attempt in range(5):  # LOGIN_FAILURE_LIMIT, spread over both
        status, _, body = Browser((one, other)[attempt % 2]).login("throttled", "wrong")
        assert status == 200
        assert b"Too many failed logins" not in body
    for app in (one, other):
        status, _, body = Browser(app).login("throttled")  # the right password, too late
        assert status == 200
        assert b"Too many failed logins" in body


# --- grace, last: it freezes the app servers ------------------------------------------------


def test_grace_a_cached_page_is_served_while_the_app_servers_hang(site):
    path = f"{REVIEW}?utm_source=grace"
    front(site, path)
    assert x_cache(site, path) == (200, "HIT")
    apps = [pid for pid in children(site["server"].pid) if b"gunicorn" in cmdline(pid)]
    assert len(apps) >= 2
    for pid in apps:
        os.kill(pid, signal.SIGSTOP)
    try:
        # Marked stale, as an expired page is: served from grace while no app server answers.
        review_key = "all"
        status, _, body = purge(site, "xkey-softpurge", review_key)
        assert status == 200
        # Hung, not yet known to be: a page expired less than 10 s ago is served at once.
        started = time.monotonic()
        status, headers, body = front(site, path)
        assert time.monotonic() - started < 1
        assert (status, headers["x-cache"]) == (200, "STALE")
        assert HEADLINE in body
        # Known to be down: served from the hour of grace, and what is not cached is an error.
        wait_until(lambda: all_sick(site), timeout=15, message="sick")
        started = time.monotonic()
        status, headers, body = front(site, path)
        assert time.monotonic() - started < 1
        assert status == 200
        assert HEADLINE in body
        assert headers["x-cache"] == "STALE"
        status, _, body = front(site, f"{REVIEW}?utm_source=never-cached")
        assert status == 503
        assert b"The site is not answering just now" in body
    finally:
        for pid in apps:
            os.kill(pid, signal.SIGCONT)
    wait_until(lambda: b"sick" not in backends(site), timeout=15, message="healthy again")


def all_sick(site):
    """Whether Varnish's director has no healthy app server left."""
    return re.search(rb"\.app\s+\S+\s+\S+\s+sick", backends(site))


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def backends(site):
    return subprocess.run(
        ["varnishadm", "-n", str(site["workdir"]), "backend.list"],
        capture_output=True,
        timeout=10,
    ).stdout


# --- the VCL's rules, against a stand-in backend ---------------------------------------------


class Backend(ThreadingHTTPServer):
    """Answers ``/<anything>`` with the headers the test sets for it; counts what it served."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), BackendHandler)
        self.port = self.server_address[1]
        self.answers, self.served = {}, {}


class BackendHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server
        path = self.path.split("?")[0]
        server.served[path] = server.served.get(path, 0) + 1
        status, headers = server.answers.get(path, (200, {}))
        if path == "/healthz":
            status, headers = 200, {}
        body = f"<p>{path} #{server.served[path]}</p>\n".encode()
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stand_in(varnishd, varnish_workdir):
    """Varnish with config/varnish/cuesheet.vcl in front of a ``Backend``."""
    sys.path.insert(0, str(ROOT / "config"))
    try:
        from serve import VCL, render_backends
    finally:
        sys.path.pop(0)
    workdir = varnish_workdir()
    workdir.mkdir()
    backend = Backend()
    thread = threading.Thread(target=backend.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    (workdir / "cuesheet-backends.vcl").write_text(render_backends([backend.port], "127.0.0.1"))
    port = free_port()
    cache = subprocess.Popen(
        [
            varnishd,
            "-F",
            "-n",
            str(workdir),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(VCL),
            "-p",
            f"vcl_path={workdir}:/usr/share/varnish/vcl",
            "-s",
            "malloc,16m",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(lambda: request(port, "/healthz")[0] == 200, timeout=START_TIMEOUT)
        yield {"port": port, "backend": backend}
    finally:
        stop(cache)
        backend.shutdown()
        backend.server_close()


def twice(stand_in, path, headers):
    backend = stand_in["backend"]
    backend.answers[path] = (200, headers)
    seen = [request(stand_in["port"], path)[1].get("x-cache") for _ in range(2)]
    return seen, backend.served.get(path, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "public, max-age=600", "Set-Cookie": "tracker=1; Path=/"},
        {"Cache-Control": "private, max-age=600"},
        {"Cache-Control": "no-store"},
        {"Cache-Control": "no-cache, max-age=600"},
        {"Cache-Control": "public, max-age=600, s-maxage=0"},
        {"Cache-Control": "max-age=0"},
        {},  # says nothing: not cached
    ],
    ids=["set-cookie", "private", "no-store", "no-cache", "s-maxage=0", "max-age=0", "silent"],
)
def test_responses_that_must_not_be_cached_are_not(stand_in, headers):
    path = f"/never-{len(stand_in['backend'].answers)}"
    seen, served = twice(stand_in, path, headers)
    assert served == 2
    assert "HIT" not in seen


def test_s_maxage_comes_first_then_max_age(stand_in):
    seen, served = twice(stand_in, "/s-maxage", {"Cache-Control": "max-age=0, s-maxage=600"})
    assert (seen, served) == (["MISS", "HIT"], 1)
    seen, served = twice(stand_in, "/max-age", {"Cache-Control": "public, max-age=600"})
    assert (seen, served) == (["MISS", "HIT"], 1)


def test_an_error_is_never_cached(stand_in):
    stand_in["backend"].answers["/broken"] = (500, {"Cache-Control": "public, max-age=600"})
    for _ in range(2):
        assert request(stand_in["port"], "/broken")[0] == 500
    assert stand_in["backend"].served["/broken"] >= 2


def test_grace_a_stale_page_is_served_when_the_backend_fails(stand_in):
    path = "/graceful"
    stand_in["backend"].answers[path] = (200, {"Cache-Control": "max-age=1", "xkey": "graceful"})
    assert request(stand_in["port"], path)[2] == b"<p>/graceful #1</p>\n"
    time.sleep(1.2)  # expired, within its grace
    stand_in["backend"].answers[path] = (503, {})
    for _ in range(3):
        status, headers, body = request(stand_in["port"], path)
        assert (status, body) == (200, b"<p>/graceful #1</p>\n")
        assert headers["x-cache"] == "STALE"
        assert "xkey" not in headers


# --- make serve refuses to start, in words ---------------------------------------------------


def serve_check(tmp_path, varnish_workdir, **extra):
    port = free_port()
    env = production_env(
        tmp_path,
        port,
        REDIS_URL,
        VARNISH_WORKDIR=str(varnish_workdir()),
        APP_PORTS=str(free_port()),  # not PORT + 1, which anything else may hold
    )
    env.update(extra)
    result = subprocess.run(
        [sys.executable, "config/serve.py", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stderr


def test_make_serve_checks_and_starts_nothing(tmp_path, varnishd, varnish_workdir):
    assert serve_check(tmp_path, varnish_workdir, VARNISHD=varnishd) == (0, "")


def test_make_serve_says_when_varnishd_is_missing(tmp_path, varnish_workdir):
    status, stderr = serve_check(tmp_path, varnish_workdir, VARNISHD="/nonexistent/varnishd")
    assert status == 1
    assert "VARNISHD=/nonexistent/varnishd is not an executable" in stderr
    assert "Traceback" not in stderr


def test_make_serve_says_when_vmod_xkey_is_missing(tmp_path, varnishd, varnish_workdir):
    # Every module Debian's varnish has, without varnish-modules' xkey.
    installed = next(Path("/usr/lib").glob("*/varnish/vmods/libvmod_std.so")).parent
    vmods = varnish_workdir().parent / "vmods"  # readable by Varnish's compiler's user
    vmods.mkdir()
    for vmod in installed.glob("libvmod_*.so"):
        if "xkey" not in vmod.name:
            (vmods / vmod.name).symlink_to(vmod)
    vmods.chmod(0o755)
    status, stderr = serve_check(
        tmp_path,
        varnish_workdir,
        VARNISHD=varnishd,
        VARNISHD_ARGS=f"-p vmod_path={vmods}",
    )
    assert status == 1
    assert "Varnish's xkey module (tag purges) is not installed" in stderr
    assert "apt-get install varnish varnish-modules" in stderr


def test_make_serve_says_when_a_port_is_taken(tmp_path, varnishd, varnish_workdir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, stderr = serve_check(tmp_path, varnish_workdir, VARNISHD=varnishd, PORT=str(port))
        assert status == 1
        assert f"Port {port} on 127.0.0.1 is taken" in stderr
        other = free_port()
        status, stderr = serve_check(
            tmp_path, varnish_workdir, VARNISHD=varnishd, PORT=str(other), APP_PORTS=str(port)
        )
        assert status == 1
        assert f"Port {port} on 127.0.0.1 is taken" in stderr


def test_a_purge_of_thousands_of_keys_is_split_into_requests_varnish_accepts(stand_in):
    from pagecache import frontcache

    backend, port = stand_in["backend"], stand_in["port"]
    paths = [f"/tagged-{index}" for index in range(3)]
    for index, path in enumerate(paths):
        backend.answers[path] = (200, {"Cache-Control": "max-age=600", "xkey": f"all k:{index}"})
        request(port, path)
        assert request(port, path)[1]["x-cache"] == "HIT"
    keys = [f"review:{pk}" for pk in range(3000)] + ["k:0", "k:2"]
    batches = list(frontcache.batches(frontcache.valid_keys(keys)))
    assert len(batches) > 5
    assert frontcache.Varnish(f"http://127.0.0.1:{port}").purge(keys) == 2
    assert [request(port, path)[1]["x-cache"] for path in paths] == ["MISS", "HIT", "MISS"]


def test_make_serve_stops_everything_when_an_app_server_will_not_start(
    tmp_path, varnishd, varnish_workdir
):
    port, app = free_port(), free_port()
    workdir = varnish_workdir()
    env = production_env(
        tmp_path,
        port,
        "locmem://",  # refused by production with two workers: gunicorn exits at once
        VARNISH_WORKDIR=str(workdir),
        VARNISHD=varnishd,
        APP_PORTS=str(app),
    )
    result = subprocess.run(
        [sys.executable, "config/serve.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert result.returncode == 1
    assert f"make serve: gunicorn on 127.0.0.1:{app} exited (status" in result.stderr
    assert "Stopping." in result.stderr
    for listening in (port, app):
        with pytest.raises(ConnectionRefusedError):
            request(listening, "/healthz")
    mine = str(workdir).encode()
    running = [pid.name for pid in Path("/proc").glob("[0-9]*") if mine in cmdline(pid.name)]
    assert running == []  # varnishd went too
