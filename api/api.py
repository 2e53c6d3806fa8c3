"""The read API: published reviews, films with credits, people, albums with tracks, cue sheets
and themes, as JSON under ``/api/``, with an OpenAPI document generated from ``api.schemas``.

Lists page by ``limit``/``offset`` (``MAX_LIMIT`` rows at most) in a stable order, oldest change
first (``updated_at``, then ``pk``), so a client syncing with ``updated_since`` (on every list)
and walking the offsets misses no row. Reviews are what
``Review.objects.published()`` says and nothing else: a draft, a scheduled or a withdrawn review
is a 404 here as on the site. Bad parameters are a 422 with the reason, never a 500.
"""

import re
from datetime import UTC, datetime
from typing import Annotated

from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Path, Query
from ninja.errors import HttpError
from pydantic import BeforeValidator

from api import schemas
from films.models import Credit, Film, Person
from pagemeta.seo import absolute_url
from reviews.discussed import discussing, discussing_person
from reviews.models import Review
from soundtracks.models import CueTrack, Soundtrack, Theme, ThemeAppearance

MAX_LIMIT = 100
DEFAULT_LIMIT = 25
#: Further than any list reaches; keeps an absurd offset a 422 rather than a database error.
MAX_OFFSET = 1_000_000
#: A slug as the site's URLs accept it; anything else (a NUL byte, a space) is a 422, not a query.
SLUG = r"^[-\w]{1,200}$"

api = NinjaAPI(
    title="Cuesheet read API",
    version="1",
    description="Published reviews, films, people, albums, cue sheets and themes. Read only.",
    urls_namespace="api",
    # Ninja's Swagger UI loads its scripts from a CDN; the site makes no outside requests.
    docs_url=None,
)

Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}.")
Offset = Query(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")
UpdatedSince = Query(
    None, description="ISO 8601 date-time: only rows changed at or after it (UTC if naive)."
)
SlugPath = Path(..., pattern=SLUG)
ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}")


def _iso_only(value):
    # Pydantic would also take a number (0.5) as a Unix time; a date-time is written out.
    if not isinstance(value, str) or not ISO_DATETIME.match(value):
        raise ValueError("an ISO 8601 date-time is expected, e.g. 2025-10-14T12:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_only)]


def answers(schema):
    """The responses an operation documents: its rows, a 404 for a slug that names none, a 422
    for a parameter it cannot take."""
    return {200: schema, 404: schemas.Error, 422: schemas.Invalid}


def _since(value):
    """``value`` as an aware datetime the database can compare, or a 422."""
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise HttpError(422, "updated_since is out of range.") from error


def _page(request, queryset, limit, offset, serialize):
    """One page of ``queryset`` (already ordered): a count, then the rows."""
    count = queryset.count()
    rows = list(queryset[offset : offset + limit]) if offset < count else []
    following = None
    if offset + limit < count:
        query = request.GET.copy()
        query["offset"] = offset + limit
        query["limit"] = limit
        following = absolute_url(f"{request.path}?{query.urlencode()}")
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": following,
        "results": [serialize(row) for row in rows],
    }


def _by_change(queryset, since):
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    return queryset.order_by(F("updated_at").asc(nulls_first=True), "pk")


def _film_link(film):
    return {"slug": film.slug, "title": film.title, "url": absolute_url(film.get_absolute_url())}


def _link(row):
    return {"slug": row.slug, "name": row.name, "url": absolute_url(row.get_absolute_url())}


# Reviews ----------------------------------------------------------------------------------


def _reviews():
    return (
        Review.objects.published()
        .select_related("film")
        .prefetch_related("other_films", "soundtracks", "authors", "tags")
        .prefetch_related(Review.objects.verdict_prefetches()[0])
    )


def _review(review, *, detail=False):
    ratings = review.ratings
    data = {
        "slug": review.slug,
        "headline": review.headline,
        "dek": review.dek,
        "url": absolute_url(review.get_absolute_url()),
        "film": _film_link(review.film) if review.film else None,
        "other_films": [_film_link(film) for film in review.other_films.all()],
        "soundtracks": [album.slug for album in review.soundtracks.all()],
        "authors": [_link(author) for author in review.authors.all()],
        "tags": [tag.slug for tag in review.tags.all()],
        "verdict": review.verdict,
        "ratings": [
            {"soundtrack": rating.soundtrack.slug, "score": rating.score, "out_of": rating.out_of}
            for rating in ratings
        ],
        # The API's fields are added, never taken away: a client reading the old single rating
        # out of 10 still finds it.
        "rating": ratings[0].score if ratings and ratings[0].out_of == 10 else None,
        "published_at": review.publish_at,
        "first_published_at": review.first_published_at,
        "updated_at": review.updated_at,
    }
    if detail:
        data["body_html"] = review.body_html
    return data


