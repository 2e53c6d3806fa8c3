import json
import logging
import time

logger = logging.getLogger("cuesheet.request")


class RequestLogMiddleware:
    """One structured (JSON) log line per request: method, path, status, duration."""

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
                    },
                    separators=(",", ":"),
                )
            )
        return response
