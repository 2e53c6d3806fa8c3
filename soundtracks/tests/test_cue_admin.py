"""The cue sheet in the admin: the film's cues inline, a cue's page, its album tracks."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.factories import EditorFactory, WriterFactory
from films.models import Credit, Film
from films.tests.factories import CreditFactory, FilmFactory, PersonFactory
from soundtracks.models import Cue, CueTrack, ThemeAppearance
from soundtracks.tests.admin_rows import (
    errors_of,
    has_errors,
    inline_prefix,
    post_with_rows,
    snapshot,
    with_rows,
)
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    ThemeFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def new_cue(**fields):
    return {"title": "Init", "order": 1, **fields}


def cue_rows(film):
    return list(Cue.objects.filter(film=film).in_film_order().values_list("title", flat=True))


# The film's cue sheet ---------------------------------------------------------------------------


def test_the_film_page_lists_its_cues_in_film_order_with_links(editor_client):
    film = FilmFactory()
    later = CueFactory(film=film, order=2, title="Escape", start=3000)
    first = CueFactory(film=film, order=1, title="Init", start=60)
    unknown = CueFactory(film=film, order=2, title="No time known", start=None)

    response = editor_client.get(admin_url(Film, "change", film.pk))

    prefix = inline_prefix(response, Cue)
    (cues,) = [i for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    assert [form.instance for form in cues.formset.initial_forms] == [first, later, unknown]
    html = response.content.decode()
    assert admin_url(Cue, "change", later.pk) in html
    assert 'value="50:00"' in html


def test_the_film_page_runs_the_same_queries_with_3_and_200_cues(
    editor_client, django_assert_num_queries
):
    film = FilmFactory()
    CreditFactory(film=film, role=Credit.Role.COMPOSER)
    url = admin_url(Film, "change", film.pk)
    editor_client.get(url)  # sessions and content types, once
    CueFactory.create_batch(3, film=film, start=60, usage=Cue.Usage.BACKGROUND_INSTRUMENTAL)
    with django_assert_num_queries(QUERIES_FILM_PAGE):
        assert editor_client.get(url).status_code == 200
    CueFactory.create_batch(197, film=film, start=120, scene="A scene", scene_is_spoiler=True)
    with django_assert_num_queries(QUERIES_FILM_PAGE):
        response = editor_client.get(url)
    assert response.content.decode().count('name="cues-') > 200 * 8


#: The film's change page, measured: a fixed number, whatever the number of cues.
QUERIES_FILM_PAGE = 12


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("start", "1:75:00", "In: Minutes must be 00–59"),
        ("end", "1:75:00", "Out: Minutes must be 00–59"),
        ("start", "3:75", "In: Seconds must be 00–59"),
        ("start", "-1", "In: Enter a time as m:ss"),
        ("end", "abc", "Out: Enter a time as m:ss"),
        ("start", "99999:00", "In: 1666:39:00 is more than 24:00:00"),
        ("end", "9" * 5000 + ":00", "Out:"),
        ("start", "1:00:00:00", "In: Enter a time"),
        ("duration", "1:75", "Length: Seconds must be 00–59"),
    ],
)
def test_a_bad_timecode_on_the_film_page_is_an_error_naming_the_field(
    editor_client, name, value, message
):
    film = FilmFactory(runtime=None)
    response = post_with_rows(editor_client, film, Cue, new_cue(**{name: value}))
    assert message in errors_of(response)
    assert not Cue.objects.exists()


def test_a_timecode_after_the_film_ends_is_refused(editor_client):
    film = FilmFactory(runtime=119)
    response = post_with_rows(editor_client, film, Cue, new_cue(start="1:59:01"))
    assert "after the end of the film (1:59:00)" in errors_of(response)
    response = post_with_rows(editor_client, film, Cue, new_cue(start="10:00", end="9:00"))
    assert "A cue must end after it starts." in errors_of(response)
    response = post_with_rows(
        editor_client, film, Cue, new_cue(start="10:00", end="11:00", duration="2:00")
    )
    assert "Leave one of the three empty." in errors_of(response)
    assert not Cue.objects.exists()


def test_a_length_alone_or_with_one_end_is_kept_and_gives_the_other_end(editor_client):
    film = FilmFactory(runtime=119)
    response = post_with_rows(
        editor_client,
        film,
        Cue,
        new_cue(title="Royalty sheet", order=1, duration="2:10"),
        new_cue(title="Timed", order=2, start="10:00", duration="1:30"),
    )
    assert response.status_code == 302, form_errors(response)
    assert Cue.objects.get(title="Royalty sheet").duration == 130
    assert (Cue.objects.get(title="Timed").end, Cue.objects.get(title="Timed").duration) == (
        690,
        90,
    )


def test_cues_typed_on_the_film_page_are_saved_in_film_order(editor_client):
    film = FilmFactory(runtime=119)
    response = post_with_rows(
        editor_client,
        film,
        Cue,
        new_cue(title="Escape", order=5, start="1:02:03", end="1:05:00", code="5M01"),
        new_cue(title="Init", order=1, start="0:45", usage="main_title", scene="Opening credits"),
    )
    assert response.status_code == 302, form_errors(response)
    assert cue_rows(film) == ["Init", "Escape"]
    escape = Cue.objects.get(code="5M01")
    assert (escape.start, escape.end, escape.slug) == (3723, 3900, "5m01")


def test_two_new_cues_of_one_title_get_slugs_of_their_own(editor_client):
    film = FilmFactory()
    CueFactory(film=film, title="Init", slug="init")
    response = post_with_rows(
        editor_client, film, Cue, new_cue(order=2), new_cue(order=3), new_cue(order=4)
    )
    assert response.status_code == 302, form_errors(response)
    assert sorted(film.cues.values_list("slug", flat=True)) == [
        "init",
        "init-2",
        "init-3",
        "init-4",
    ]


def test_one_cue_code_twice_in_one_save_is_a_form_error(editor_client):
    film = FilmFactory()
    CueFactory(film=film, code="1M01")
    response = post_with_rows(
        editor_client, film, Cue, new_cue(code="1M02"), new_cue(code="1M02", title="Other")
    )
    assert "Another cue in this cue sheet has the cue code 1M02." in errors_of(response)
    response = post_with_rows(editor_client, film, Cue, new_cue(code="1M01"))
    assert "Another cue of this film has this cue code." in errors_of(response)
    assert film.cues.count() == 1


def test_new_cues_get_the_films_composers_in_billing_order(editor_client):
    film = FilmFactory()
    second = CreditFactory(film=film, role=Credit.Role.COMPOSER, billing_order=2).person
    first = CreditFactory(film=film, role=Credit.Role.COMPOSER, billing_order=1).person
    CreditFactory(film=film, role=Credit.Role.DIRECTOR)
    existing = CueFactory(film=film, title="Already there")

    response = post_with_rows(editor_client, film, Cue, new_cue())

    assert response.status_code == 302, form_errors(response)
    cue = film.cues.get(title="Init")
    rows = Cue.composers.through.objects.filter(cue=cue).order_by("pk")
    assert [row.person for row in rows] == [first, second]
    assert not existing.composers.exists()


def test_a_cue_added_on_its_own_page_gets_the_films_composers_unless_chosen(editor_client):
    film = FilmFactory()
    composer = CreditFactory(film=film, role=Credit.Role.COMPOSER).person
    singer = PersonFactory()
    for title, chosen in (("Init", []), ("Song", [singer.pk])):
        data = form_data(editor_client.get(admin_url(Cue, "add")))
        data.update(film=film.pk, title=title, order=1, composers=chosen)
        response = editor_client.post(admin_url(Cue, "add"), data)
        assert response.status_code == 302, form_errors(response)
    assert list(Cue.objects.get(title="Init").composers.all()) == [composer]
    assert list(Cue.objects.get(title="Song").composers.all()) == [singer]


# A cue's own page -------------------------------------------------------------------------------


def test_the_cue_list_filters_by_film_searches_and_keeps_film_order(editor_client):
    tron, ares = FilmFactory(title="Tron"), FilmFactory(title="Tron: Ares")
    CueFactory(film=ares, order=2, title="Escape", scene="The Grid")
    CueFactory(film=ares, order=1, title="Init", code="1M01")
    CueFactory(film=tron, order=1, title="Main Title")
    url = admin_url(Cue, "changelist")

    def titles(**query):
        response = editor_client.get(url, query)
        assert response.status_code == 200
        return [cue.title for cue in response.context["cl"].result_list]

    assert titles() == ["Main Title", "Init", "Escape"]
    assert titles(film__id__exact=ares.pk) == ["Init", "Escape"]
    assert titles(q="1M01") == ["Init"]
    assert titles(q="grid") == ["Escape"]
    assert titles(q="escape") == ["Escape"]


def track_autocomplete(client, **scope):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "soundtracks", "model_name": "cuetrack", "field_name": "track", **scope},
    )


def test_the_album_track_chooser_offers_only_the_films_albums(editor_client):
    cue = CueFactory()
    ours = TrackFactory(soundtrack__film=cue.film, title="Init")
    TrackFactory(title="Someone else's")
    page = editor_client.get(admin_url(Cue, "change", cue.pk))

    assert f"?film={cue.film_id}" in page.content.decode()
    offered = track_autocomplete(editor_client, film=cue.film_id).json()["results"]
    assert [result["id"] for result in offered] == [str(ours.pk)]


@pytest.mark.parametrize("film", ["abc", "-1", "0", str(2**63), str(10**30), "", "1.5", "%00"])
def test_a_track_chooser_scope_that_is_no_film_offers_nothing(editor_client, film):
    TrackFactory()
    response = track_autocomplete(editor_client, film=film)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_scope_limits_only_the_cues_track_chooser(editor_client):
    cue = CueFactory()
    TrackFactory(soundtrack__film=cue.film)
    elsewhere = TrackFactory()
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "soundtracks", "model_name": "tracknote", "field_name": "track"}
        | {"film": cue.film_id},
    )
    assert str(elsewhere.pk) in {result["id"] for result in response.json()["results"]}


def test_a_track_of_another_films_album_is_refused(editor_client):
    cue = CueFactory()
    foreign = TrackFactory(title="Derezzed")
    response = post_with_rows(editor_client, cue, CueTrack, {"track": foreign.pk, "extent": "part"})
    assert "“Derezzed” is on" in errors_of(response)
    assert not CueTrack.objects.exists()


def test_a_track_of_another_film_is_refused_on_the_add_page_too(editor_client):
    film = FilmFactory()
    foreign = TrackFactory(title="Derezzed")
    response = post_with_rows(
        editor_client, Cue, CueTrack, {"track": foreign.pk}, film=film.pk, title="Init", order=1
    )
    assert "“Derezzed” is on" in errors_of(response)
    assert not Cue.objects.exists()


def test_an_editor_links_a_cue_to_its_albums_tracks_and_themes(editor_client):
    cue = CueFactory()
    track = TrackFactory(soundtrack__film=cue.film)
    theme = ThemeFactory(film=cue.film)
    response = post_with_rows(editor_client, cue, CueTrack, {"track": track.pk, "extent": "part"})
    assert response.status_code == 302, form_errors(response)
    appearance = {"theme": theme.pk, "note": "Low brass"}
    response = post_with_rows(editor_client, cue, ThemeAppearance, appearance)
    assert response.status_code == 302, form_errors(response)
    assert list(cue.track_links.values_list("track", "extent")) == [(track.pk, "part")]
    assert list(cue.theme_appearances.values_list("theme", "note")) == [(theme.pk, "Low brass")]


def test_a_theme_of_another_film_is_refused_on_the_cue(editor_client):
    cue = CueFactory()
    theirs = ThemeFactory(name="Derezzed motif")
    response = post_with_rows(editor_client, cue, ThemeAppearance, {"theme": theirs.pk})
    assert "is in" in errors_of(response)
    assert not ThemeAppearance.objects.exists()


# Who may do what -------------------------------------------------------------------------------


def test_writers_see_cues_and_editors_change_them(client):
    cue = CueTrackFactory().cue
    client.force_login(WriterFactory())
    url = admin_url(Cue, "change", cue.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(url, form_data(page) | {"title": "Hijacked"}).status_code == 403
    assert client.get(admin_url(Cue, "add")).status_code == 403
    film_page = client.get(admin_url(Film, "change", cue.film.pk))
    assert film_page.status_code == 200
    cue.refresh_from_db()
    assert cue.title != "Hijacked"

    editor = EditorFactory()
    client.force_login(editor)
    assert client.post(url, form_data(client.get(url)) | {"title": "Init"}).status_code == 302
    cue.refresh_from_db()
    assert (cue.title, cue.updated_by) == ("Init", editor)


def test_a_stale_cue_form_is_refused(editor_client):
    cue = CueFactory(title="Init")
    url = admin_url(Cue, "change", cue.pk)
    stale = form_data(editor_client.get(url))
    cue.title = "Init (saved by someone else)"
    cue.save()
    response = editor_client.post(url, {**stale, "title": "Mine"})
    assert response.status_code == 200
    cue.refresh_from_db()
    assert cue.title == "Init (saved by someone else)"


def test_a_deleted_cue_can_be_recovered(editor_client):
    cue = CueFactory(title="Init")
    response = editor_client.post(admin_url(Cue, "delete", cue.pk), {"post": "yes"})
    assert response.status_code == 302
    assert editor_client.get(admin_url(Cue, "recover_list")).status_code == 200
    assert "Init" in editor_client.get(admin_url(Cue, "recover_list")).content.decode()


# Hostile values in every field -------------------------------------------------------------------

HUGE = "x" * 100_000
#: Ids that name no row, or nothing at all.
NO_IDS = ["abc", "-1", "0", "999999", str(2**63), str(10**30), "1.5", "%00", "9" * 500]
BAD_TIMECODES = ["1:75:00", "3:75", "-1", "99999:00", "abc", str(10**30), "9" * 5000, HUGE]

CUE_FIELDS = {
    "film": [*NO_IDS, ""],
    "order": ["-1", str(10**30), "abc", "1.5", "", HUGE],
    "code": ["x" * 21, HUGE, "1M\x0001"],
    "title": ["", " ", "x" * 301, HUGE, "In\x00it"],
    "slug": ["not a slug!", "x" * 101, "ü" * 5],
    "start": BAD_TIMECODES,
    "end": BAD_TIMECODES,
    "duration": [*BAD_TIMECODES, "0:00"],
    "usage": ["nope", HUGE, "Main title"],
    "scene": ["x" * 301, HUGE],
    "known_from": ["rumour", HUGE],
    "source_detail": ["x" * 301],
    "composers": [[value] for value in NO_IDS],
    "performers": [["abc", "1"], [str(10**30)]],
}
CUE_INLINE_FIELDS = {
    CueTrack: {
        "track": [*NO_IDS, "OTHER FILM"],
        "extent": ["most", HUGE],
    },
    ThemeAppearance: {
        "theme": [*NO_IDS, "OTHER FILM"],
        "note": ["x" * 301],
    },
}


def _cue_snapshot(cue):
    return snapshot(cue, "composers", "performers", "track_links", "theme_appearances")


def read_once(django_db_blocker, make):
    """``make()``'s row made and its admin page read once for a class, in a transaction rolled
    back after the class: ``(obj, url, response)``. Every test of the class posts a hostile
    value into that page's form, which is refused and saves nothing, so the page each test
    would load is this one, unchanged; what a test's post writes goes with its savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        reader = Client()
        reader.force_login(EditorFactory())
        obj, url = make()
        yield obj, url, reader.get(url)
        transaction.set_rollback(True)


