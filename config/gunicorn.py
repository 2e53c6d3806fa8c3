"""gunicorn settings for `make serve`, `make bench` and production: ``gunicorn -c config/gunicorn.py
config.wsgi``. Everything an operator tunes comes from the environment."""

import os

# HOST and PORT are what `make serve` is given; GUNICORN_BIND overrides both (e.g. a socket).
bind = os.environ.get(
    "GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
# The site is CPU-bound Django: about one worker per core, each serving one request at a time
# (GUNICORN_THREADS=1), behind a proxy that buffers slow clients. Threaded workers rather than
# sync ones for keep-alive: a connection serves many requests, which is most of the cost of a
# page-cache hit (make bench: about 1.5x the hits per second, the same for uncached pages).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
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
