"""Production: the same settings, with DEBUG off unless the environment says otherwise.

Everything else comes from the environment (see the README): DATABASE_URL (PostgreSQL),
CACHE_URL (Redis), SECRET_KEY (required: the development key is refused), SITE_URL (required),
ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, WEB_CONCURRENCY, LOG_LEVEL, EMAIL_BACKEND (SMTP by default).
"""

import os

os.environ.setdefault("DEBUG", "0")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.env import require_shared_cache, web_concurrency  # noqa: E402
from config.settings import *  # noqa: E402, F403

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("Production settings refuse DEBUG=1.")
if not SECRET_KEY or len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
if not os.environ.get("SITE_URL"):
    raise ImproperlyConfigured(
        "Set SITE_URL to the site's public address, such as https://cuesheet.example: "
        "canonical links, feeds, sitemaps and share links are built from it."
    )
# gunicorn checks again with the number of workers it actually starts (config/gunicorn.py).
require_shared_cache(CACHES["default"], web_concurrency())  # noqa: F405
# Mail (a writer's invitation with its set-password link) goes by SMTP to a relay on this host,
# unless EMAIL_BACKEND names another backend; the development default only prints to the console.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    }
}