def a_cue():
    cue = CueFactory(film=FilmFactory(runtime=None), title="Init", start=60, end=120)
    return cue, admin_url(Cue, "change", cue.pk)


@pytest.fixture(scope="class")
def cue_page(django_db_setup, django_db_blocker):
    yield from read_once(django_db_blocker, a_cue)


@pytest.mark.xdist_group("cue-admin-hostile-cue-fields")
class TestHostileCueFields:
    @pytest.mark.parametrize(
        ("name", "value"),
        [(name, value) for name, values in CUE_FIELDS.items() for value in values],
    )
    def test_a_hostile_value_in_a_cues_field_is_a_form_error(
        self, cue_page, editor_client, name, value
    ):
        cue, url, page = cue_page
        before = _cue_snapshot(cue)
        response = editor_client.post(url, {**form_data(page), name: value})
        assert has_errors(response)
        assert _cue_snapshot(cue) == before


@pytest.mark.parametrize(
    ("model", "name", "value"),
    [
        (model, name, value)
        for model, fields in CUE_INLINE_FIELDS.items()
        for name, values in fields.items()
        for value in values
    ],
)
def test_a_hostile_value_in_a_cues_album_track_or_theme_is_a_form_error(
    editor_client, model, name, value
):
    cue = CueFactory()
    row = {"track": TrackFactory(soundtrack__film=cue.film).pk, "extent": "part"}
    if model is ThemeAppearance:
        row = {"theme": ThemeFactory(film=cue.film).pk, "note": "Low brass"}
    if value == "OTHER FILM":
        value = (TrackFactory() if name == "track" else ThemeFactory()).pk
    before = _cue_snapshot(cue)
    response = post_with_rows(editor_client, cue, model, {**row, name: value})
    assert has_errors(response)
    assert _cue_snapshot(cue) == before


