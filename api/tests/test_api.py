"""The read API on the Tron demo content: what each endpoint says, what it never shows, its
parameters at their edges, and the HTTP around it (ETags, CORS, caching)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from films.models import Film, Person
from films.tests.factories import FilmFactory, PersonFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.models import Cue, Theme
from soundtracks.tests.factories import ThemeAppearanceFactory, ThemeFactory

TRON_ARES_REVIEW = "tron-ares-nine-inch-nails-score-review"


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


@pytest.fixture
def hidden_reviews(tron):
    """A draft, a scheduled and a withdrawn review of Tron: Ares: none is public."""
    film = Film.objects.get(slug="tron-ares")
    later = timezone.now() + datetime.timedelta(days=3)
    return [
        ReviewFactory(slug="a-draft", film=film, status=Review.Status.DRAFT, publish_at=None),
        ReviewFactory(slug="scheduled", film=film, publish_at=later),
        ReviewFactory(slug="withdrawn", film=film, status=Review.Status.WITHDRAWN),
    ]


# Reviews ----------------------------------------------------------------------------------


def test_review_list_shows_the_published_review(client, tron):
    response = client.get("/api/reviews/")
    data = response.json()
    assert data["count"] == 1
    assert data["next"] is None
    review = data["results"][0]
    assert review["slug"] == TRON_ARES_REVIEW
    assert review["url"] == f"http://testserver/reviews/{TRON_ARES_REVIEW}/"
    assert review["film"] == {
        "slug": "tron-ares",
        "title": "Tron: Ares",
        "url": "http://testserver/films/tron-ares/",
    }
    assert "tron-ares-soundtrack" in review["soundtracks"]
    assert review["published_at"].startswith("2025-10-14T12:00:00")
    assert "body_html" not in review


def test_review_detail_carries_the_body(client, tron):
    review = client.get(f"/api/reviews/{TRON_ARES_REVIEW}").json()
    assert review["headline"].startswith("Whatever You Make of")
    assert "<p>" in review["body_html"]
    assert review["authors"]


def test_drafts_scheduled_and_withdrawn_reviews_never_appear(client, hidden_reviews):
    assert slugs(client.get("/api/reviews/")) == [TRON_ARES_REVIEW]
    assert slugs(client.get("/api/reviews/?film=tron-ares")) == [TRON_ARES_REVIEW]
    for review in hidden_reviews:
        response = client.get(f"/api/reviews/{review.slug}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


def test_reviews_filtered_by_film(client, tron):
    other = ReviewFactory(slug="another-film")
    assert slugs(client.get("/api/reviews/?film=tron-ares")) == [TRON_ARES_REVIEW]
    assert slugs(client.get(f"/api/reviews/?film={other.film.slug}")) == ["another-film"]
    assert slugs(client.get("/api/reviews/?film=no-such-film")) == []


def test_reviews_filtered_by_person_include_a_groups_members(client, tron):
    # Nine Inch Nails scored Tron: Ares; Trent Reznor is in the group.
    assert slugs(client.get("/api/reviews/?person=nine-inch-nails")) == [TRON_ARES_REVIEW]
    assert slugs(client.get("/api/reviews/?person=trent-reznor")) == [TRON_ARES_REVIEW]
    assert slugs(client.get(f"/api/reviews/?person={PersonFactory().slug}")) == []
    assert client.get("/api/reviews/?person=nobody-at-all").status_code == 404


def test_updated_since_gives_what_changed_at_or_after_it(client, tron):
    review = Review.objects.get(slug=TRON_ARES_REVIEW)
    since = review.updated_at.isoformat()
    assert slugs(client.get("/api/reviews/", {"updated_since": since})) == [TRON_ARES_REVIEW]
    later = (review.updated_at + datetime.timedelta(seconds=1)).isoformat()
    assert slugs(client.get("/api/reviews/", {"updated_since": later})) == []
    # Naive is UTC; Z is understood.
    assert slugs(client.get("/api/films/?updated_since=2000-01-01T00:00:00")) != []
    assert slugs(client.get("/api/soundtracks/?updated_since=2999-01-01T00:00:00Z")) == []


@pytest.mark.parametrize(
    ("path", "model", "make"),
    [
        ("/api/people/", Person, lambda slug: PersonFactory(slug=slug)),
        ("/api/themes/", Theme, lambda slug: ThemeFactory(slug=slug)),
    ],
)
def test_people_and_themes_sync_by_updated_since_too(client, tron, path, model, make):
    old, edited = make("old-row"), make("edited-row")
    model.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=30))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    edited.name = "Renamed"
    edited.save()

    changed = slugs(client.get(path, {"updated_since": since, "limit": 100}))

    assert "edited-row" in changed
    assert "old-row" not in changed
    assert slugs(client.get(path, {"limit": 100}))[-1] == "edited-row"
    assert client.get(path, {"limit": 100}).json()["results"][-1]["updated_at"]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "0.5",
        "1700000000",
        "2025-13-01T00:00:00",
        "2025-10-14",
        "",
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_malformed_updated_since_is_a_422(client, tron, value):
    for path in (
        "/api/reviews/",
        "/api/films/",
        "/api/people/",
        "/api/soundtracks/",
        "/api/themes/",
    ):
        response = client.get(path, {"updated_since": value})
        assert response.status_code == 422, (path, value, response.content)
        assert response.json()["detail"]


# Pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=-1",
        "limit=101",
        "limit=abc",
        "limit=1.5",
        "offset=-1",
        "offset=x",
        f"offset={10**12}",
        f"limit={10**30}",
    ],
)
def test_hostile_page_parameters_are_a_422(client, tron, query):
    for path in (
        "/api/reviews/",
        "/api/films/",
        "/api/people/",
        "/api/soundtracks/",
        "/api/themes/",
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert response.json()["detail"]


def test_walking_the_pages_sees_every_row_once(client, tron):
    seen, url = [], "/api/people/?limit=10"
    while url:
        data = client.get(url).json()
        assert data["count"] == 37
        seen += [row["slug"] for row in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == 37


def test_an_offset_past_the_end_is_an_empty_page(client, tron):
    data = client.get("/api/films/?offset=500").json()
    assert data == {"count": 3, "limit": 25, "offset": 500, "next": None, "results": []}


def test_lists_are_ordered_by_change_then_pk(client, tron):
    legacy = Film.objects.get(slug="tron-legacy")
    legacy.tagline = "The game has changed."
    legacy.save()
    assert slugs(client.get("/api/films/"))[-1] == "tron-legacy"


# Films, people, albums, cues, themes -----------------------------------------------------


def test_film_detail_lists_its_credits(client, tron):
    film = client.get("/api/films/tron-ares").json()
    assert film["title"] == "Tron: Ares"
    assert film["franchise"] == "tron"
    assert film["url"] == "http://testserver/films/tron-ares/"
    composers = [c["person"]["slug"] for c in film["credits"] if c["role"] == "composer"]
    assert composers == ["nine-inch-nails"]
    assert client.get("/api/films/no-such-film").status_code == 404


def test_person_detail_lists_members_groups_and_credits(client, tron):
    group = client.get("/api/people/nine-inch-nails").json()
    assert group["is_group"] is True
    assert "trent-reznor" in [member["slug"] for member in group["members"]]
    assert {"role": "composer", "character": ""}.items() <= group["credits"][0].items()
    assert group["credits"][0]["film"]["slug"] == "tron-ares"
    reznor = client.get("/api/people/trent-reznor").json()
    assert [g["slug"] for g in reznor["groups"]] == ["nine-inch-nails"]


def test_soundtrack_detail_lists_its_tracks(client, tron):
    album = client.get("/api/soundtracks/tron-ares-soundtrack").json()
    assert album["film"]["slug"] == "tron-ares"
    assert album["url"] == "http://testserver/soundtracks/tron-ares-soundtrack/"
    assert album["tracks"][0]["disc"] == 1
    assert [t["position"] for t in album["tracks"]] == list(range(1, len(album["tracks"]) + 1))
    assert {"title", "duration_seconds", "artist_credit", "is_vocal"} <= album["tracks"][0].keys()


def test_cue_sheet_of_a_film(client, tron):
    cue = Cue.objects.select_related("film").first()
    sheet = client.get(f"/api/films/{cue.film.slug}/cues").json()
    assert sheet["film"]["slug"] == cue.film.slug
    first = sheet["cues"][0]
    assert first["slug"] == cue.slug
    assert first["url"] == f"http://testserver/films/{cue.film.slug}/music/{cue.slug}/"
    assert first["start_seconds"] == cue.start
    assert first["tracks"], "the fixtures link each cue to an album track"
    assert client.get("/api/films/no-such-film/cues").status_code == 404


def test_theme_lists_its_appearances(client, tron):
    cue = Cue.objects.select_related("film").first()
    theme = ThemeFactory(slug="the-grid", name="The Grid", film=cue.film)
    ThemeAppearanceFactory(theme=theme, cue=cue, note="on synthesizers")
    data = client.get("/api/themes/the-grid").json()
    assert data["film"] == cue.film.slug
    assert data["appearances"] == [
        {
            "film": {
                "slug": cue.film.slug,
                "title": cue.film.title,
                "url": f"http://testserver/films/{cue.film.slug}/",
            },
            "cue": cue.slug,
            "cue_title": cue.title,
            "cue_url": f"http://testserver/films/{cue.film.slug}/music/{cue.slug}/",
            "note": "on synthesizers",
        }
    ]
    sheet = client.get(f"/api/films/{cue.film.slug}/cues").json()
    assert sheet["cues"][0]["themes"] == ["the-grid"]
    assert client.get("/api/themes/no-such-theme").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/api/reviews/a%00b", "/api/films/a%20b", "/api/people/%C3%28", "/api/films/x/cues?q=1"],
)
def test_odd_slugs_are_a_client_error(client, tron, path):
    assert client.get(path).status_code in (404, 422)


# HTTP -------------------------------------------------------------------------------------


def test_a_weak_etag_answers_304(client, tron):
    response = client.get("/api/films/tron")
    etag = response["ETag"]
    assert etag.startswith('W/"')
    assert response["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/films/tron", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    strong = etag.removeprefix("W/")
    assert client.get("/api/films/tron", headers={"if-none-match": strong}).status_code == 304
    other = client.get("/api/films/tron", headers={"if-none-match": 'W/"stale"'})
    assert other.status_code == 200


def test_the_etag_changes_with_the_content(client, tron):
    etag = client.get("/api/films/tron")["ETag"]
    Film.objects.filter(slug="tron").update(tagline="On the other side of the screen")
    response = client.get("/api/films/tron", headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_reads_are_open_to_any_origin_without_credentials(client, tron):
    for response in (
        client.get("/api/reviews/", headers={"origin": "https://example.org"}),
        client.get("/api/reviews/nope"),
        client.get("/api/reviews/?limit=0"),
        client.head("/api/films/"),
    ):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
        assert not response.cookies
    preflight = client.options(
        "/api/films/",
        headers={"origin": "https://example.org", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


def test_head_answers_as_get(client, tron):
    response = client.head("/api/films/")
    assert response.status_code == 200
    assert response["ETag"] == client.get("/api/films/")["ETag"]


def test_writes_are_refused(client, tron):
    assert client.post("/api/reviews/", {}).status_code == 405
    assert client.delete(f"/api/reviews/{TRON_ARES_REVIEW}").status_code == 405


def test_openapi_document_lists_every_operation(client, db):
    document = client.get("/api/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/reviews/",
        "/api/reviews/{slug}",
        "/api/films/",
        "/api/films/{slug}",
        "/api/films/{slug}/cues",
        "/api/people/",
        "/api/people/{slug}",
        "/api/soundtracks/",
        "/api/soundtracks/{slug}",
        "/api/themes/",
        "/api/themes/{slug}",
    }
    assert all(set(item) == {"get"} for item in document["paths"].values())
    # No docs page: ninja's would load Swagger UI from a CDN.
    assert client.get("/api/docs").status_code == 404


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("page_cache_on")
def test_an_edit_is_visible_at_once_with_the_page_cache_on(client, tron):
    path = f"/api/reviews/{TRON_ARES_REVIEW}"
    assert client.get(path).json()["headline"].startswith("Whatever")
    review = Review.objects.get(slug=TRON_ARES_REVIEW)
    review.headline = "A new headline"
    review.save()
    response = client.get(path)
    assert response.json()["headline"] == "A new headline"
    assert "X-Cache" not in response
    assert slugs(client.get("/api/reviews/?limit=5")) == [TRON_ARES_REVIEW]
    assert client.get("/api/reviews/?limit=5").json()["limit"] == 5


# Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # count, page, other films, albums, authors, tags, ratings (with their albums)
        ("/api/reviews/", 7),
        # + the person
        ("/api/reviews/?person=trent-reznor", 8),
        ("/api/reviews/?film=tron-ares&updated_since=2000-01-01T00:00:00Z", 7),
        # the review, other films, albums, authors, tags, ratings (with their albums)
        (f"/api/reviews/{TRON_ARES_REVIEW}", 6),
        # count, page (with franchises), credits (with people)
        ("/api/films/", 3),
        ("/api/films/tron-ares", 2),
        # the film, its cues, composers, track links (with tracks, albums), themes
        ("/api/films/tron-ares/cues", 5),
        ("/api/people/", 2),
        ("/api/people/?updated_since=2000-01-01T00:00:00Z", 2),
        # the person, members, groups, credits (with films)
        ("/api/people/nine-inch-nails", 4),
        # count, page (with films), artists
        ("/api/soundtracks/", 3),
        # the album (with its film), artists, tracks
        ("/api/soundtracks/tron-ares-soundtrack", 3),
    ],
)
def test_query_counts_are_fixed(client, tron, django_assert_num_queries, path, queries):
    # More rows must not mean more queries.
    ReviewFactory.create_batch(3, film=Film.objects.get(slug="tron-ares"))
    FilmFactory.create_batch(3)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_theme_query_count_is_fixed(client, tron, django_assert_num_queries):
    for cue in Cue.objects.all():
        ThemeAppearanceFactory(theme=ThemeFactory(slug=f"t-{cue.pk}", film=cue.film), cue=cue)
    theme = ThemeFactory(slug="the-grid", film=Film.objects.get(slug="tron-ares"))
    for cue in Cue.objects.filter(film__slug="tron-ares"):
        ThemeAppearanceFactory(theme=theme, cue=cue)
    # the theme (with film, franchise), appearances (with cues, films)
    with django_assert_num_queries(2):
        assert client.get("/api/themes/the-grid").status_code == 200
    # count, page (with films, franchises)
    with django_assert_num_queries(2):
        listed = slugs(client.get("/api/themes/?updated_since=2000-01-01T00:00:00Z"))
    assert len(listed) == Theme.objects.count() > 1
