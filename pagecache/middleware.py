"""The public page cache: whole anonymous GET responses, named by what they show.

Each page is stored with its surrogate keys (``pagecache.keys``: the rows it read, the lists it
shows) and the version each key had (``pagecache.versions``); a change purges its keys, and a
page is served only while none of its keys has been purged since it was stored. The same keys
go out in the ``xkey`` header, so a front cache (Varnish, a CDN) caches the page for as long as
``PAGE_CACHE_FRONT_MAX_AGE`` and is told to drop it by the same purge. A scheduled review needs
no write to go live: the next scheduled change is kept beside the versions, the first request
after it purges its keys, and pages holding them are fresh to proxies only until then. Staff
(anyone logged in), the admin, and responses that say ``private``/``no-store`` are never
cached, so previews and share links of drafts never are.

What a page is cached under is what the page reads: its path, and only the query parameters its
view declares (``page_cache_parameters``; a paginated list reads ``page`` without saying so).
The Host header is not part of it: every absolute URL comes from ``settings.SITE_URL``
(pagemeta.seo), so a page is the same whichever allowed host asked for it, and a Host that is not
allowed is answered 400 before the cache is read. Any other parameter (``utm_source``,
``fbclid``, a typo) is taken off the request before the view sees it, so the page is rendered
from exactly what its key says and one entry serves every such URL. A declared parameter is
cached only with a value its pattern accepts (a page number); other values (``page=abc``,
``page=1.0``) are rendered but never stored, as is any value of a parameter declared with no
pattern (a search query, a share token: one entry per value would let anyone fill the cache).
GET and HEAD share an entry: gunicorn sends a HEAD answer's headers only.
"""

import hashlib
import math
import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from pagecache import keys, versions
from pagecache.versions import NEXT_CHANGE_KEY

#: The response header naming a page's surrogate keys, which the front cache indexes (vmod xkey).
KEYS_HEADER = "xkey"

#: A page number as views read it, and as pagination links write it: no sign, no leading zero.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def reads(**parameters):
    """Declare the query parameters a function view reads, for the page cache.

    Each name maps to the pattern of the values that may be cached, or to ``None`` when no
    value may be (the page is rendered for every value, never stored). A class-based view says
    the same with a ``page_cache_parameters`` attribute.
    """

    def declare(view):
        view.page_cache_parameters = parameters
        return view

    return declare


def declared_parameters(view):
    """The query parameters ``view`` (a resolved view function) reads: name → pattern or None."""
    view_class = getattr(view, "view_class", None)
    declared = getattr(view_class or view, "page_cache_parameters", None)
    if declared is not None:
        return declared
    if view_class is not None and getattr(view_class, "paginate_by", None):
        return {view_class.page_kwarg: PAGE_NUMBER}
    return {}


def page_query(request):
    """``(query, cacheable)``: the query string the page is rendered from, and whether a
    response to it may be stored; ``None`` for the admin and the other excluded paths, and for
    a query string on a path that is no page (a 404 either way).

    The query holds the declared parameters only, in the order they are declared, each once
    (its last value, as ``GET.get`` reads it), empty ones left out.
    """
    if any(request.path_info.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDE):
        return None
    if not request.META.get("QUERY_STRING"):
        # Most requests, and the hits that must stay cheap: nothing to reduce, no URL to
        # resolve. A path that is no page is a 404, and a 404 is never stored.
        return "", True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    kept, cacheable = [], True
    for name, pattern in declared_parameters(match.func).items():
        value = request.GET.get(name, "")
        if value:
            kept.append((name, value))
            cacheable = cacheable and pattern is not None and bool(pattern.fullmatch(value))
    return urlencode(kept), cacheable


def page_key(request):
    """The cache key of the page ``request`` (already reduced by ``page_query``) asks for."""
    query = request.META.get("QUERY_STRING", "")
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"pagecache:page:{digest}"


