"""The version of each surrogate key, which a cached page is checked against, and the schedule.

A purge sets each of its keys' version to the time it happened. A page is stored with the
versions of its keys as they were when it rendered, and served only while every one is still
the same: an edit makes stale exactly the pages that showed what it changed. Versions are
times (``time_ns``), so they increase across processes and cache restarts, and a page whose
keys were purged while it rendered (a version newer than the request) is not stored at all.

A scheduled review goes live with no write, so the next scheduled change, and the keys it will
purge, are kept beside the versions: the first request after it purges them, and a page holding
one of those keys is told to proxies as fresh only until then.
"""

import time

from django.core.cache import cache

KEY_PREFIX = "pagecache:key:"
NEXT_CHANGE_KEY = "pagecache:next-change"
_NO_SCHEDULE = (float("inf"), ())


def _cache_key(key):
    return KEY_PREFIX + key


def bump(keys):
    """Purge ``keys`` from the page cache: every page stored with one of them is stale."""
    now = time.time_ns()
    values = {_cache_key(key): now for key in keys}
    # The schedule is read again: the change may have scheduled, moved or published a review.
    values[NEXT_CHANGE_KEY] = None
    cache.set_many(values, None)


def versions_of(keys, since):
    """The current versions of ``keys`` as ``{key: version}``, or None if any of them changed
    after ``since`` (a ``time_ns``): a page rendered since then may show what came before.

    A key no version is recorded for (never purged yet, or evicted) is given one now: the
    negative of the time, which says "first seen", not "purged", so that other pages rendering
    at the same time may be stored under it too; it differs from whatever the key had before an
    eviction, so a page stored before one is never served after it.
    """
    cache_keys = [_cache_key(key) for key in keys]
    found = cache.get_many(cache_keys)
    missing = [cache_key for cache_key in cache_keys if cache_key not in found]
    for cache_key in missing:
        cache.add(cache_key, -time.time_ns(), None)
    if missing:
        found |= cache.get_many(missing)
    result = {}
    for key, cache_key in zip(keys, cache_keys, strict=True):
        version = found.get(cache_key)
        if version is None or version > since:
            return None
        result[key] = version
    return result


def last_modified(stored):
    """Unix time of the newest purge or first sighting among a page's key versions."""
    return max(abs(version) for version in stored.values()) / 1e9


def still_current(stored):
    """Whether every key of a stored page, ``{key: version}``, has the version it had."""
    if not stored:
        return False
    keys = list(stored)
    found = cache.get_many([_cache_key(key) for key in keys])
    return all(found.get(_cache_key(key)) == stored[key] for key in keys)


_schedules = []


def register_schedule(next_change):
    """Register ``next_change(now) -> (datetime, keys) | None``: when content goes live by
    itself, and the keys of what it changes then."""
    _schedules.append(next_change)


def _next_scheduled_change():
    from django.utils import timezone

    now = timezone.now()
    upcoming = [change for schedule in _schedules if (change := schedule(now)) is not None]
    if not upcoming:
        return _NO_SCHEDULE
    moment = min(when for when, _ in upcoming)
    keys = sorted({key for when, keys in upcoming if when == moment for key in keys})
    return moment.timestamp(), tuple(keys)


def next_change(values=None):
    """``(unix time, keys)`` of the next scheduled change, purging those of one that is due;
    ``values`` may hold what a ``get_many`` already read of ``NEXT_CHANGE_KEY``."""
    found = (values or {}).get(NEXT_CHANGE_KEY) if values else cache.get(NEXT_CHANGE_KEY)
    if found is None:
        found = _next_scheduled_change()
        cache.set(NEXT_CHANGE_KEY, found, None)
    moment, keys = found
    if time.time() >= moment:
        from pagecache.keys import purge

        purge(keys)  # bumps the keys and forgets the schedule, which is then read again
        return next_change({})
    return found
