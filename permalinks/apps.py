from django.apps import AppConfig


class PermalinksConfig(AppConfig):
    name = "permalinks"
    verbose_name = "Links that never break"
