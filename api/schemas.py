"""The read API's response shapes. Field names are a contract with other sites: add fields,
never rename or drop one. Every ``url`` is the absolute address of the HTML page."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class Link(Schema):
    slug: str
    name: str
    url: str


class FilmLink(Schema):
    slug: str
    title: str
    url: str


class Credit(Schema):
    role: str
    character: str
    person: Link


class Film(Schema):
    slug: str
    title: str
    url: str
    release_date: date | None
    runtime_minutes: int | None
    certificate: str
    tagline: str
    synopsis: str
    franchise: str | None
    imdb_id: str
    updated_at: datetime | None
    credits: list[Credit]


class PersonCredit(Schema):
    role: str
    character: str
    film: FilmLink


class Person(Schema):
    slug: str
    name: str
    url: str
    is_group: bool
    bio: str
    same_as: list[str]
    updated_at: datetime | None


class PersonDetail(Person):
    members: list[Link]
    groups: list[Link]
    credits: list[PersonCredit]


class Track(Schema):
    disc: int
    position: int
    title: str
    duration_seconds: int | None
    artist_credit: str
    is_vocal: bool


class Soundtrack(Schema):
    slug: str
    title: str
    url: str
    film: FilmLink
    kind: str
    artist_credit: str
    artists: list[Link]
    label: str
    release_date: date | None
    updated_at: datetime | None


class SoundtrackDetail(Soundtrack):
    tracks: list[Track]


class Rating(Schema):
    """A review's score for one album it covers: ``score`` from 1 to ``out_of``."""

    soundtrack: str
    score: int
    out_of: int


class Review(Schema):
    slug: str
    headline: str
    dek: str
    url: str
    film: FilmLink | None
    other_films: list[FilmLink]
    soundtracks: list[str]
    authors: list[Link]
    tags: list[str]
    verdict: str
    ratings: list[Rating]
    rating: int | None = Field(
        None,
        description="Kept from before albums were rated one by one: the first rating's score "
        "(the album of the review's film) when it is out of 10, else null. Read `ratings`.",
    )
    published_at: datetime
    first_published_at: datetime | None
    updated_at: datetime


class ReviewDetail(Review):
    body_html: str


class CueTrack(Schema):
    soundtrack: str
    disc: int
    position: int
    title: str


class Cue(Schema):
    slug: str
    order: int
    code: str
    title: str
    url: str
    start_seconds: int | None
    end_seconds: int | None
    duration_seconds: int | None
    usage: str
    scene: str
    scene_is_spoiler: bool
    composers: list[Link]
    tracks: list[CueTrack]
    themes: list[str]
    updated_at: datetime | None


class CueSheet(Schema):
    film: FilmLink
    complete: bool
    cues: list[Cue]


class Appearance(Schema):
    film: FilmLink
    cue: str
    cue_title: str
    cue_url: str
    note: str


class ThemeSummary(Schema):
    slug: str
    name: str
    url: str
    description: str
    film: str | None
    franchise: str | None
    updated_at: datetime | None


class Theme(ThemeSummary):
    appearances: list[Appearance]


class Page(Schema):
    """A page of a list: ``count`` rows in all, ``next`` the address of the following page."""

    count: int
    limit: int
    offset: int
    next: str | None


class ReviewPage(Page):
    results: list[Review]


class FilmPage(Page):
    results: list[Film]


class PersonPage(Page):
    results: list[Person]


class SoundtrackPage(Page):
    results: list[Soundtrack]


class ThemePage(Page):
    results: list[ThemeSummary]


class Error(Schema):
    detail: str


class Invalid(Schema):
    """A parameter the API cannot take: Ninja's list of what failed, or one message."""

    detail: str | list[dict[str, Any]]
