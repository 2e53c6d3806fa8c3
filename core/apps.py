from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every content app shares: durations, Markdown, structured data."""

    name = "core"
    verbose_name = "Cuesheet core"
