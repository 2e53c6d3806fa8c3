"""The public page cache: whole anonymous GET responses, invalidated by a content version.

Every save, delete or relation change of a model in ``settings.PAGE_CACHE_APPS`` bumps one
version number; each cached page is stored with the version it was rendered at and served only
while that is the current one, so an edit, a publish or a withdrawal makes every cached page
stale at once. A scheduled review needs no write to go live,
so the earliest future publish time is kept beside the version: the first request after it
bumps the version too. Staff (anyone logged in), the admin, and responses that say
``private``/``no-store`` are never cached, so previews and share links of drafts never are.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

VERSION_KEY = "pagecache:version"
NEXT_CHANGE_KEY = "pagecache:next-change"
_NO_SCHEDULE = float("inf")


def bump_version(**kwargs):
    sender = kwargs.get("sender")
    if sender is not None and sender._meta.app_label not in settings.PAGE_CACHE_APPS:
        return
    # time_ns() keeps versions increasing across processes and cache restarts.
    cache.set_many({VERSION_KEY: time.time_ns(), NEXT_CHANGE_KEY: None}, None)


def connect_signals():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(bump_version, dispatch_uid=f"pagecache-{id(signal)}")


_schedules = []


def register_schedule(next_change):
    """Register ``next_change(now) -> datetime | None``: when content goes live by itself."""
    _schedules.append(next_change)


def _next_scheduled_change():
    """Unix time of the next scheduled change, or infinity when none is due."""
    from django.utils import timezone

    now = timezone.now()
    moments = [moment for schedule in _schedules if (moment := schedule(now)) is not None]
    return min(moments).timestamp() if moments else _NO_SCHEDULE


def current_version(values=None):
    """The content version; ``values`` may hold what a ``get_many`` already read of it."""
    if values is None:
        values = cache.get_many([VERSION_KEY, NEXT_CHANGE_KEY])
    version = values.get(VERSION_KEY)
    next_change = values.get(NEXT_CHANGE_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    if next_change is None:
        next_change = _next_scheduled_change()
        cache.set(NEXT_CHANGE_KEY, next_change, None)
    if time.time() >= next_change:
        bump_version()
        return current_version()
    return version


def _cacheable_request(request):
    if not settings.PAGE_CACHE_TIMEOUT or request.method not in ("GET", "HEAD"):
        return False
    if any(request.path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDE):
        return False
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
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_store=True)
            return response

        # One round trip to the cache for a hit: the page is stored under its URL with the
        # version it was rendered at, and read together with the current version. A page from
        # an older version is a miss, and the new rendering replaces it.
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"pagecache:page:{request.method}:{digest}"
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
