"""Links that never break (issue 13, item 6): a changed slug leaves a permanent redirect from
the old address, made on save (the admin's too), kept free of chains and loops, gone with its
row, editable in the admin, looked up only for a 404 and safe with any path."""

import pytest
from django.core import serializers
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.tests.admin_forms import admin_url, form_errors, post_change
from editorial.tests.factories import EditorFactory, WriterFactory
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from permalinks.middleware import candidates
from permalinks.models import Redirect
from reviews.tests.factories import AuthorFactory, ReviewFactory
from soundtracks.tests.factories import CueFactory, SoundtrackFactory, ThemeFactory

pytestmark = pytest.mark.django_db

MAKERS = {
    "review": ReviewFactory,
    "film": FilmFactory,
    "person": PersonFactory,
    "album": SoundtrackFactory,
    "franchise": lambda: FilmFactory(franchise=FranchiseFactory()).franchise,
    "theme": ThemeFactory,
    "tag": lambda: ReviewFactory().tags.create(name="Synths", slug="synths"),
    "author": lambda: ReviewFactory(authors=[AuthorFactory()]).authors.get(),
}


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def assert_redirects(client, old, new):
    response = client.get(old)
    assert response.status_code == 301, (old, response.status_code)
    assert response["Location"] == new
    assert client.get(new).status_code == 200, new


@pytest.mark.parametrize("kind", MAKERS)
def test_a_changed_slug_redirects_the_old_address_to_the_new_one(client, kind):
    obj = MAKERS[kind]()
    old = obj.get_absolute_url()
    assert client.get(old).status_code == 200

    rename(obj, "renamed")

    assert obj.get_absolute_url() != old
    assert_redirects(client, old, obj.get_absolute_url())


def test_a_save_that_keeps_the_slug_makes_no_redirect(client):
    film = FilmFactory()
    film.title = "Another title"
    film.save()

    assert not Redirect.objects.exists()


def test_the_pages_under_a_film_follow_it_music_and_cues(client):
    cue = CueFactory(slug="1m03")
    film = cue.film
    old = film.get_absolute_url()

    rename(film, "tron-ares")

    assert_redirects(client, f"{old}music/", "/films/tron-ares/music/")
    assert_redirects(client, f"{old}music/1m03/", "/films/tron-ares/music/1m03/")
    # Without the last slash, straight to the page rather than by way of another redirect.
    assert_redirects(client, old.rstrip("/"), "/films/tron-ares/")


def test_the_pages_under_a_person_follow_them(client):
    person = PersonFactory(slug="reznor")
    ReviewFactory(film=CreditFactory(person=person).film)

    rename(person, "trent-reznor")

    assert_redirects(client, "/people/reznor/reviews/", "/people/trent-reznor/reviews/")


def test_a_page_number_goes_along(client):
    person = PersonFactory(slug="reznor")
    film = CreditFactory(person=person).film
    for _ in range(21):
        ReviewFactory(film=film)
    rename(person, "trent-reznor")

    response = client.get("/people/reznor/reviews/?page=2&utm_source=x")

    assert response["Location"] == "/people/trent-reznor/reviews/?page=2"


def test_chains_collapse(client):
    film = FilmFactory(slug="a")
    rename(film, "b")
    rename(film, "c")

    assert set(Redirect.objects.values_list("old_path", "new_path")) == {
        ("/films/a/", "/films/c/"),
        ("/films/b/", "/films/c/"),
    }
    assert_redirects(client, "/films/a/", "/films/c/")


def test_a_slug_changed_back_leaves_no_loop(client):
    film = FilmFactory(slug="a")
    rename(film, "b")
    rename(film, "a")

    redirects = list(Redirect.objects.values_list("old_path", "new_path"))
    assert redirects == [("/films/b/", "/films/a/")]
    assert client.get("/films/a/").status_code == 200
    assert_redirects(client, "/films/b/", "/films/a/")


def test_a_slug_round_trip_through_three_leaves_every_old_address_one_hop_away(client):
    film = FilmFactory(slug="a")
    for slug in ("b", "c", "a", "d"):
        rename(film, slug)

    redirects = dict(Redirect.objects.values_list("old_path", "new_path"))
    assert redirects == dict.fromkeys(("/films/a/", "/films/b/", "/films/c/"), "/films/d/")


