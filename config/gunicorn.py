"""gunicorn settings for `make serve`, `make bench` and production: ``gunicorn -c config/gunicorn.py
config.wsgi``. Everything an operator tunes comes from the environment."""

import os

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
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Load Django once in the master and fork: quicker starts, memory shared between workers.
preload_app = True

# No access log: core.middleware.RequestLogMiddleware writes one JSON line per request already.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl): a second server on
# the machine (the benchmark, another checkout) would take it over. Nothing here uses it.
control_socket_disable = True
