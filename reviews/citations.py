"""Which album tracks and cues a review's body cites, and keeping its rendered HTML true to them.

A body links to a track by its album's slug, disc and position (``[Init](track:tron-ares/1)``),
and to a cue of a film's cue sheet by the film's slug and the cue's slug or cue code
(``[the escape](cue:tron-ares/i-know-you-can-feel-it)``, ``cue:tron-ares/1M05``). Rendering
resolves those references (``find_tracks``, ``find_cues``: one query each per body, whatever
the number of links, none for a kind the body does not cite); the review stores the HTML
(``body_html``) and what it cites (``cited_tracks``, ``cited_cues``). All are derived, and
derived here:

- ``Review.save()`` renders its own body, once per save (``Review.rendering()``).
- ``refresh(reviews)`` renders reviews again without counting it as an edit, in a fixed number
  of queries per review: after ``loaddata`` (which saves raw, past ``save()``) and whenever a
  cited track or its album, or a cited cue or its film, changes or goes, so that a link never
  points at a moved anchor, an old address or a deleted row — it follows the track or cue or
  becomes plain text.
- ``TrackIndex`` and ``CueIndex`` resolve references from rows already in memory, for bulk
  paths (``demo.generate``) that render thousands of bodies before any row exists.

The receivers that call ``refresh`` are connected in one place, ``connect_signals()``, from
``ReviewsConfig.ready()``: what changes a track, an album, a cue or a film (the admin, a script,
``loaddata``) lives below reviews and cannot call up into it.
"""

from functools import reduce
from operator import or_

from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat, Upper
from django.db.models.signals import post_delete, post_save, pre_delete

from films.models import Film
from reviews.markdown import CueReference, TrackReference
from soundtracks.models import Cue, Soundtrack, Track


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


def cue_reference_of(cue):
    """The reference a cue is known by (its slug; its code is another name for it)."""
    return CueReference(cue.film.slug, cue.slug)


def find_cues(references):
    """The cues that ``cue:`` references name, in one query, by the film's slug and the cue's
    slug or (ignoring case) its code.

    The query matches ``film/slug`` and ``FILM/CODE`` strings with ``IN``, not one condition
    per reference: thousands of references make a list of parameters, not an expression too
    deep for SQLite (at most 1,000 levels).
    """
    if not references:
        return {}
    cues = (
        Cue.objects.filter(film__slug__in={ref.film for ref in references})
        .alias(
            by_slug=Concat("film__slug", Value("/"), "slug", output_field=CharField()),
            by_code=Concat(
                Upper("film__slug"), Value("/"), Upper("code"), output_field=CharField()
            ),
        )
        .filter(
            Q(by_slug__in={f"{ref.film}/{ref.cue}" for ref in references})
            | Q(by_code__in={f"{ref.film}/{ref.cue}".upper() for ref in references}, code__gt="")
        )
        .select_related("film")
        .in_film_order()
    )
    return CueIndex(cues)(references)


class CueIndex:
    """``find_cues`` over cues in hand (their ``film`` loaded): no query at all.

    A slug is matched as written; a code in any case. A reference that is one cue's slug and
    another's code names the cue with that slug; of two cues of a film whose codes differ only
    in case, a code names the first in film order.
    """

    def __init__(self, cues):
        self.by_slug, self.by_code = {}, {}
        for cue in cues:
            self.by_slug[(cue.film.slug, cue.slug)] = cue
            if cue.code:
                self.by_code.setdefault((cue.film.slug, cue.code.upper()), cue)

    def __call__(self, references):
        found = {}
        for ref in references:
            cue = self.by_slug.get((ref.film, ref.cue)) or self.by_code.get(
                (ref.film, ref.cue.upper())
            )
            if cue is not None:
                found[ref] = cue
        return found


def refresh(reviews):
    """Render ``reviews`` again and store their HTML and citations, not as an edit.

    Per review: one query for the tracks its body names and one for its cues (none for a kind
    it does not cite), an update only if its HTML changed, and the citations set as
    ``cited_tracks.set()`` and ``cited_cues.set()`` set them (signals included).
    """
    from reviews.models import Review

    for review in reviews:
        review._rendered = None  # What it cites changed: nothing rendered before still holds.
        before = review.body_html
        rendered = review.render_body()
        if review.body_html != before:
            Review.objects.filter(pk=review.pk).update(body_html=review.body_html)
        review.store_citations(rendered)


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


def _citing_ids(field, **lookup):
    """The ids of the reviews citing a row, from the citations table alone: run for every row
    a delete removes (generate_content --replace removes 80,000 cues), it must be cheap."""
    from reviews.models import Review

    through = Review._meta.get_field(field).remote_field.through
    return list(through.objects.filter(**lookup).values_list("review_id", flat=True))


def _track_deleting(sender, instance, **kwargs):
    instance._citing_review_ids = _citing_ids("cited_tracks", track_id=instance.pk)


def _cited_row_deleted(sender, instance, **kwargs):
    """A track or a cue gone: the reviews that cited it, noted before it went."""
    if ids := getattr(instance, "_citing_review_ids", None):
        refresh(_citing(pk__in=ids))


def _cue_saved(sender, instance, raw, **kwargs):
    if not raw:
        refresh(_citing(cited_cues=instance))


def _film_saved(sender, instance, raw, **kwargs):
    # A film's slug is in every reference to its cues, and in their addresses.
    if not raw:
        refresh(_citing(cited_cues__film=instance))


def _cue_deleting(sender, instance, **kwargs):
    instance._citing_review_ids = _citing_ids("cited_cues", cue_id=instance.pk)


def connect_signals():
    from reviews.models import Review

    post_save.connect(_loaded_review, sender=Review, dispatch_uid="reviews.citations.loaded")
    post_save.connect(_track_saved, sender=Track, dispatch_uid="reviews.citations.track")
    post_save.connect(_album_saved, sender=Soundtrack, dispatch_uid="reviews.citations.album")
    pre_delete.connect(_track_deleting, sender=Track, dispatch_uid="reviews.citations.deleting")
    post_delete.connect(_cited_row_deleted, sender=Track, dispatch_uid="reviews.citations.deleted")
    post_save.connect(_cue_saved, sender=Cue, dispatch_uid="reviews.citations.cue")
    post_save.connect(_film_saved, sender=Film, dispatch_uid="reviews.citations.film")
    pre_delete.connect(_cue_deleting, sender=Cue, dispatch_uid="reviews.citations.cue_deleting")
    post_delete.connect(
        _cited_row_deleted, sender=Cue, dispatch_uid="reviews.citations.cue_deleted"
    )
