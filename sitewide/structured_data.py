"""schema.org data for the site as a whole, given once, on the home page: the WebSite, with
the search it offers, published by the Organization."""

from django.conf import settings
from django.urls import reverse

from pagemeta.seo import SCHEMA, absolute, organization


def website(request):
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute(request, "/"),
        "publisher": organization(request),
        "potentialAction": {
            "@type": "SearchAction",
            "target": absolute(request, reverse("sitewide:search")) + "?q={query}",
            "query-input": "required name=query",
        },
    }
