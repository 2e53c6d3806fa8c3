"""schema.org data for the site as a whole: the WebSite, with the search it offers."""

from django.conf import settings
from django.urls import reverse

from pagemeta.seo import SCHEMA, absolute


def website(request):
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute(request, "/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": absolute(request, reverse("sitewide:search")) + "?q={query}",
            "query-input": "required name=query",
        },
    }