def test_a_live_page_wins_over_a_redirect_from_its_address(client):
    rename(FilmFactory(slug="a", title="First"), "b")
    FilmFactory(slug="a", title="Second")

    response = client.get("/films/a/")

    assert response.status_code == 200
    assert "Second" in response.content.decode()


def test_deleting_the_row_deletes_its_redirects(client):
    film = FilmFactory(slug="a")
    rename(film, "b")
    Redirect.objects.create(old_path="/old-music/", new_path="/films/b/music/")
    unrelated = rename(FilmFactory(slug="x"), "y")

    film.delete()

    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/films/x/"]
    assert client.get("/films/a/").status_code == 404
    assert client.get("/old-music/").status_code == 404
    assert_redirects(client, "/films/x/", unrelated.get_absolute_url())


def test_a_bulk_delete_that_reads_no_slugs_leaves_their_redirects():
    films = [rename(FilmFactory(slug=f"a{n}"), f"b{n}") for n in range(3)]
    queryset = type(films[0]).objects.filter(pk__in=[film.pk for film in films]).only("pk")

    queryset.delete()

    # Their redirects lead on to the 404 their pages now are.
    assert Redirect.objects.count() == 3


def test_a_raw_save_redirects_too_loaddata_and_reverts(client):
    film = FilmFactory(slug="a")
    data = serializers.serialize("json", [film]).replace('"slug": "a"', '"slug": "b"')

    for deserialized in serializers.deserialize("json", data):
        deserialized.save()

    assert_redirects(client, "/films/a/", "/films/b/")


def test_a_slug_changed_in_the_admin_redirects(client):
    film = FilmFactory(slug="a")
    client.force_login(EditorFactory())

    response = post_change(client, film, slug="tron-ares")

    assert response.status_code == 302, form_errors(response)
    assert_redirects(client, "/films/a/", "/films/tron-ares/")


def test_the_canonical_url_after_a_change_is_the_new_one_on_the_site_url(client, settings):
    settings.SITE_URL = "https://cuesheet.example"
    rename(FilmFactory(slug="a"), "b")

    page = client.get(client.get("/films/a/")["Location"]).content.decode()

    assert '<link rel="canonical" href="https://cuesheet.example/films/b/">' in page


# The admin: editors see and change redirects; what cannot be a redirect is a form error.


def test_editors_see_redirects_and_add_their_own(client):
    rename(FilmFactory(slug="a"), "b")
    client.force_login(EditorFactory())

    changelist = client.get(admin_url(Redirect, "changelist"))
    added = client.post(admin_url(Redirect, "add"), {"old_path": "/tron/", "new_path": "/films/b/"})

    assert changelist.status_code == 200
    assert "/films/a/" in changelist.content.decode()
    assert added.status_code == 302, form_errors(added)
    assert_redirects(client, "/tron/", "/films/b/")


def test_writers_do_not_see_redirects(client):
    client.force_login(WriterFactory())

    assert client.get(admin_url(Redirect, "changelist")).status_code == 403


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("/same/", "/same/", "__all__"),
        ("/a/", "//evil.example/", "new_path"),
        ("/a/", "https://evil.example/", "new_path"),
        ("no-slash/", "/films/", "old_path"),
        ("/a/?x=1", "/films/", "old_path"),
        ("/a b/", "/films/", "old_path"),
        ("/a\x00/", "/films/", "old_path"),
        ("/", "/films/", "old_path"),
        ("/x/", "/films/a/", "new_path"),  # /films/a/ redirects on: a chain
        ("/" + "x" * 600 + "/", "/films/", "old_path"),
    ],
)
def test_what_cannot_be_a_redirect_is_a_form_error(client, old, new, field):
    rename(FilmFactory(slug="a"), "b")
    client.force_login(EditorFactory())

    response = client.post(admin_url(Redirect, "add"), {"old_path": old, "new_path": new})

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Redirect.objects.count() == 1


