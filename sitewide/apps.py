from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SitewideConfig(AppConfig):
    """Pages that span every content app: health, and the site's own routes."""

    name = "sitewide"
    verbose_name = "Site-wide pages"

    def ready(self):
        post_migrate.connect(ensure_search_index, sender=self)


def ensure_search_index(using, **kwargs):
    """After every ``migrate``: reinstall the search triggers a migration dropped (SQLite drops
    a table's triggers when it rebuilds the table) and reindex those kinds."""
    from django.db import connections

    from sitewide import search_index

    search_index.ensure(connections[using])
