"""Rendering review bodies to ``body_html`` (and their cited tracks and cues) with the code a
review's save uses, in worker processes when there are many."""

import multiprocessing

from reviews.citations import CueIndex, TrackIndex, cue_reference_of, reference_of
from reviews.models import Review

# Below this many reviews, forking a pool costs more than it saves.
POOL_THRESHOLD = 400

#: The tracks and cues bodies may cite, set before the pool forks: workers inherit them and
#: never query.
_index = TrackIndex([])
_cue_index = CueIndex([])


def _render(body):
    # The code every review save runs (Review.rendering), with the tracks and cues in memory.
    rendered = Review(body=body).rendering(find=_index, find_cues=_cue_index)
    return (
        rendered.html,
        [reference_of(track) for track in rendered.tracks],
        [cue_reference_of(cue) for cue in rendered.cues],
    )


def render_bodies(publication, jobs, progress):
    """Fill ``body_html``, the cited tracks and the cited cues of every planned review."""
    global _index, _cue_index
    _index = tracks = TrackIndex(publication.tracks)
    _cue_index = cues = CueIndex(publication.cues)
    reviews = publication.reviews
    progress.start("rendering bodies", len(reviews))
    bodies = (review.body for review in reviews)
    if jobs > 1 and len(reviews) >= POOL_THRESHOLD:
        # Forked workers inherit the track URLs and never touch the database connection.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = list(_advancing(pool.imap(_render, bodies, chunksize=64), progress))
    else:
        results = list(_advancing(map(_render, bodies), progress))
    for review, (html, references, cue_references) in zip(reviews, results, strict=True):
        review.body_html = html
        review.cited = [tracks.tracks[ref] for ref in references]
        review.cited_cue_rows = [cues.by_slug[(ref.film, ref.cue)] for ref in cue_references]
    progress.finish()


def _advancing(results, progress):
    for result in results:
        progress.advance()
        yield result
