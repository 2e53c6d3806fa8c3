"""What published reviews rely on is not deleted (editorial.models.guard_deletion): an album
they cover, a track or a cue they cite, a film they discuss, a byline, a tag. The primary film
is PROTECT.

``protect_what_published_reviews_rely_on()`` registers the guards, from ``ReviewsConfig.ready()``.
"""

from editorial.models import Reliance, guard_deletion
from films.models import Film
from reviews.models import Author, Review, Tag
from soundtracks.models import Cue, Soundtrack, Track


def _relied_on_by_published(relation, name, reason):
    """A guard: the published reviews (scheduled ones too) that ``relation`` links to a row."""
    through = relation.through

    def find(rows):
        links = through.objects.filter(
            **{f"{name}__in": rows, "review__status": Review.Status.PUBLISHED}
        ).select_related(name, "review")
        return [Reliance(getattr(link, name), link.review, reason) for link in links]

    return find


def protect_what_published_reviews_rely_on():
    guard_deletion(
        Soundtrack,
        _relied_on_by_published(
            Review.soundtracks, "soundtrack", "covered by the published review"
        ),
    )
    guard_deletion(
        Track,
        _relied_on_by_published(Review.cited_tracks, "track", "cited by the published review"),
    )
    guard_deletion(
        Cue, _relied_on_by_published(Review.cited_cues, "cue", "cited by the published review")
    )
    guard_deletion(
        Film,
        _relied_on_by_published(Review.other_films, "film", "discussed in the published review"),
    )
    guard_deletion(
        Author,
        _relied_on_by_published(Review.authors, "author", "the byline of the published review"),
    )
    guard_deletion(
        Tag, _relied_on_by_published(Review.tags, "tag", "a tag of the published review")
    )
