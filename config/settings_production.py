"""Production: the same settings, with DEBUG off unless the environment says otherwise.

Everything else comes from the environment (see the README): DATABASE_URL (PostgreSQL),
CACHE_URL (Redis), SECRET_KEY (required: the development key is refused), ALLOWED_HOSTS,
CSRF_TRUSTED_ORIGINS, LOG_LEVEL.
"""

import os

os.environ.setdefault("DEBUG", "0")

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.settings import *  # noqa: E402, F403

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("Production settings refuse DEBUG=1.")
if not SECRET_KEY or len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