def test_an_editors_redirect_to_a_redirected_address_is_refused_and_one_to_it_collapses(client):
    Redirect.objects.create(old_path="/promo/", new_path="/films/a/")
    rename(FilmFactory(slug="a"), "b")

    assert Redirect.objects.get(old_path="/promo/").new_path == "/films/b/"


# What it costs, and what it answers to any path.


def redirect_queries(queries):
    return [q["sql"] for q in queries if "permalinks_redirect" in q["sql"]]


def test_a_page_that_answers_asks_nothing_of_the_redirects(client):
    film = rename(FilmFactory(slug="a"), "b")

    with CaptureQueriesContext(connection) as queries:
        assert client.get(film.get_absolute_url()).status_code == 200

    assert redirect_queries(queries.captured_queries) == []


def test_a_404_asks_once(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/films/no-such-film/music/1m03/").status_code == 404

    assert len(redirect_queries(queries.captured_queries)) == 1


@pytest.mark.parametrize("path", ["/media/posters/gone.webp", "/static/css/gone.css"])
def test_a_missing_file_asks_nothing(client, path):
    Redirect.objects.create(old_path="/media/posters/", new_path="/films/")

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 404

    assert redirect_queries(queries.captured_queries) == []


def test_the_candidates_are_the_path_and_the_folders_above_it_deepest_first():
    assert candidates("/films/a/music/1m03/") == [
        "/films/a/music/1m03/",
        "/films/a/music/",
        "/films/a/",
        "/films/",
    ]
    assert candidates("/films/a") == ["/films/a", "/films/a/", "/films/"]
    assert candidates("/a\x00/") == []
    assert len(candidates("/x" * 5000)) == 8
    assert all(len(path) <= 500 for path in candidates("/" + "x" * 5000 + "/y/"))


HOSTILE_PATHS = [
    "/films/a/" + "x" * 5000 + "/",
    "/films/a" + "/x" * 3000,
    "/films/a/%00/",
    "/films/a%00/",
    "/%00",
    "/films/a//evil.example/",
    "//evil.example/",
    "/films/a/%2F%2Fevil.example/",
    "/films/a/\u00e9\u2603/",
    "/films/%C3%A9%E2%98%83/",
    "/films/a/..%2F..%2Fetc%2Fpasswd",
    "/films/a/%ZZ/",
    "/films/a/%ff%fe/",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_any_path_gets_a_page_a_404_or_a_redirect_on_this_site_never_a_500(client, path):
    rename(FilmFactory(slug="a"), "b")
    Redirect.objects.create(old_path="/x/", new_path="/")

    for tried in (path, path.replace("/films/a", "/x")):
        response = client.get(tried)
        assert response.status_code in (200, 301, 404), tried
        if response.status_code == 301:
            location = response["Location"]
            assert location.startswith("/"), location
            assert not location.startswith("//"), location
            assert "\\" not in location
            assert "\x00" not in location


# Caching: a redirect is cached no longer than a page is by browsers, and never by the front
# cache beyond that, since no purge reaches it.


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("page_cache_on")
def test_a_redirect_is_cached_a_minute_and_never_stored_by_the_page_cache(client, settings):
    settings.FRONT_CACHE_URLS = ["http://127.0.0.1:1"]  # a front cache is purged: pages get a day
    rename(FilmFactory(slug="a"), "b")

    response = client.get("/films/a/")

    assert response.status_code == 301
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", f"max-age={settings.PAGE_CACHE_MAX_AGE}"}
    assert "xkey" not in response
    assert "X-Cache" not in response

    Redirect.objects.all().delete()
    assert client.get("/films/a/").status_code == 404


@pytest.mark.usefixtures("page_cache_on")
def test_the_page_back_at_an_old_address_is_served_at_once(client):
    film = rename(FilmFactory(slug="a"), "b")
    assert client.get("/films/a/").status_code == 301

    rename(film, "a")

    assert client.get("/films/a/").status_code == 200


def test_staff_get_a_redirect_no_one_stores(client):
    rename(FilmFactory(slug="a"), "b")
    client.force_login(EditorFactory())

    response = client.get("/films/a/")

    assert response.status_code == 301
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
