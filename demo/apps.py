from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Tron demo: illustrations, a demo editor, and generated content for benchmarks."""

    name = "demo"
    verbose_name = "Demo content"
