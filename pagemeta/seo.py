"""The generic pieces of what public pages tell search engines and link previews: descriptions,
absolute URLs, durations, preview images, the publication as an organisation, item lists and
the breadcrumb list.

Each app builds the schema.org data of its own models (``films.structured_data``,
``soundtracks.structured_data``, ``reviews.structured_data``, ``sitewide.structured_data``) from
these pieces; this module knows no app's fields. The builders read only what the views have
already fetched, so they add no queries.

Every absolute URL the site emits starts with ``settings.SITE_URL`` (``absolute_url``), never
with the request's Host header: a page is cached once and served to every reader, so it must not
carry whatever host one request named. The builders keep their ``request`` argument so that
views call them alike; none reads the host from it.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.templatetags.static import static

SCHEMA = "https://schema.org"
DESCRIPTION_LENGTH = 160


def describe(*parts):
    """A meta description from the first non-empty part, cut at a word near 160 characters."""
    text = next((" ".join(str(part).split()) for part in parts if part), "")
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:–— ") + "…"


def iso_duration(seconds):
    """Seconds as an ISO 8601 duration, for schema.org and ``<time datetime>``: 195 → PT3M15S."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return f"PT{parts or '0S'}"


def absolute_url(url):
    """``url`` (a path, or already absolute, as a storage's URL may be) on the site's address."""
    return urljoin(f"{settings.SITE_URL}/", str(url))


def absolute(request, url):
    """``absolute_url``, called as the builders call it (the request names no host here)."""
    return absolute_url(url)


def date(value):
    """A date or datetime as ISO 8601, or None."""
    return value.isoformat() if value else None


def clean(data):
    """Drop empty values so the JSON-LD carries only what is known."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def preview_image(request, image):
    """What a link preview (Open Graph) shows of an ``images.Image``, or None without one.

    The widest WebP rendition: the size link previews ask for (about 1200 pixels wide), never
    the original, which may be a 40-megapixel upload. Its URL is absolute, as Open Graph wants.
    """
    if not image:
        return None
    rendition = image.renditions[-1]
    return {
        "url": absolute(request, rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": image.alt,
        "wide": rendition.width > rendition.height,
    }


def image_url(request, image):
    """The absolute URL of the preview rendition of ``image``, or None without one."""
    preview = preview_image(request, image)
    return preview["url"] if preview else None


#: The publication's logo, a square PNG in static/ (search engines want a raster of at least
#: 112 pixels): its size, so that no page has to open the file to say it.
LOGO = ("logo.png", 512, 512)


def organization(request):
    """The publication as a schema.org Organization: its name, home page and logo."""
    path, width, height = LOGO
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": absolute(request, "/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(request, static(path)),
            "width": width,
            "height": height,
        },
    }


def item_list(request, objects, name=None):
    """A schema.org ItemList of ``objects`` (anything with a name and a page), in order."""
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": "ItemList",
                "name": name,
                "numberOfItems": len(objects),
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": position,
                        "name": str(item),
                        "url": absolute(request, item.get_absolute_url()),
                    }
                    for position, item in enumerate(objects, start=1)
                ],
            }
        ),
    }


def breadcrumb_list(request, breadcrumbs):
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(request, url),
            }
            for position, (name, url) in enumerate(breadcrumbs, start=1)
        ],
    }


class SiteSitemap(Sitemap):
    """A sitemap whose locations are on ``SITE_URL``; Django's own use the request's host."""

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.partition("://")[0]

    def get_domain(self, site=None):
        return settings.SITE_URL.partition("://")[2]
