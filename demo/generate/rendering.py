"""Rendering review bodies to ``body_html`` (and their cited tracks), in worker processes when
there are many."""

import multiprocessing

from reviews.markdown import TrackReference, render_markdown

# Below this many reviews, forking a pool costs more than it saves.
POOL_THRESHOLD = 400

_track_urls = {}


class _Link:
    """What ``render_markdown`` needs of a track: its URL (it lives in the worker, not the DB)."""

    __slots__ = ("reference", "url")

    def __init__(self, reference, url):
        self.reference, self.url = reference, url

    def get_absolute_url(self):
        return self.url


def _find_tracks(references):
    return {ref: _Link(ref, _track_urls[ref]) for ref in references if ref in _track_urls}


def _render(body):
    rendered = render_markdown(body, _find_tracks)
    return rendered.html, [link.reference for link in rendered.tracks]


def render_bodies(publication, jobs, progress):
    """Fill ``body_html`` and the cited tracks of every planned review."""
    tracks = {
        TrackReference(track.soundtrack.slug, track.disc, track.position): track
        for track in publication.tracks
    }
    _track_urls.clear()
    _track_urls.update((ref, track.get_absolute_url()) for ref, track in tracks.items())
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
        review.cited = [tracks[ref] for ref in references]
    progress.finish()


def _advancing(results, progress):
    for result in results:
        progress.advance()
        yield result
