"""Cuesheet settings: the one authoritative module.

Everything that differs between a laptop and production is read from the environment, with
defaults that are safe for local development. ``config.settings_test`` and
``config.settings_production`` are thin overrides of this module.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_cache_url,
    parse_database_url,
    parse_site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "django-insecure-cuesheet-development-only"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Earlier keys, newest first, still accepted for what they signed (sessions, share links) while a
# new SECRET_KEY signs everything new: README, "Share links and rotating the secret key".
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DEBUG", True)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the development key is refused when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "reversion",
    "crispy_forms",
    "crispy_bootstrap5",
    "editorial",
    "images",
    "pagecache",
    "pagemeta",
    "requestlog",
    "logins",
    "permalinks",
    "films",
    "soundtracks",
    "reviews",
    "sitewide",
    "planning",
    "api",
    "backups",
    "demo",
]

MIDDLEWARE = [
    "requestlog.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Above sessions, authentication and the rest: a cache hit skips them all and is replayed
    # with the headers they added when the page was rendered (pagecache.middleware).
    "pagecache.middleware.PublicPageCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a view's 404 into the redirect of its old address, and sees no other page.
    "permalinks.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"), BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default, for runserver and the tests (one process). `make serve` defaults to
# Redis, and production refuses a per-process cache with several workers (config.env.
# require_shared_cache): the page cache's version and login throttling must be shared.
CACHES = {"default": parse_cache_url(env_str("CACHE_URL", "locmem://"))}
# Whole public pages for anonymous readers (pagecache.middleware), keyed on the path and the query
# parameters the page reads, and named by the surrogate keys of what they show: a change to these
# apps' rows purges the pages showing it (pagecache.keys). PAGE_CACHE_TIMEOUT=0 turns the
# in-process page cache off; the keys still go out, for a front cache. Browsers keep a page
# PAGE_CACHE_MAX_AGE seconds; a front cache that is purged (Varnish, a CDN) a day.
PAGE_CACHE_APPS = ["films", "soundtracks", "reviews", "images"]
# /api/ answers with its own ETags and a minute's max-age (api.http): its lists read parameters
# (limit, offset, updated_since) the page cache would take off the request.
PAGE_CACHE_EXCLUDE = ["/admin/", "/healthz", "/api/"]
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 600)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60)
PAGE_CACHE_FRONT_MAX_AGE = env_int("PAGE_CACHE_FRONT_MAX_AGE", 86400)
# Parts of pages rendered once per content version (pagemeta.fragments), invalidated by the same
# keys; how long one is kept at most. 0 turns them off (the tests do).
FRAGMENT_CACHE_TIMEOUT = env_int("FRAGMENT_CACHE_TIMEOUT", 86400)
# The front caches a change purges by surrogate key (pagecache.frontcache): the base URLs of the
# Varnish servers in front of the app, comma-separated, such as http://127.0.0.1:8000. Empty (the
# default): no front cache, nothing is sent. `make serve` sets it to its own Varnish.
FRONT_CACHE_URLS = env_list("FRONT_CACHE_URLS")
# An edit that removes and moves nothing purges its pages soft: marked stale, served to the next
# reader while the front cache fetches them again (pagecache.keys.purge). 0 purges every change
# hard, for a front cache without soft purges (docs/front-cache.md).
FRONT_CACHE_SOFT_PURGE = env_bool("FRONT_CACHE_SOFT_PURGE", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Serve MEDIA_ROOT through Django (development, `make serve`); a proxy or S3 does in production.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files with far-future caching when collected; plain files in DEBUG.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security headers, the same in every environment so that tests and development see them.
# Scripts run only from this origin (or with the per-request nonce); no inline scripts or styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Admin logins (logins.forms): after this many failures for one account, or this many from one
# client address (higher: a newsroom may share one), wait this long.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_ADDRESS_LIMIT = env_int("LOGIN_FAILURE_ADDRESS_LIMIT", 50)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
# How many proxies in front of the app append to X-Forwarded-For; 0 (no proxy): the client is
# REMOTE_ADDR (requestlog.middleware.client_address; README, "Logins, and running behind a proxy").
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is a number of proxies: 0 or more.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"message": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "message"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # One JSON line per request (requestlog.middleware.RequestLogMiddleware).
        "cuesheet.request": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # Replaced by the line above; runserver's own access log would double it.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}

# The public site's name, used in titles, feeds and structured data.
SITE_NAME = "Cuesheet"
# Reviews rate the albums they cover in whole numbers from 1 to this (no half steps: ten steps
# already say more than readers tell apart, and the ratings before this were whole numbers out
# of 10). Each rating keeps the scale it was given on, so changing this rates anew on the new
# scale and leaves "8 out of 10" meaning what it meant.
REVIEW_RATING_SCALE = 10
# The public site's address. Every absolute URL the site emits (canonical links, Open Graph,
# JSON-LD, feeds, sitemaps, robots.txt, share links) starts with it and never with the request's
# Host header, so no request can put another host into a page the cache serves to everyone.
# Production requires it (config.settings_production).
SITE_URL = parse_site_url(env_str("SITE_URL", "http://127.0.0.1:8000"))
# Mail (a writer's invitation, reviews.invite): printed on the console unless EMAIL_BACKEND
# names another backend (an SMTP server's host and login then go in this mailer's "OPTIONS").
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cuesheet <cuesheet@localhost>")

# Images (images). Uploads over either limit are refused with a form error before a pixel
# is decoded: 10 MB is ample for a poster or a photo exported for the web; 40 megapixels takes
# a full-frame camera's picture (about 120 MB once decoded) but not a decompression bomb.
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
# WebP renditions are made at these widths (never wider than the original) when an image is saved.
IMAGE_RENDITION_WIDTHS = [
    int(width) for width in env_list("IMAGE_RENDITION_WIDTHS", ["320", "640", "960", "1280"])
]

# Media: files under MEDIA_ROOT by default; S3-compatible object storage when a bucket is named
# (needs the "s3" extra). Credentials come from the usual AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY variables or an instance role, read by boto3 itself, never from here.
if env_str("AWS_STORAGE_BUCKET_NAME"):
    _bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    _custom_domain = env_str("AWS_S3_CUSTOM_DOMAIN")
    _endpoint = env_str("AWS_S3_ENDPOINT_URL")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": _endpoint or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "custom_domain": _custom_domain or None,
            "location": env_str("AWS_LOCATION", "media"),
            # Public media: plain URLs that pages and caches can keep; names are never reused.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    # Images now come from the bucket's host, which the Content-Security-Policy must allow.
    if _custom_domain:
        _media_origins = [f"https://{_custom_domain}"]
    elif _endpoint:
        # A custom endpoint serves path-style URLs: scheme://host[:port]/bucket/…
        _media_origins = ["/".join(_endpoint.split("/")[:3])]
    else:
        _media_origins = [f"https://{_bucket}.s3.amazonaws.com"]
        if env_str("AWS_S3_REGION_NAME"):
            _media_origins.append(
                f"https://{_bucket}.s3.{env_str('AWS_S3_REGION_NAME')}.amazonaws.com"
            )
    SECURE_CSP["img-src"] += env_list("MEDIA_ORIGINS", _media_origins)
