import ipaddress
import json
import logging
import time

from django.conf import settings

logger = logging.getLogger("cuesheet.request")

#: Longer than any address with a port and an IPv6 zone; anything longer is not an address.
_LONGEST_ADDRESS = 64


def parse_address(value):
    """``value`` as a normalised IP address string, or ``None`` if it is not one.

    Takes what proxies write: ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``,
    ``[2001:db8::1]:443``. An IPv4 address written as IPv6 (``::ffff:1.2.3.4``) is the IPv4
    address, so one client cannot count as two.
    """
    value = (value or "").strip()
    if not value or len(value) > _LONGEST_ADDRESS:
        return None
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_address(request):
    """The address of the client that sent ``request``: the one place the app reads it.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default) that is the connection's own address,
    ``REMOTE_ADDR``. Behind N proxies that each append the address they saw to
    ``X-Forwarded-For``, it is the Nth entry from the right: entries further left were written by
    the client and prove nothing. A header shorter than N entries, or whose entry there is not an
    address, did not come through the proxies as configured, and the connection's address is
    used instead, which the client cannot forge.
    """
    remote = parse_address(request.META.get("REMOTE_ADDR")) or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", count)
    if len(hops) < count:
        return remote
    return parse_address(hops[-count]) or remote


class RequestLogMiddleware:
    """One structured (JSON) log line per request: method, path, status, duration, client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                json.dumps(
                    {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "bytes": len(response.content) if not response.streaming else None,
                        "user": request.user.pk
                        if getattr(request, "user", None) and request.user.is_authenticated
                        else None,
                        "client": client_address(request),
                    },
                    separators=(",", ":"),
                )
            )
        return response
