from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every content app shares: durations, Markdown, structured data."""

    name = "core"
    verbose_name = "Cuesheet core"

    def ready(self):
        from core import pagecache

        pagecache.connect_signals()
