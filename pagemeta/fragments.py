"""Parts of public pages rendered once per content version and reused: a review's head, its
aside (the film's infobox and credits, its albums with their srcset, its tags), its related
reviews, its JSON-LD.

A fragment is stored in Django's cache with the surrogate keys collected while it rendered
(``pagecache.keys``), with those its page had collected before it (the rows a view read and
handed to the template: the review itself, its film), and with the version each key had when
the page began (``pagecache.versions``), as the page cache stores a page. It is served only
while none of its keys has been purged since, and serving it adds its keys to the page
(``keys.add``): the page's ``xkey`` header and the page cache know what the fragment shows. A
change that purges a key makes every fragment holding it stale; nothing else does. A fragment
is named by what it is (``"review-aside:12"``); its keys say when it is stale.

A page reads its fragments in two round trips (``preload``), the first of which also reads
the schedule, so a scheduled review's go-live (which changes lists of reviews without a write)
purges its keys before a fragment listing reviews is served. Only fragments whose bytes depend
on content alone belong here, never a preview's or a share link's. ``FRAGMENT_CACHE_TIMEOUT``
(seconds; 0 turns fragments off, as the tests do) bounds how long one is kept. Bump
``VERSION`` when a fragment's template or code changes its bytes, so that a deploy does not
serve what the old code rendered.
"""

import functools
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache

from pagecache import keys, versions

VERSION = 3
PREFIX = f"fragment:{VERSION}:"
DEFAULT_TIMEOUT = 24 * 60 * 60


def timeout():
    return getattr(settings, "FRAGMENT_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def preload(request, *names):
    """Read the fragments ``names`` of the page ``request`` is for, and check their keys, in
    two round trips to the cache, not two each; a scheduled change that is due is purged
    first (``versions.next_change``), so a list of reviews is never served from before it."""
    if not timeout():
        return
    cache_keys = [PREFIX + name for name in names]
    values = cache.get_many([versions.NEXT_CHANGE_KEY, *cache_keys])
    versions.next_change(values)
    pairs = zip(names, cache_keys, strict=True)
    found = {name: values[key] for name, key in pairs if key in values}
    merged, conflicting = {}, False
    for stored_versions, _text in found.values():
        for key, version in stored_versions.items():
            conflicting |= merged.setdefault(key, version) != version
    if found and not conflicting and versions.still_current(merged):
        current = found
    else:  # One of them is stale (or they disagree): each on its own.
        current = {
            name: stored for name, stored in found.items() if versions.still_current(stored[0])
        }
    request.fragments_preloaded = {name: current.get(name) for name in names}


def cached(name, render, prepare=None, request=None):
    """The fragment ``name``: from the cache while it is current, else ``render()`` (after
    ``prepare()``, which fetches what only a rendering needs) and stored. ``request``'s
    ``fragments_since`` (``PageMixin`` records when the page began reading) bounds what may be
    stored: a key purged after it makes the rendering one not to store; and what ``preload``
    read for it is used."""
    seconds = timeout()
    if not seconds:
        return _render(render, prepare)
    cache_key = PREFIX + name
    preloaded = getattr(request, "fragments_preloaded", None) or {}
    if name in preloaded:
        stored = preloaded.pop(name)
        if stored is not None:
            keys.add(*stored[0])
            return stored[1]
    else:
        stored = cache.get(cache_key)
        if stored is not None:
            stored_versions, text = stored
            if versions.still_current(stored_versions):
                keys.add(*stored_versions)
                return text
    started = getattr(request, "fragments_since", None) or time.time_ns()
    with keys.collect() as collected:
        text = _render(render, prepare)
    page = keys.current()
    if page is not None:
        collected = page  # It holds what the fragment collected too, now that it is done.
    stored_versions = versions.versions_of(collected.names(), started)
    # None: something it shows changed while it rendered, and it may show what came before.
    if stored_versions is not None:
        cache.set(cache_key, (stored_versions, text), seconds)
    return text


def _render(render, prepare):
    if prepare is not None:
        prepare()
    return render()


class JsonLd(Mapping):
    """A page's schema.org data block as a fragment: ``build()`` (a dict) turned into its
    ``<script>`` element once per content version (``{% json_ld %}``). Read as a mapping (in a
    test), it is the dict, built then."""

    def __init__(self, name, build, prepare=None, request=None, cached=True):
        self.name, self.build, self.prepare = name, build, prepare
        self.request, self.use_cache = request, cached

    def html(self, render):
        if not self.use_cache:
            return _render(lambda: render(self.build()), self.prepare)
        return cached(self.name, lambda: render(self.build()), self.prepare, self.request)

    @functools.cached_property
    def data(self):
        return _render(self.build, self.prepare)

    def __getitem__(self, key):
        return self.data[key]

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)
