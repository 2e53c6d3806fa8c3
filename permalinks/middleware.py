"""Answer a 404 with the permanent redirect of its address, if there is one.

As ``django.contrib.redirects``' middleware: it looks only at responses that are 404s, so the
pages the site answers pay nothing for it, and a live page always wins over a redirect from the
same address. One indexed query: the path itself (and with a slash added), and the folders above
it, since a redirect from ``/films/old/`` carries the pages under it (``/films/old/music/``).

Paths no redirect can hold are never looked up: longer than ``MAX_PATH``, with a NUL, which
PostgreSQL refuses in a query, or under ``STATIC_URL`` and ``MEDIA_URL`` (files, not pages).
The query string the page cache kept (``pagecache.middleware``) goes along.

Why not ``django.contrib.redirects``: it needs ``django.contrib.sites``, whose ``Site.domain``
(``example.com`` until someone edits it) would be a second address of the site beside
``SITE_URL`` for the sitemap and feed views that ask ``get_current_site()``; it matches the
full path with its query string, not the folders above it, so a film's music and cue pages
would each need a row of their own; and its lookup of a path holding a NUL is a 500 on
PostgreSQL.

Caching: a redirect is cached as long as a page is by browsers and proxies
(``PAGE_CACHE_MAX_AGE``, a minute by default), with no ``s-maxage``, so the front cache keeps
it no longer either: no surrogate key purges it, and when an editor changes or removes it
readers see that within the minute. Without a ``Cache-Control`` a browser would keep a 301 for
ever. The page cache never stores it (it stores 200s only).
"""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.utils.cache import patch_cache_control

from permalinks.models import MAX_PATH, Redirect

#: How many folders above a path are looked up: /films/<slug>/ is two down.
MAX_DEPTH = 8


def candidates(path):
    """The paths a redirect for ``path`` may start from: itself (and with a slash), then each
    folder above it, the deepest first; none for a path no redirect can hold."""
    if not path.startswith("/") or "\x00" in path:
        return []
    found = []
    if len(path) <= MAX_PATH:
        found.append(path)
    if not path.endswith("/") and len(path) < MAX_PATH:
        found.append(f"{path}/")
    folders = []
    start = 1
    while len(folders) < MAX_DEPTH:
        end = path.find("/", start)
        if end == -1 or end + 1 > MAX_PATH:
            break
        if end + 1 < len(path):
            folders.append(path[: end + 1])
        start = end + 1
    return found + folders[::-1]


def _files():
    """The prefixes of files, never pages: a missing image or stylesheet asks nothing."""
    return tuple(url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url and url != "/")


def find(path):
    """``(redirect, location)`` for ``path``, or None."""
    if path.startswith(_files()):
        return None
    paths = candidates(path)
    if not paths:
        return None
    redirects = {r.old_path: r for r in Redirect.objects.filter(old_path__in=paths)}
    for candidate in paths:
        redirect = redirects.get(candidate)
        if redirect is None:
            continue
        if candidate in (path, f"{path}/"):
            return redirect, redirect.new_path
        if not candidate.endswith("/"):
            continue
        # A page under the folder: the same page under the new one. Never ``//host``.
        rest = path[len(candidate) :].lstrip("/")
        return redirect, redirect.new_path.rstrip("/") + "/" + rest
    return None


class RedirectFallbackMiddleware:
    """Last in ``MIDDLEWARE``: it sees the view's 404 before anything else turns it around."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        found = find(request.path)
        if found is None:
            return response
        _redirect, location = found
        # Passed on as it came (the page cache has kept only what the page reads); the
        # redirect quotes whatever a header could not carry.
        query = request.META.get("QUERY_STRING", "")
        redirect = HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)
        patch_cache_control(redirect, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
        return redirect
