"""Test settings: the development settings with faster password hashing."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests serve static files through the finders; nothing is collected into STATIC_ROOT.
WHITENOISE_USE_FINDERS = True

# Off by default so tests see each request's own queries; tests/test_pagecache.py turns it on.
PAGE_CACHE_TIMEOUT = 0
# Fragments too (pagemeta.fragments): each request renders, and counts, the whole page;
# tests/test_fragments.py turns them on.
FRAGMENT_CACHE_TIMEOUT = 0

# The test client's own host, so that absolute URLs in tests read as the client asked for them;
# tests/test_site_url.py sets another address and sends other hosts to prove they are ignored.
SITE_URL = "http://testserver"