@api.get("/reviews/", response=answers(schemas.ReviewPage), tags=["reviews"])
def review_list(
    request,
    limit: int = Limit,
    offset: int = Offset,
    film: str | None = Query(None, pattern=SLUG, description="Reviews discussing this film."),
    person: str | None = Query(
        None, pattern=SLUG, description="Reviews discussing this person or group."
    ),
    updated_since: IsoDatetime | None = UpdatedSince,
):
    """Published reviews, oldest change first. ``film`` and ``person`` give the reviews that
    discuss them, as the film's and the person's pages list them."""
    reviews = _reviews()
    if film is not None:
        reviews = reviews & discussing(Film.objects.filter(slug=film).values("pk"))
    if person is not None:
        someone = get_object_or_404(Person.objects.only("pk"), slug=person)
        reviews = reviews & discussing_person(someone)
    reviews = _by_change(reviews.defer("body", "body_html"), _since(updated_since))
    return _page(request, reviews, limit, offset, _review)


@api.get(
    "/reviews/{slug}",
    response=answers(schemas.ReviewDetail),
    tags=["reviews"],
)
def review_detail(request, slug: str = SlugPath):
    return _review(get_object_or_404(_reviews().defer("body"), slug=slug), detail=True)


# Films and their cue sheets ----------------------------------------------------------------


def _film(film):
    return {
        "slug": film.slug,
        "title": film.title,
        "url": absolute_url(film.get_absolute_url()),
        "release_date": film.release_date,
        "runtime_minutes": film.runtime,
        "certificate": film.certificate,
        "tagline": film.tagline,
        "synopsis": film.synopsis,
        "franchise": film.franchise.slug if film.franchise else None,
        "imdb_id": film.imdb_id,
        "updated_at": film.updated_at,
        "credits": [
            {
                "role": credit.role,
                "character": credit.character,
                "person": _link(credit.person),
            }
            for credit in film.credits.all()
        ],
    }


@api.get("/films/", response=answers(schemas.FilmPage), tags=["films"])
def film_list(
    request,
    limit: int = Limit,
    offset: int = Offset,
    updated_since: IsoDatetime | None = UpdatedSince,
):
    films = _by_change(Film.objects.with_credits(), _since(updated_since))
    return _page(request, films, limit, offset, _film)


@api.get("/films/{slug}", response=answers(schemas.Film), tags=["films"])
def film_detail(request, slug: str = SlugPath):
    return _film(get_object_or_404(Film.objects.with_credits(), slug=slug))


@api.get("/films/{slug}/cues", response=answers(schemas.CueSheet), tags=["films"])
def film_cues(request, slug: str = SlugPath):
    """The film's cue sheet, in film order; ``complete`` when it lists every piece of music."""
    film = get_object_or_404(Film.objects.only("slug", "title", "cue_sheet_complete"), slug=slug)
    cues = film.cues.prefetch_related(
        "composers",
        Prefetch("track_links", queryset=CueTrack.objects.select_related("track__soundtrack")),
        Prefetch("theme_appearances", queryset=ThemeAppearance.objects.select_related("theme")),
    )
    return {
        "film": _film_link(film),
        "complete": film.cue_sheet_complete,
        "cues": [_cue(cue, film) for cue in cues],
    }


def _cue(cue, film):
    cue.film = film  # its URL names the film; it is the one already read
    return {
        "slug": cue.slug,
        "order": cue.order,
        "code": cue.code,
        "title": cue.title,
        "url": absolute_url(cue.get_absolute_url()),
        "start_seconds": cue.start,
        "end_seconds": cue.end,
        "duration_seconds": cue.duration,
        "usage": cue.usage,
        "scene": cue.scene,
        "scene_is_spoiler": cue.scene_is_spoiler,
        "composers": [_link(person) for person in cue.composers.all()],
        "tracks": [
            {
                "soundtrack": link.track.soundtrack.slug,
                "disc": link.track.disc,
                "position": link.track.position,
                "title": link.track.title,
            }
            for link in cue.track_links.all()
        ],
        "themes": [appearance.theme.slug for appearance in cue.theme_appearances.all()],
        "updated_at": cue.updated_at,
    }


# People -----------------------------------------------------------------------------------


