"""What public pages tell search engines and link previews: schema.org JSON-LD and descriptions.

Built in this one place for every page. The builders take model instances by duck typing (core
sits below the apps and imports none of them) and read only what the views have already
fetched, so they add no queries.

Every absolute URL the site emits starts with ``settings.SITE_URL`` (``absolute_url``), never
with the request's Host header: a page is cached once and served to every reader, so it must not
carry whatever host one request named. The builders keep their ``request`` argument so that
views call them alike; none reads the host from it.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.sitemaps import Sitemap

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


def _absolute(request, url):
    return absolute_url(url)


def _date(value):
    return value.isoformat() if value else None


def _clean(data):
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
        "url": _absolute(request, rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": image.alt,
        "wide": rendition.width > rendition.height,
    }


def _image_url(request, image):
    preview = preview_image(request, image)
    return preview["url"] if preview else None


def website(request):
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": _absolute(request, "/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": _absolute(request, "/search/") + "?q={query}",
            "query-input": "required name=query",
        },
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
                "item": _absolute(request, url),
            }
            for position, (name, url) in enumerate(breadcrumbs, start=1)
        ],
    }


def _person_ref(request, person):
    return {
        "@type": "MusicGroup" if person.is_group else "Person",
        "name": person.name,
        "url": _absolute(request, person.get_absolute_url()),
    }


def person(request, person):
    data = _person_ref(request, person)
    data["image"] = _image_url(request, person.photo)
    if person.is_group:
        data["member"] = [_person_ref(request, member) for member in person.members.all()]
    else:
        data["memberOf"] = [_person_ref(request, group) for group in person.groups.all()]
    return {"@context": SCHEMA, **_clean({**data, "description": person.bio})}


def movie(request, film, context=True):
    """A schema.org Movie from a film with its credits (and their people) prefetched."""
    data = _clean(
        {
            "@type": "Movie",
            "name": film.title,
            "url": _absolute(request, film.get_absolute_url()),
            "datePublished": _date(film.release_date),
            "duration": iso_duration(film.runtime * 60) if film.runtime else None,
            "contentRating": film.certificate,
            "description": film.synopsis,
            "image": _image_url(request, film.poster),
            "director": [_person_ref(request, person) for person in film.directors],
            "producer": [_person_ref(request, person) for person in film.producers],
            "musicBy": [_person_ref(request, person) for person in film.composers],
            "actor": [_person_ref(request, credit.person) for credit in film.cast],
            "sameAs": f"https://www.imdb.com/title/{film.imdb_id}/" if film.imdb_id else None,
        }
    )
    return {"@context": SCHEMA, **data} if context else data


def music_album(request, soundtrack):
    """A schema.org MusicAlbum with its MusicRecording tracks, from a prefetched tracklist."""
    url = _absolute(request, soundtrack.get_absolute_url())
    tracks = list(soundtrack.tracks.all())
    return {
        "@context": SCHEMA,
        **_clean(
            {
                "@type": "MusicAlbum",
                "name": soundtrack.title,
                "url": url,
                "albumProductionType": "https://schema.org/SoundtrackAlbum",
                "image": _image_url(request, soundtrack.cover),
                "byArtist": [_person_ref(request, artist) for artist in soundtrack.artists.all()]
                or {"@type": "MusicGroup", "name": soundtrack.artist_credit},
                "datePublished": _date(soundtrack.release_date),
                "recordLabel": {"@type": "Organization", "name": soundtrack.label}
                if soundtrack.label
                else None,
                "numTracks": len(tracks),
                "track": [
                    _clean(
                        {
                            "@type": "MusicRecording",
                            "name": track.title,
                            "position": track.position,
                            "duration": iso_duration(track.duration) if track.duration else None,
                            "url": f"{url}#{track.anchor}",
                        }
                    )
                    for track in tracks
                ],
            }
        ),
    }


def review(request, review):
    """A schema.org Review of its primary film (with the film's credits prefetched)."""
    return {
        "@context": SCHEMA,
        **_clean(
            {
                "@type": "Review",
                "name": review.headline,
                "headline": review.headline,
                "description": review.dek,
                "image": _image_url(request, review.hero_image),
                "url": _absolute(request, review.get_absolute_url()),
                "datePublished": _date(review.first_published_at or review.publish_at),
                "dateModified": _date(review.updated_at),
                "author": [
                    {
                        "@type": "Person",
                        "name": author.name,
                        "url": _absolute(request, author.get_absolute_url()),
                    }
                    for author in review.authors.all()
                ],
                "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
                "itemReviewed": movie(request, review.film, context=False) if review.film else None,
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": review.rating,
                    "bestRating": 10,
                    "worstRating": 1,
                }
                if review.rating
                else None,
                "keywords": ", ".join(tag.name for tag in review.tags.all()),
            }
        ),
    }


class SiteSitemap(Sitemap):
    """A sitemap whose locations are on ``SITE_URL``; Django's own use the request's host."""

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.partition("://")[0]

    def get_domain(self, site=None):
        return settings.SITE_URL.partition("://")[2]