FILM_ROW_FIELDS = ("order", "code", "title", "start", "end", "usage", "scene")


def a_film_with_a_cue():
    film = FilmFactory(runtime=None)
    CueFactory(film=film, title="Init")
    return film, admin_url(Film, "change", film.pk)


@pytest.fixture(scope="class")
def film_page(django_db_setup, django_db_blocker):
    yield from read_once(django_db_blocker, a_film_with_a_cue)


@pytest.mark.xdist_group("cue-admin-hostile-cue-sheet")
class TestHostileCueSheet:
    @pytest.mark.parametrize(
        ("name", "value"),
        [(name, value) for name in FILM_ROW_FIELDS for value in CUE_FIELDS[name]],
    )
    def test_a_hostile_value_in_the_films_cue_sheet_is_a_form_error(
        self, film_page, editor_client, name, value
    ):
        film, url, page = film_page
        [existing] = film.cues.all()
        before = _cue_snapshot(existing)
        # A new row (with something typed, so that it is not an empty row left alone).
        row = new_cue(**{"scene": "Opening", "usage": "bi", name: value})
        response = editor_client.post(url, with_rows(page, Cue, row))
        assert has_errors(response)
        assert list(film.cues.all()) == [existing]
        assert _cue_snapshot(existing) == before
        # The same value in a row already there.
        response = editor_client.post(url, with_rows(page, Cue, **{f"cues-0-{name}": value}))
        assert has_errors(response)
        assert _cue_snapshot(existing) == before
