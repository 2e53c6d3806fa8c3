# Cuesheet: `make run` serves the demo site, `make test` runs every check CI runs.
# Both build .venv from pyproject.toml on first use; nothing else needs installing by hand.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
# Rewritten after each install: a newer uv.lock, or other EXTRAS, triggers a sync.
STAMP = $(VENV)/.installed$(foreach extra,dev $(EXTRAS),-$(extra))
UV := $(VENV)/tools/bin/uv
# uv installs into this .venv with its interpreter, and never reaches for a Python of its own,
# and writes the packages' bytecode as it installs them: where PYTHONDONTWRITEBYTECODE is set (as
# on CI machines), every process would otherwise compile Django from source (django.setup() 1.0 s
# against 0.38 s, each test worker's start 6.0 s against 2.4 s).
UV_RUN := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON=$(PY) UV_PYTHON_DOWNLOADS=never \
	UV_COMPILE_BYTECODE=1 $(UV)
# Extras installed beside dev: EXTRAS=s3 for media on object storage.
EXTRAS ?=
SYNC := sync --locked $(foreach extra,dev $(EXTRAS),--extra $(extra))

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs in this process.
# loadgroup keeps tests that share one outside resource (a Redis database) on one worker.
PYTEST_WORKERS ?= auto
# pytest rewrites the asserts of each test module and of its plugins' packages (schemathesis and
# hypothesis among them), and keeps the result only where bytecode may be written: with
# PYTHONDONTWRITEBYTECODE set (as on CI machines) every worker, and every run, rewrote and
# compiled them all again. Collecting the suite took 14.1 s of CPU; 5.6 s once they are kept.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Interpreters tried, in order, for a new .venv; the first that is Python 3.12 or newer wins.
# PYTHON=/path/to/python overrides. pyenv's shims only answer inside this repo (.python-version).
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON_CANDIDATES := $(PYTHON) python3.12 $(PYENV_ROOT)/shims/python3.12 \
	$(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python) python3.13 python3.14 \
	$(wildcard $(PYENV_ROOT)/versions/3.1[3-9]*/bin/python) python3

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test lint format check pytest clean serve bench lock upgrade

help:
	@echo "make run      serve the demo site on http://$(HOST):$(PORT)/ (PORT=... to change)"
	@echo "make test     lint, Django checks, pytest on SQLite (and on PostgreSQL if DATABASE_URL says so)"
	@echo "make lint     ruff check, ruff format --check and the layer contract (lint-imports)"
	@echo "make format   ruff --fix and ruff format"
	@echo "make check    manage.py check and makemigrations --check"
	@echo "make pytest   the test suite only (PYTEST_ARGS=... to pass options)"
	@echo "make clean    remove .venv and caches (db.sqlite3 and media/ stay)"
	@echo "make serve    production-like: Varnish before gunicorn + whitenoise + the local Redis (DATABASE_URL, CACHE_URL, SITE_URL, APP_SERVERS)"
	@echo "make lock     re-lock uv.lock after editing pyproject.toml (keeps every other pin)"
	@echo "make upgrade  upgrade every pin in uv.lock (PACKAGE=pillow for one), then make test"
	@echo "make bench    load-test every page type on SQLite and PostgreSQL, and the front cache (docs/)"

$(PY):
	@py=""; \
	for candidate in $(PYTHON_CANDIDATES); do \
		if command -v "$$candidate" >/dev/null 2>&1 && \
			"$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
			py="$$candidate"; break; \
		fi; \
	done; \
	if [ -z "$$py" ]; then \
		echo "Cuesheet needs Python 3.12 or newer and found none." >&2; \
		echo "Tried: $(strip $(PYTHON_CANDIDATES))" >&2; \
		echo "Install one (for example 'pyenv install 3.12') or name it: make PYTHON=/path/to/python3.12 ..." >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
	"$$py" -m venv --clear $(VENV) || { rm -rf $(VENV); exit 1; }

# uv, pinned with its hashes, in a folder of its own so that syncing never removes it.
$(UV): requirements-uv.txt $(PY)
	@echo "Installing uv into $(VENV)/tools from requirements-uv.txt"
	$(PY) -m pip install --quiet --require-hashes --no-deps --upgrade --target $(VENV)/tools \
		-r requirements-uv.txt
	@touch $@

# Every dependency at the version and hashes uv.lock names; --locked fails, rather than
# re-resolving, when pyproject.toml has moved on without the lock (see "Upgrading").
$(STAMP): uv.lock pyproject.toml $(UV)
	@echo "Installing Cuesheet's dependencies into $(VENV) from uv.lock"
	$(UV_RUN) $(SYNC) --quiet
	@rm -f $(VENV)/.installed*
	@touch $@

