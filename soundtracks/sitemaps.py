from pagemeta.seo import SiteSitemap
from soundtracks.models import Soundtrack


class SoundtrackSitemap(SiteSitemap):
    def items(self):
        return Soundtrack.objects.order_by("pk")
