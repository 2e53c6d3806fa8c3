"""Settings for `make bench` only: production's (config.settings_production) with the bench's
URLconf, which adds the floor view (bench/urls.py). The product's URLconf knows nothing of it."""

from config.settings_production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