install: $(STAMP)

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) loaddata tron
	$(MANAGE) draw_demo_images --attach
	@echo
	@echo "Site:  http://$(HOST):$(PORT)/"
	@echo "Admin: http://$(HOST):$(PORT)/admin/"
	@$(MANAGE) ensure_demo_editor
	@echo
	$(MANAGE) runserver $(HOST):$(PORT)

test: lint check pytest

lint: install
	$(UV_RUN) lock --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# SQLite always; PostgreSQL too when DATABASE_URL names one (CI sets it: see .ci/run). The second
# run goes ahead even when the first fails, so that one CI run shows the failures of both.
pytest: install
	@status=0; \
	echo "pytest on SQLite"; \
	DATABASE_URL=sqlite:///db.sqlite3 $(PYTEST) $(PYTEST_ARGS) || status=1; \
	case "$${DATABASE_URL:-}" in \
		postgres://*|postgresql://*|pgsql://*) \
			echo "pytest on PostgreSQL at $${DATABASE_URL#*@}"; \
			$(PYTEST) $(PYTEST_ARGS) || status=1 ;; \
		*) echo "DATABASE_URL does not name PostgreSQL: no PostgreSQL run." ;; \
	esac; \
	exit $$status

# A production-like server on http://$(HOST):$(PORT)/: Varnish (config/varnish/cuesheet.vcl), the
# front cache, on that port, in front of APP_SERVERS gunicorns (default 1; config/gunicorn.py,
# each with WEB_CONCURRENCY workers, default 2) on the ports after it (APP_PORTS=... to choose),
# started and stopped together by config/serve.py. Varnish serves anonymous readers from memory,
# passes the admin and anyone logged in, and is purged by surrogate key on every change
# (FRONT_CACHE_URLS, set for the app servers; docs/front-cache.md). It needs Debian's varnish and
# varnish-modules (vmod xkey): `make serve` says so and stops if they are missing rather than
# installing packages as a side effect (.ci/run installs them in CI).
# The app runs config.settings_production (DEBUG off), whitenoise serving the
# collected, hashed, compressed static files with far-future caching. DATABASE_URL chooses the
# database, as in production. CACHE_URL defaults to the local Redis (db 0), a cache every worker
# and app server shares: with a cache per worker an edit or a withdrawal would reach one worker's
# cached pages only, and production refuses that (config/env.py). SITE_URL, the address every
# absolute URL is built on, defaults to http://$(HOST):$(PORT). The secret key is made once, into
# var/secret_key (gitignored), unless SECRET_KEY is set. This serves plain http on loopback, so
# the https-only settings are turned off: SECURE_SSL_REDIRECT would send every request to an
# https:// that nothing serves, secure cookies never come back over http (no admin login: the
# CSRF cookie is missing), and HSTS, should a local TLS proxy ever front this server, would pin
# https on localhost, every port of it, for a year. Local media is served by Django here
# (SERVE_MEDIA=1); in production a proxy or the object store serves it.
serve: install
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(64))' > var/secret_key
	@test -n "$${CACHE_URL:-}" || echo "CACHE_URL is not set: caching in the local Redis, redis://127.0.0.1:6379/0, shared by every worker"
	@test -n "$${SITE_URL:-}" || echo "SITE_URL is not set: building absolute URLs on http://$(HOST):$(PORT)"
	export DJANGO_SETTINGS_MODULE=config.settings_production \
		SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
		CACHE_URL="$${CACHE_URL:-redis://127.0.0.1:6379/0}" \
		SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" \
		SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0 SERVE_MEDIA=1 \
		HOST=$(HOST) PORT=$(PORT) && \
	$(PY) config/serve.py --check && \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	exec $(PY) config/serve.py

# Not a test: generates 10,000 reviews (kept in var/ between runs), boots `make serve`'s stack on
# SQLite and on PostgreSQL with Redis, drives every page type with wrk, and writes
# docs/benchmarks.md. About 15 minutes; needs wrk and nginx (bench/run.py installs them).
# BASE=<rev> HEAD=<rev>: the commits compared (default: the working tree against its branch's
# merge-base with the upstream, or HEAD~1; BASE=none for none); see docs/benchmarks.md.
# Then the front cache (bench/frontcache.py: Varnish against nginx, the hit ratio while an
# editor saves every second, purge to fresh), into docs/front-cache-bench.md.
bench: install
	$(PY) bench/run.py $(if $(BASE),--base $(BASE)) $(if $(HEAD),--head $(HEAD)) $(BENCH_ARGS)
	$(if $(findstring --instructions-only,$(BENCH_ARGS)),,$(PY) bench/frontcache.py $(FRONTCACHE_BENCH_ARGS))

# A deliberate upgrade, in its own commit whose tests run: `make upgrade` (or PACKAGE=name),
# then `make test`, then commit uv.lock.
lock: $(UV)
	$(UV_RUN) lock

upgrade: $(UV)
	$(UV_RUN) lock $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)
	$(UV_RUN) $(SYNC)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info staticfiles
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
