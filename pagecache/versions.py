"""The content version every cached page is checked against, and what moves it on.

Every save, delete or relation change of a model in ``settings.PAGE_CACHE_APPS`` bumps one
version number; each cached page is stored with the version it was rendered at and served only
while that is the current one, so an edit, a publish or a withdrawal makes every cached page
stale at once. A scheduled review needs no write to go live, so the earliest future publish
time is kept beside the version: the first request after it bumps the version too.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "pagecache:version"
NEXT_CHANGE_KEY = "pagecache:next-change"
_NO_SCHEDULE = float("inf")


def bump_version(**kwargs):
    sender = kwargs.get("sender")
    if sender is not None and sender._meta.app_label not in settings.PAGE_CACHE_APPS:
        return
    _bump()
    _bump_on_commit(kwargs.get("using"))


def _bump_on_commit(using):
    """Bump again when the transaction that made the change commits.

    A reader who reads the version after the first bump but the rows before the commit
    renders the old page, and stores it under the new version: without this second bump that
    page (a withdrawn review, say) would be served until the next change. Outside a
    transaction the change is committed already and the first bump came after it. One
    callback per run of changes is enough: consecutive saves (a bulk load) do not queue one each.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return
    pending = connection.run_on_commit
    if pending and pending[-1][1] is _bump:
        return
    transaction.on_commit(_bump, using=using)


def _bump():
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
