from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    """Whole public pages for anonymous readers, named by surrogate keys that purge them here
    and in the front cache."""

    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from pagecache import keys

        keys.connect_signals()
