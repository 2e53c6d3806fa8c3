"""Rendering review bodies to ``body_html`` (and their cited tracks) with the code a review's
save uses, in worker processes when there are many."""

import multiprocessing

from reviews.citations import TrackIndex, reference_of
from reviews.models import Review

# Below this many reviews, forking a pool costs more than it saves.
POOL_THRESHOLD = 400

#: The tracks bodies may cite, set before the pool forks: workers inherit it and never query.
_index = TrackIndex([])


def _render(body):
    # The code every review save runs (Review.rendering), with the tracks in memory.
    rendered = Review(body=body).rendering(find=_index)
    return rendered.html, [reference_of(track) for track in rendered.tracks]


def render_bodies(publication, jobs, progress):
    """Fill ``body_html`` and the cited tracks of every planned review."""
    global _index
    _index = tracks = TrackIndex(publication.tracks)
    reviews = publication.reviews
    progress.start("rendering bodies", len(reviews))
    bodies = (review.body for review in reviews)
    if jobs > 1 and len(reviews) >= POOL_THRESHOLD:
        # Forked workers inherit the track URLs and never touch the database connection.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = list(_advancing(pool.imap(_render, bodies, chunksize=64), progress))
    else:
        results = list(_advancing(map(_render, bodies), progress))
    for review, (html, references) in zip(reviews, results, strict=True):
        review.body_html = html
        review.cited = [tracks.tracks[ref] for ref in references]
    progress.finish()


def _advancing(results, progress):
    for result in results:
        progress.advance()
        yield result
