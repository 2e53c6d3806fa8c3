"""schema.org data for a review's page: a Review of its primary film, from a review whose
authors, tags and film credits the view has already fetched, so it adds no queries."""

from django.conf import settings

from films.structured_data import movie
from pagemeta.seo import SCHEMA, absolute, clean, date, image_url


def review(request, review):
    """A schema.org Review of its primary film (with the film's credits prefetched)."""
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": "Review",
                "name": review.headline,
                "headline": review.headline,
                "description": review.dek,
                "image": image_url(request, review.hero_image),
                "url": absolute(request, review.get_absolute_url()),
                "datePublished": date(review.first_published_at or review.publish_at),
                "dateModified": date(review.updated_at),
                "author": [
                    {
                        "@type": "Person",
                        "name": author.name,
                        "url": absolute(request, author.get_absolute_url()),
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
