from django.apps import AppConfig


class RequestlogConfig(AppConfig):
    """One JSON line per request, and the client address behind trusted proxies."""

    name = "requestlog"
    verbose_name = "Request log"
