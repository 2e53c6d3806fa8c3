"""Purging the front cache by surrogate key: the HTTP cache in front of the app servers.

Every cacheable public response names what it shows in its ``xkey`` header
(``pagecache.middleware``); the front cache (Varnish with vmod xkey, config/varnish/cuesheet.vcl)
indexes those keys, and a change tells it to drop every page holding one of the changed keys:

    frontcache.purge({"review:12", "film:3", "list:review"})

sends to each URL in ``settings.FRONT_CACHE_URLS`` one request (or a few, when the keys would not
fit in one header)::

    PURGE / HTTP/1.1
    xkey-purge: film:3 list:review review:12

which Varnish answers ``200`` after dropping the pages, with the number dropped. A soft purge
(``purge(keys, soft=True)``, header ``xkey-softpurge``) marks the pages stale instead: the next
reader of each is served the stale copy at once while Varnish fetches the page again in the
background, so that an edit which leaves a page where it is costs readers no miss
(``pagecache.keys`` sends edits soft and everything that removes or moves something hard).

It is called from ``transaction.on_commit``, inside the editor's request: it is synchronous,
bounded (``TIMEOUT`` seconds per front cache, the rest of its batches skipped once one fails) and
never raises. A front cache that is down, slow or answers an error is logged, and the save goes
through; its pages expire by their TTL. With ``FRONT_CACHE_URLS`` empty it returns at once.

A key is ``<model_name>:<pk>``, ``list:<model_name>`` or ``all``: printable ASCII without spaces
or commas (which vmod xkey reads as separators). Anything else, a newline above all, is refused
and logged, never sent: a key can neither name other keys nor add a header to the request.

The backend is a small interface (``FrontCache.purge(keys, soft)``); Varnish is the one implemented.
docs/front-cache.md gives the same purge for a CDN (Fastly surrogate keys, Cloudflare cache tags).
"""

import functools
import http.client
import logging
import re
import time
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

#: The request headers naming the keys to purge (vmod xkey's, as config/varnish/cuesheet.vcl reads):
#: a hard purge drops the pages, a soft one marks them stale (served while fetched again).
PURGE_HEADER = "xkey-purge"
SOFT_PURGE_HEADER = "xkey-softpurge"
#: Bytes of keys per request: Varnish refuses a request with a header line over http_req_hdr_len
#: (8 KB by default); well under it, and under any proxy's limit on the way.
MAX_HEADER_BYTES = 4000
#: Seconds a front cache has to answer all of one purge, connection included.
TIMEOUT = 2.0
#: A surrogate key: visible ASCII, no comma (vmod xkey splits on spaces and commas).
KEY = re.compile(r"[!-+\--~]{1,256}")
PURGED = re.compile(rb"purged (\d+)")


class FrontCacheError(Exception):
    """A front cache did not purge: unreachable, too slow, or it answered something else."""


class FrontCache:
    """A front cache that can drop every page holding one of some surrogate keys."""

    def purge(self, keys, soft=False):
        """Drop the pages holding any of ``keys`` (valid keys, see ``valid_keys``); with
        ``soft``, mark them stale, to be served while fetched again, instead.

        Returns how many objects were dropped, when the cache says; raises ``FrontCacheError``.
        """
        raise NotImplementedError


class Varnish(FrontCache):
    """Varnish with vmod xkey, as config/varnish/cuesheet.vcl sets it up: ``PURGE`` with
    ``xkey-purge`` (hard) or ``xkey-softpurge`` (soft), answered ``200`` with ``purged <n>`` in
    the body."""

    def __init__(self, url, timeout=TIMEOUT):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"FRONT_CACHE_URLS: {url!r} is not an http:// or https:// URL.")
        self.url = url
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.path = parts.path or "/"
        self.timeout = timeout

    def __repr__(self):
        return f"Varnish({self.url!r})"

    def _connection(self, timeout):
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def purge(self, keys, soft=False):
        header = SOFT_PURGE_HEADER if soft else PURGE_HEADER
        deadline = time.monotonic() + self.timeout
        purged = 0
        connection = None
        try:
            for batch in batches(keys):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FrontCacheError(f"{self.url}: no answer within {self.timeout:g} s")
                if connection is None:
                    connection = self._connection(remaining)
                elif connection.sock is not None:
                    connection.sock.settimeout(remaining)
                try:
                    connection.request("PURGE", self.path, headers={header: batch})
                    response = connection.getresponse()
                    body = response.read(65536)
                except TimeoutError:
                    raise FrontCacheError(
                        f"{self.url}: no answer within {self.timeout:g} s"
                    ) from None
                except (OSError, http.client.HTTPException) as error:
                    raise FrontCacheError(f"{self.url}: {error!r}") from None
                if response.status != 200:
                    raise FrontCacheError(
                        f"{self.url} answered {response.status} {response.reason}: {body[:200]!r}"
                    )
                if response.will_close:
                    connection.close()
                    connection = None
                if match := PURGED.search(body):
                    purged += int(match[1])
        finally:
            if connection is not None:
                connection.close()
        return purged


def valid_keys(keys):
    """``keys`` (an iterable of strings; one string is one key) as a sorted list of the valid
    ones, each once; the others are logged and left out."""
    if isinstance(keys, str):
        keys = [keys]
    valid = set()
    for key in keys:
        if isinstance(key, str) and KEY.fullmatch(key):
            valid.add(key)
        else:
            logger.warning("Front cache: not a surrogate key, not purged: %r", key)
    return sorted(valid)


def batches(keys, limit=MAX_HEADER_BYTES):
    """Valid ``keys`` as header values of at most ``limit`` bytes, keys separated by spaces."""
    batch, size = [], 0
    for key in keys:
        if batch and size + 1 + len(key) > limit:
            yield " ".join(batch)
            batch, size = [], 0
        size += len(key) + (1 if batch else 0)
        batch.append(key)
    if batch:
        yield " ".join(batch)


@functools.lru_cache(maxsize=8)
def front_caches(urls):
    """The front caches ``urls`` (a tuple, ``settings.FRONT_CACHE_URLS``) name."""
    return tuple(Varnish(url) for url in urls)


def purge(keys, soft=False):
    """Tell every front cache in ``settings.FRONT_CACHE_URLS`` to drop the pages holding ``keys``
    (with ``soft``, to mark them stale: served while they are fetched again).

    Returns how many objects the front caches said they dropped (0 with no front cache). Never
    raises: a front cache that fails is logged (``pagecache.frontcache``, level ERROR) and the
    others are still purged.
    """
    urls = settings.FRONT_CACHE_URLS
    if not urls:
        return 0
    keys = valid_keys(keys)
    if not keys:
        return 0
    try:
        caches = front_caches(tuple(urls))
    except ValueError as error:
        logger.error("Front cache not purged: %s", error)
        return 0
    purged = 0
    for cache in caches:
        started = time.monotonic()
        try:
            purged += cache.purge(keys, soft=soft)
        except FrontCacheError as error:
            logger.error("Front cache not purged of %d keys: %s", len(keys), error)
        except Exception:  # Never the editor's save: whatever else went wrong is logged.
            logger.exception("Front cache %s not purged of %d keys", cache.url, len(keys))
        else:
            logger.debug(
                "Front cache %s %spurged of %d keys in %.1f ms",
                cache.url,
                "soft-" if soft else "",
                len(keys),
                (time.monotonic() - started) * 1000,
            )
    return purged
