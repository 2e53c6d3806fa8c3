from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """One archive of the whole site, and its restore: ``manage.py backup`` / ``restore``."""

    name = "backups"
    verbose_name = "Backups"
