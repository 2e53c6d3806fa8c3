from django.contrib.sitemaps import Sitemap

from soundtracks.models import Soundtrack


class SoundtrackSitemap(Sitemap):
    def items(self):
        return Soundtrack.objects.order_by("pk")
