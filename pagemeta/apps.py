from django.apps import AppConfig


class PagemetaConfig(AppConfig):
    """What every public page's <head> carries: canonical URL, description, JSON-LD, breadcrumbs."""

    name = "pagemeta"
    verbose_name = "Page metadata"
