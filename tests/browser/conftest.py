"""Browser tests: Playwright's sync API drives Debian's Chromium against the live_server.

Every test here is marked ``browser`` (``pytest -m "not browser"`` leaves them out) and runs after
the rest of the suite. Fixtures:

- ``browser``: one headless Chromium for the session, from /usr/bin/chromium (Playwright's own
  browser downloads are not used). Without it the tests skip on a laptop, and fail in CI (``CI``
  set), which installs it.
- ``page``: a fresh browser context and page per test, with ``base_url`` set to the live server, so
  ``page.goto("/reviews/")`` works. It fails the test on a console error, an uncaught exception, a
  request that fails or any response of 400 and up, unless the test expected that status (checked
  when the test ends, unless it has already failed).
- ``page_problems``: that recorder, for ``assert_clean()`` after each step and ``expect_status()``.
- ``tron``: the demo content (``loaddata tron``) in the live server's database, with the
  illustrations that ``make run`` attaches.
- ``assert_accessible``: runs axe-core on the page and fails with each violation's rule id, impact
  and node targets.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # The machine's network is closed: without these Chromium keeps dialling Google's hosts.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Fail fast on a missing element: pages come from a local server and render in milliseconds.
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 15_000

BROWSER_TESTS = Path(__file__).parent
CALL_FAILED = pytest.StashKey[bool]()


def is_browser_test(item):
    return BROWSER_TESTS in Path(item.path).parents


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def pytest_collection_modifyitems(items):
    for item in items:
        if is_browser_test(item):
            item.add_marker(pytest.mark.browser)
    # Once Playwright starts, its event loop stays "running" in the main thread until the end of
    # the session (see the ``browser`` fixture). Running browser tests last keeps every other test
    # under Django's normal async-safety checks. The sort is stable: order within each group holds.
    items.sort(key=is_browser_test)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            "Browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)."
        )
        if in_ci():
            pytest.fail(f"{reason} CI installs it, so its absence here is an error.", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread, so Django would refuse the ORM
    # calls that tests make (fixtures, factories) as if they came from async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class PageProblems:
    """What goes wrong on a page without showing in its DOM: console errors, uncaught exceptions,
    failed requests and 4xx/5xx responses, for the document and for every asset."""

    def __init__(self):
        self.problems = []
        self.expected = {}

    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def expect_status(self, path, status):
        """Accept one error status for one path: the 404 page is a 404, and that is right."""
        self.expected[path] = status

    def _is_expected(self, url, status):
        return self.expected.get(urlsplit(url).path) == status

    def _on_console(self, message):
        if message.type != "error":
            return
        # Chromium logs each failed load on the console too; the handlers below judge those.
        if message.text.startswith("Failed to load resource"):
            return
        self.problems.append(f"console error ({message.location.get('url')}): {message.text}")

    def _on_response(self, response):
        if response.status >= 400 and not self._is_expected(response.url, response.status):
            kind = response.request.resource_type
            self.problems.append(f"HTTP {response.status} for {kind} {response.url}")

    def _on_request_failed(self, request):
        # Leaving a page cancels what it was still loading; that is navigation, not a fault.
        if request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(
            f"request failed ({request.failure}) for {request.resource_type} {request.url}"
        )

    def assert_clean(self):
        problems, self.problems = self.problems, []
        if problems:
            pytest.fail(
                "The page had problems:\n" + "\n".join(f"- {p}" for p in problems), pytrace=False
            )


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(request, browser, live_server, page_problems):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    page_problems.watch(page)
    yield page
    context.close()
    # Once the test has failed, more problems from the same page would only repeat the news.
    if not request.node.stash.get(CALL_FAILED, False):
        page_problems.assert_clean()


@pytest.fixture
def tron(transactional_db, live_server, tron_with_images):
    """The Tron demo content with its illustrations, loaded where the live server reads it.

    live_server runs in another thread, so the test cannot hold the data in an open transaction:
    transactional_db commits it and empties the tables after the test. The images are the
    session's (``demo_images`` in tests/conftest.py); the live server serves MEDIA_ROOT at
    MEDIA_URL itself, as Django's LiveServerThread does, with DEBUG off and no URL route.
    """


def format_axe_violations(url, violations):
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            # A target is a CSS selector, or a list of them through iframes and shadow roots.
            target = " >> ".join(
                " ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            lines.append(f"    {target}")
        lines.append(f"    see {violation['helpUrl']}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def assert_accessible():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        violations = axe.run(page).response["violations"]
        if violations:
            pytest.fail(format_axe_violations(page.url, violations), pytrace=False)

    return check
