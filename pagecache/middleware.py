"""The public page cache: whole anonymous GET responses, invalidated by a content version.

Every save, delete or relation change of a model in ``settings.PAGE_CACHE_APPS`` bumps one
version number; each cached page is stored with the version it was rendered at and served only
while that is the current one, so an edit, a publish or a withdrawal makes every cached page
stale at once. A scheduled review needs no write to go live,
so the earliest future publish time is kept beside the version: the first request after it
bumps the version too. Staff (anyone logged in), the admin, and responses that say
``private``/``no-store`` are never cached, so previews and share links of drafts never are.

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
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from pagecache.versions import NEXT_CHANGE_KEY, VERSION_KEY, current_version

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
    if view is sitemap_views.sitemap:
        return {"p": PAGE_NUMBER}
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
    """Serve anonymous readers from the cache; mark responses so proxies can cache them too.

    It sits near the top of ``MIDDLEWARE``, below the security middleware (an https redirect
    comes first) and conditional GET (a hit can still answer 304). A miss goes through the rest
    of the stack, and the response is stored with every header the stack added (CSP, framing,
    ``Vary``), so a hit replays them without running it.

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
        if page is None or not cacheable or not settings.PAGE_CACHE_TIMEOUT:
            return self._uncached(request)
        if not _anonymous(request):
            return self._uncached(request)
        # As CommonMiddleware would, further down: a Host that is not allowed is a 400, and a
        # hit must not answer it either.
        request.get_host()

        # One round trip to the cache for a hit: the page is stored under its key with the
        # version it was rendered at, and read together with the current version. A page from
        # an older version is a miss, and the new rendering replaces it.
        key = page_key(request)
        values = cache.get_many([VERSION_KEY, NEXT_CHANGE_KEY, key])
        version = current_version(values)
        stored_version, response = values.get(key, (None, None))
        if stored_version == version:
            response["X-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if _cacheable_response(response):
            etag = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response["ETag"] = f'"{etag}"'
            response["Last-Modified"] = http_date(version / 1e9)
            patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
            cache.set(key, (version, response), settings.PAGE_CACHE_TIMEOUT)
            response["X-Cache"] = "miss"
        return response

    def _uncached(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