def _anonymous(request):
    # Whoever is logged in sends a session cookie, so a request without one is anonymous. Telling
    # by the cookie, not by ``request.user``, lets this middleware run before sessions and
    # authentication: a hit skips them, and everything below it, altogether.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _cacheable_response(response):
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the cache; name what each page shows, for proxies too.

    It sits near the top of ``MIDDLEWARE``, below the security middleware (an https redirect
    comes first) and conditional GET (a hit can still answer 304). A miss goes through the rest
    of the stack while ``pagecache.keys`` collects the keys of what it reads; the response goes
    out with them in the ``xkey`` header, for the front cache, and is stored with every header
    the stack added (CSP, framing, ``Vary``) and the versions its keys had, so a hit replays it
    without running the stack, for as long as none of its keys is purged.

    The query string of every public GET is reduced to what the page reads (``page_query``),
    whether the cache is on or not, logged in or not: a view behaves the same in the tests,
    in development and in production, and cannot render a parameter its key leaves out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = page_query(request) if request.method in ("GET", "HEAD") else None
        if page is not None:
            query, cacheable = page
            if query != request.META.get("QUERY_STRING", ""):
                request.META["QUERY_STRING"] = query
                request.GET = QueryDict(query)
        if page is None or not cacheable or not _anonymous(request):
            return self._uncached(request)
        # As CommonMiddleware would, further down: a Host that is not allowed is a 400, and a
        # hit must not answer it either.
        request.get_host()

        storing = bool(settings.PAGE_CACHE_TIMEOUT)
        upcoming = None
        if storing:
            # One round trip for the page and the schedule, one for its keys' versions.
            key = page_key(request)
            values = cache.get_many([NEXT_CHANGE_KEY, key])
            upcoming = versions.next_change(values)
            stored = values.get(key)
            if stored is not None:
                stored_versions, response = stored
                if versions.still_current(stored_versions):
                    _expire_by_schedule(response, stored_versions, upcoming)
                    response["X-Cache"] = "hit"
                    return response

        started = time.time_ns()
        with keys.collect() as collected:
            response = self.get_response(request)
        if not _cacheable_response(response):
            return response
        names = collected.names()
        response[KEYS_HEADER] = " ".join(names)
        etag = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["ETag"] = f'"{etag}"'
        front_max_age = _front_max_age()
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
        if front_max_age:
            patch_cache_control(response, s_maxage=front_max_age)
        if not storing:
            if front_max_age:
                _expire_by_schedule(response, names, versions.next_change())
            return response
        stored_versions = versions.versions_of(names, started)
        if stored_versions is None:
            # Something it shows changed while it rendered: it may show what came before.
            patch_cache_control(response, max_age=0, s_maxage=0)
            response["X-Cache"] = "miss"
            return response
        response["Last-Modified"] = http_date(versions.last_modified(stored_versions))
        _expire_by_schedule(response, names, upcoming)
        cache.set(key, (stored_versions, response), settings.PAGE_CACHE_TIMEOUT)
        response["X-Cache"] = "miss"
        return response

    def _uncached(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _front_max_age():
    """How long a front cache may keep a page: a day, when it is one the purges reach
    (``FRONT_CACHE_URLS``); otherwise proxies keep it as long as browsers do."""
    return settings.PAGE_CACHE_FRONT_MAX_AGE if getattr(settings, "FRONT_CACHE_URLS", None) else 0


def _expire_by_schedule(response, names, upcoming):
    """A page showing what a scheduled change will change is fresh, to browsers and proxies,
    only until then: the front cache comes back for it without being told."""
    moment, scheduled = upcoming
    if not scheduled or set(scheduled).isdisjoint(names):
        return
    remaining = max(0, math.ceil(moment - time.time()))
    patch_cache_control(response, max_age=min(remaining, settings.PAGE_CACHE_MAX_AGE))
    if front_max_age := _front_max_age():
        patch_cache_control(response, s_maxage=min(remaining, front_max_age))
