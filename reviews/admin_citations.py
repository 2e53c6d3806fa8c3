"""The citation picker beside a review's body: the tracks and cues it may cite, one click each.

The change form asks ``ReviewAdmin``'s ``citations/`` address (``<id>/citations/`` for a review
that exists) for what the form covers *as it stands*, not as last saved: the films (``film``,
``other_film``) and albums (``soundtrack``) chosen in its autocompletes, which the page's script
sends whenever one changes. The answer lists the tracks of those albums and of the films' albums,
and the cues of the films' cue sheets, each with the Markdown that cites it
(``[Init](track:tron-ares-soundtrack/1/1)``, ``[The escape](cue:tron-ares/the-escape)``) in the
syntax ``reviews.markdown`` renders. It is read in a fixed number of queries, whatever was
chosen; an id that is not a whole number, or too many of them, is a 400; an id naming nothing is
left out.
"""

import re

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.utils.cache import add_never_cache_headers

from films.models import Film
from reviews.markdown import CUE_SCHEME, TRACK_SCHEME
from soundtracks.models import Cue, Soundtrack, Track

#: The query parameters the picker reads, each a list of primary keys.
PARAMETERS = ("film", "other_film", "soundtrack")
#: More than a review's form could sensibly hold; anything longer is refused, not queried.
MOST_IDS = 50
_ID = re.compile(r"[1-9][0-9]{0,18}")
_BIGGEST_ID = 2**63 - 1

# What link text in CommonMark would read as markup rather than words: emphasis, code, the
# link's own brackets, raw HTML (which the renderer leaves out) and entities.
_MARKUP = re.compile(r"([\\`*_\[\]<>&!~])")


class BadParameters(ValueError):
    pass


def link_text(words):
    """``words`` as the text of a Markdown link, to render as written, on one line."""
    return _MARKUP.sub(r"\\\1", " ".join(words.split()))


def track_reference(track):
    # Disc and position both, always: the one form that is right on a multi-disc album too.
    return f"{TRACK_SCHEME}{track.soundtrack.slug}/{track.disc}/{track.position}"


def cue_reference(cue):
    # By slug, not cue code: every cue has one, and it is the cue's address too.
    return f"{CUE_SCHEME}{cue.film.slug}/{cue.slug}"


def citation(words, reference):
    return f"[{link_text(words)}]({reference})"


def parse_ids(query):
    """``{parameter: [id, …]}`` from a request's ``GET``, in order, without repeats.

    Raises ``BadParameters`` for an id that is not a positive whole number within the range
    of a primary key, or for more than ``MOST_IDS`` of one kind. An empty value is no id.
    """
    ids = {}
    for name in PARAMETERS:
        values = [value.strip() for value in query.getlist(name) if value.strip()]
        if len(values) > MOST_IDS:
            raise BadParameters(f"At most {MOST_IDS} values of {name}.")
        parsed = []
        for value in values:
            if not _ID.fullmatch(value) or int(value) > _BIGGEST_ID:
                raise BadParameters(f"{name} takes ids, not {value[:20]!r}.")
            if int(value) not in parsed:
                parsed.append(int(value))
        ids[name] = parsed
    return ids


def _track_label(track, several_discs):
    number = f"{track.disc}.{track.position}" if several_discs else f"{track.position}"
    return f"{number} {track.title}"


def citable(*, films, albums):
    """The groups the picker shows: an album's tracks, a film's cues, in a fixed 4 queries.

    ``films``: film ids, the primary film first; ``albums``: ids of albums the review covers.
    The albums of the films come after those chosen, then the cue sheets, in the films' order.
    """
    tracks = Prefetch("tracks", queryset=Track.objects.order_by("disc", "position"))
    album_rows = list(
        Soundtrack.objects.filter(Q(pk__in=albums) | Q(film_id__in=films))
        .only("pk", "title", "slug", "film_id")
        .prefetch_related(tracks)
    )
    chosen = {pk: index for index, pk in enumerate(albums)}
    film_order = {pk: index for index, pk in enumerate(films)}
    album_rows.sort(
        key=lambda album: (
            album.pk not in chosen,
            chosen.get(album.pk, 0),
            film_order.get(album.film_id, 0),
        )
    )
    cues = Prefetch("cues", queryset=Cue.objects.in_film_order())
    film_rows = sorted(
        Film.objects.filter(pk__in=films).only("pk", "title", "slug").prefetch_related(cues),
        key=lambda film: film_order[film.pk],
    )
    groups = []
    for album in album_rows:
        rows = album.tracks.all()
        several_discs = len({track.disc for track in rows}) > 1
        for track in rows:
            track.soundtrack = album
        groups.append(
            {
                "kind": "album",
                "heading": album.title,
                "empty": "No tracks yet.",
                "items": [
                    {
                        "label": _track_label(track, several_discs),
                        "title": track.title,
                        "reference": track_reference(track),
                        "citation": citation(track.title, track_reference(track)),
                    }
                    for track in rows
                ],
            }
        )
    for film in film_rows:
        rows = film.cues.all()
        if not rows:
            continue
        for cue in rows:
            cue.film = film
        groups.append(
            {
                "kind": "cues",
                "heading": f"Cue sheet of {film.title}",
                "empty": "",
                "items": [
                    {
                        "label": str(cue),
                        "title": cue.title or cue.code,
                        "reference": cue_reference(cue),
                        "citation": citation(cue.title or cue.code, cue_reference(cue)),
                    }
                    for cue in rows
                ],
            }
        )
    return groups


def citations_view(model_admin, request, object_id=None):
    """What the picker lists, as JSON, for one who may edit the review (or add one)."""
    if object_id is None:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
    else:
        review = model_admin.get_object(request, object_id)
        if review is None:
            raise Http404("No such review.")
        if not model_admin.has_change_permission(request, review):
            raise PermissionDenied
    try:
        ids = parse_ids(request.GET)
    except BadParameters as error:
        response = JsonResponse({"error": str(error)}, status=400)
    else:
        films = list(dict.fromkeys([*ids["film"], *ids["other_film"]]))
        response = JsonResponse({"groups": citable(films=films, albums=ids["soundtrack"])})
    add_never_cache_headers(response)
    return response
