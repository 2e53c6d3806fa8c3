from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    """Whole public pages for anonymous readers, and the content version that invalidates them."""

    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from pagecache import versions

        versions.connect_signals()
