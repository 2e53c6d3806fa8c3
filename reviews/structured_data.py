"""schema.org data for a review's page: a Review, typed as an Article too, of its film's album
(a MusicAlbum, a kind of MusicPlaylist, is what review snippets accept), about its film, and
mentioning the other albums and films it discusses. Its rating of the album it reviews is its
``reviewRating``; each other album it rates is a Review of its own in ``hasPart``. Its
corrections and updates are CorrectionComments (``correction``), and the latest of them moves
its ``dateModified``.

From a review whose authors, tags, albums, ratings, corrections and film credits the fragment's
preparation has fetched (reviews.views.FRAGMENT_PREFETCHES); the albums' artists are fetched
here, only when the JSON-LD is rendered, which a cached fragment never is.
"""

from django.db.models import prefetch_related_objects

from films.structured_data import movie
from pagemeta.seo import SCHEMA, absolute, clean, date, image_url, organization
from soundtracks.structured_data import album_summary


def byline(request, author):
    """A byline: a Person, or the Organization a house byline is."""
    return {
        "@type": "Organization" if author.is_organisation else "Person",
        "name": author.name,
        "url": absolute(request, author.get_absolute_url()),
    }


def rating_of(rating):
    """An album rating as a schema.org Rating, on the scale it was given on."""
    return {
        "@type": "Rating",
        "ratingValue": rating.score,
        "bestRating": rating.out_of,
        "worstRating": 1,
    }


def correction(note):
    """A correction or update note as the CorrectionComment schema.org's ``correction`` takes."""
    return {
        "@type": "CorrectionComment",
        "name": note.get_kind_display(),
        "text": note.note_text,
        "datePublished": date(note.published_at),
    }


def review(request, review):
    """A schema.org Review and Article: of its albums, else of its film; about its film."""
    albums = list(review.soundtracks.all())
    prefetch_related_objects(albums, "artists")
    film = movie(request, review.film, context=False) if review.film else None
    # The album of the review's film is the one reviewed; the others it is set against, and
    # the other films it discusses, it mentions.
    primary = next((album for album in albums if album.film_id == review.film_id), None)
    primary = primary or (albums[0] if albums else None)
    ratings = {rating.soundtrack_id: rating for rating in review.album_ratings.all()}
    mentions = [album_summary(request, album) for album in albums if album is not primary]
    authors = [byline(request, author) for author in review.authors.all()]
    # Each other album it rates: a Review of its own within the article, of that album.
    parts = [
        {
            "@type": "Review",
            "name": f"{review.headline}: {album.title}",
            "itemReviewed": album_summary(request, album),
            "reviewRating": rating_of(ratings[album.pk]),
            "author": authors,
        }
        for album in albums
        if album is not primary and album.pk in ratings
    ]
    mentions += [
        {"@type": "Movie", "name": other.title, "url": absolute(request, other.get_absolute_url())}
        for other in review.other_films.all()
    ]
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": ["Review", "Article"],
                "name": review.headline,
                "headline": review.headline,
                "description": review.dek,
                "image": image_url(request, review.hero_image)
                or image_url(request, review.film and review.film.poster),
                "url": absolute(request, review.get_absolute_url()),
                "mainEntityOfPage": absolute(request, review.get_absolute_url()),
                "datePublished": date(review.first_published_at or review.publish_at),
                "dateModified": date(review.modified_at),
                "author": authors,
                "publisher": organization(request),
                "itemReviewed": album_summary(request, primary) if primary else film,
                "about": film,
                "mentions": mentions,
                "reviewRating": rating_of(ratings[primary.pk])
                if primary and primary.pk in ratings
                else None,
                "hasPart": parts,
                "correction": [correction(note) for note in review.corrections.all()],
                "keywords": ", ".join(tag.name for tag in review.tags.all()),
            }
        ),
    }
