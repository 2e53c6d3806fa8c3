from django.apps import AppConfig


class LoginsConfig(AppConfig):
    """Admin login throttling per account and per client address."""

    name = "logins"
    verbose_name = "Logins"
