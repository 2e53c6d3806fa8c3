"""Which album tracks a review's body cites, and keeping its rendered HTML true to them.

A body links to a track by its album's slug, disc and position (``[Init](track:tron-ares/1)``).
Rendering resolves those references to tracks (``find_tracks``); the review stores the HTML
(``body_html``) and the tracks it cites (``cited_tracks``). Both are derived, and derived here:

- ``Review.save()`` renders its own body, once per save (``Review.rendering()``).
- ``refresh(reviews)`` renders reviews again without counting it as an edit, in a fixed number
  of queries for any number of reviews: after ``loaddata`` (which saves raw, past ``save()``)
  and whenever a cited track or its album changes or goes, so that a link never points at a
  moved anchor or a deleted track — it follows the track or becomes plain text.
- ``TrackIndex`` resolves references from tracks already in memory, for bulk paths
  (``demo.generate``) that render thousands of bodies before any row exists.

The receivers that call ``refresh`` are connected in one place, ``connect_signals()``, from
``ReviewsConfig.ready()``: what changes a track or an album (the soundtracks admin, a script,
``loaddata``) lives below reviews and cannot call up into it.
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete

from reviews.markdown import TrackReference
from soundtracks.models import Soundtrack, Track


def reference_of(track):
    return TrackReference(track.soundtrack.slug, track.disc, track.position)


def find_tracks(references):
    """The tracks that ``track:`` references name, looked up by natural key in one query."""
    if not references:
        return {}
    condition = reduce(
        or_,
        (Q(soundtrack__slug=ref.album, disc=ref.disc, position=ref.position) for ref in references),
    )
    tracks = Track.objects.filter(condition).select_related("soundtrack")
    return {reference_of(track): track for track in tracks}


class TrackIndex:
    """``find_tracks`` over tracks in hand (their ``soundtrack`` loaded): no query at all."""

    def __init__(self, tracks):
        self.tracks = {reference_of(track): track for track in tracks}

    def __call__(self, references):
        return {ref: self.tracks[ref] for ref in references if ref in self.tracks}


def refresh(reviews):
    """Render ``reviews`` again and store their HTML and citations, not as an edit.

    Per review: one query for the tracks its body names, an update only if its HTML changed,
    and the citations set as ``cited_tracks.set()`` sets them (signals included).
    """
    from reviews.models import Review

    for review in reviews:
        review._rendered = None  # The tracks changed: nothing rendered before still holds.
        before = review.body_html
        cited = review.render_body()
        if review.body_html != before:
            Review.objects.filter(pk=review.pk).update(body_html=review.body_html)
        review.cited_tracks.set(cited)


def _citing(**lookup):
    from reviews.models import Review

    return Review.objects.filter(**lookup).distinct()


def _loaded_review(sender, instance, raw, **kwargs):
    if raw:
        refresh([instance])


def _track_saved(sender, instance, raw, **kwargs):
    if not raw:
        refresh(_citing(cited_tracks=instance))


def _album_saved(sender, instance, raw, **kwargs):
    if not raw:
        refresh(_citing(cited_tracks__soundtrack=instance))


def _track_deleting(sender, instance, **kwargs):
    instance._citing_review_ids = list(_citing(cited_tracks=instance).values_list("pk", flat=True))


def _track_deleted(sender, instance, **kwargs):
    refresh(_citing(pk__in=getattr(instance, "_citing_review_ids", [])))


def connect_signals():
    from reviews.models import Review

    post_save.connect(_loaded_review, sender=Review, dispatch_uid="reviews.citations.loaded")
    post_save.connect(_track_saved, sender=Track, dispatch_uid="reviews.citations.track")
    post_save.connect(_album_saved, sender=Soundtrack, dispatch_uid="reviews.citations.album")
    pre_delete.connect(_track_deleting, sender=Track, dispatch_uid="reviews.citations.deleting")
    post_delete.connect(_track_deleted, sender=Track, dispatch_uid="reviews.citations.deleted")
