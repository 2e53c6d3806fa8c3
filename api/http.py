"""What every API response carries, whatever the route: CORS for reads, a weak ETag answered
with 304, and a minute's public caching. Wrapped around each of the API's URL patterns
(``api.urls``), so an error (404, 405, 422) is a read like any other and gets its CORS header.
"""

import hashlib
from functools import wraps

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

MAX_AGE = 60
READ_METHODS = "GET, HEAD, OPTIONS"


def _cors(response):
    # Anyone may read; no credentials are asked for or honoured (no Allow-Credentials).
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = READ_METHODS
    response["Access-Control-Allow-Headers"] = "If-None-Match"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def _etag(content):
    return f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'


def _matches(request, etag):
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    # Weak comparison (RFC 9110 §8.8.3.2): the W/ prefix does not count.
    wanted = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == wanted for tag in parse_etags(header))


def read_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = READ_METHODS
            response["Access-Control-Max-Age"] = "86400"
            return _cors(response)
        if request.method == "HEAD":
            # Answered as a GET; the server sends the headers only.
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            etag = _etag(response.content)
            if _matches(request, etag):
                response = HttpResponseNotModified()
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return _cors(response)

    return wrapped
