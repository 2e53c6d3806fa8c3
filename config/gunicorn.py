"""gunicorn settings for `make serve`, `make bench` and production: ``gunicorn -c config/gunicorn.py
config.wsgi``. Everything an operator tunes comes from the environment."""

import os

from config.env import web_concurrency

# HOST and PORT are what `make serve` is given; GUNICORN_BIND overrides both (e.g. a socket).
bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
# The site is CPU-bound Django: about one worker per core, each serving one request at a time,
# behind a proxy that buffers slow clients. Sync workers take a new connection per request, so
# the kernel hands each to whichever worker is free. Threaded workers with keep-alive
# (GUNICORN_WORKER_CLASS=gthread) were tried: hits gained a few percent, but a client's
# kept-alive connections stay with the worker that accepted them, and under make bench one
# worker often held them all, halving uncached throughput.
workers = web_concurrency()
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Load Django once in the master and fork: quicker starts, memory shared between workers.
preload_app = True

# No access log: requestlog.middleware.RequestLogMiddleware writes a JSON line per request.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl): a second server on
# the machine (the benchmark, another checkout) would take it over. Nothing here uses it.
control_socket_disable = True


def on_starting(server):
    """Refuse to start workers that would not share one cache, or a cache that is not there.

    Runs in the master once the application is loaded (``preload_app``), with the number of
    workers gunicorn will actually start, ``-w`` included. An unreachable Redis is reported
    here, in one line, rather than as a 500 on every request.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.cache import cache
    from django.core.exceptions import ImproperlyConfigured

    from config.env import require_shared_cache

    try:
        require_shared_cache(settings.CACHES["default"], server.cfg.workers)
    except ImproperlyConfigured as error:
        raise RuntimeError(str(error)) from None
    try:
        cache.get("pagecache:version")
    except Exception as error:  # Whatever the backend raises when it cannot connect.
        raise RuntimeError(f"The cache (CACHE_URL) cannot be reached: {error}") from None