def _person(person):
    return {
        "slug": person.slug,
        "name": person.name,
        "url": absolute_url(person.get_absolute_url()),
        "is_group": person.is_group,
        "bio": person.bio,
        "same_as": person.same_as,
        "updated_at": person.updated_at,
    }


@api.get("/people/", response=answers(schemas.PersonPage), tags=["people"])
def person_list(
    request,
    limit: int = Limit,
    offset: int = Offset,
    updated_since: IsoDatetime | None = UpdatedSince,
):
    """People and groups, oldest change first."""
    return _page(
        request, _by_change(Person.objects.all(), _since(updated_since)), limit, offset, _person
    )


@api.get("/people/{slug}", response=answers(schemas.PersonDetail), tags=["people"])
def person_detail(request, slug: str = SlugPath):
    person = get_object_or_404(
        Person.objects.prefetch_related(
            "members",
            "groups",
            Prefetch("credits", queryset=Credit.objects.select_related("film")),
        ),
        slug=slug,
    )
    return {
        **_person(person),
        "members": [_link(member) for member in person.members.all()],
        "groups": [_link(group) for group in person.groups.all()],
        "credits": [
            {"role": credit.role, "character": credit.character, "film": _film_link(credit.film)}
            for credit in person.credits.all()
        ],
    }


# Albums -----------------------------------------------------------------------------------


def _soundtrack(album):
    return {
        "slug": album.slug,
        "title": album.title,
        "url": absolute_url(album.get_absolute_url()),
        "film": _film_link(album.film),
        "kind": album.kind,
        "artist_credit": album.artist_credit,
        "artists": [_link(person) for person in album.artists.all()],
        "label": album.label,
        "release_date": album.release_date,
        "updated_at": album.updated_at,
    }


@api.get("/soundtracks/", response=answers(schemas.SoundtrackPage), tags=["soundtracks"])
def soundtrack_list(
    request,
    limit: int = Limit,
    offset: int = Offset,
    updated_since: IsoDatetime | None = UpdatedSince,
):
    albums = Soundtrack.objects.select_related("film").prefetch_related("artists")
    return _page(request, _by_change(albums, _since(updated_since)), limit, offset, _soundtrack)


@api.get(
    "/soundtracks/{slug}",
    response=answers(schemas.SoundtrackDetail),
    tags=["soundtracks"],
)
def soundtrack_detail(request, slug: str = SlugPath):
    album = get_object_or_404(
        Soundtrack.objects.select_related("film").prefetch_related("artists", "tracks"),
        slug=slug,
    )
    return {
        **_soundtrack(album),
        "tracks": [
            {
                "disc": track.disc,
                "position": track.position,
                "title": track.title,
                "duration_seconds": track.duration,
                "artist_credit": track.artist_credit,
                "is_vocal": track.is_vocal,
            }
            for track in album.tracks.all()
        ],
    }


# Themes -----------------------------------------------------------------------------------


def _theme(theme):
    return {
        "slug": theme.slug,
        "name": theme.name,
        "url": absolute_url(theme.get_absolute_url()),
        "description": theme.description,
        "film": theme.film.slug if theme.film else None,
        "franchise": theme.franchise.slug if theme.franchise else None,
        "updated_at": theme.updated_at,
    }


@api.get("/themes/", response=answers(schemas.ThemePage), tags=["themes"])
def theme_list(
    request,
    limit: int = Limit,
    offset: int = Offset,
    updated_since: IsoDatetime | None = UpdatedSince,
):
    """Themes, oldest change first; each theme's page (``/api/themes/{slug}``) lists where it
    plays."""
    themes = Theme.objects.select_related("film", "franchise")
    return _page(request, _by_change(themes, _since(updated_since)), limit, offset, _theme)


@api.get("/themes/{slug}", response=answers(schemas.Theme), tags=["themes"])
def theme_detail(request, slug: str = SlugPath):
    theme = get_object_or_404(
        Theme.objects.select_related("film", "franchise").prefetch_related(
            Prefetch(
                "appearances",
                queryset=ThemeAppearance.objects.select_related("cue__film"),
            )
        ),
        slug=slug,
    )
    return {
        **_theme(theme),
        "appearances": [
            {
                "film": _film_link(appearance.cue.film),
                "cue": appearance.cue.slug,
                "cue_title": appearance.cue.title,
                "cue_url": absolute_url(appearance.cue.get_absolute_url()),
                "note": appearance.note,
            }
            for appearance in theme.appearances.all()
        ],
    }
