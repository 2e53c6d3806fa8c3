from django.apps import AppConfig


class SitewideConfig(AppConfig):
    """Pages that span every content app: health, and the site's own routes."""

    name = "sitewide"
    verbose_name = "Site-wide pages"
