"""Themes in the admin: edited with their appearances, cues chosen from the theme's films."""

import pytest
from django.urls import reverse

from editorial.tests.admin_forms import admin_url, form_data, form_errors, post_change
from editorial.tests.factories import EditorFactory, WriterFactory
from films.tests.factories import FilmFactory, FranchiseFactory
from soundtracks.models import Theme, ThemeAppearance
from soundtracks.tests.admin_rows import errors_of, has_errors, post_with_rows, snapshot
from soundtracks.tests.factories import CueFactory, ThemeAppearanceFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def cue_autocomplete(client, **scope):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "soundtracks", "model_name": "themeappearance", "field_name": "cue", **scope},
    )


def offered(response):
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


def test_an_editor_adds_a_theme_with_its_appearances(editor_client):
    film = FilmFactory(title="Tron: Ares")
    init, escape = CueFactory(film=film, title="Init"), CueFactory(film=film, title="Escape")
    page = editor_client.get(admin_url(Theme, "add"))
    assert '"#id_slug"' in page.context["prepopulated_fields_json"]

    response = post_with_rows(
        editor_client,
        Theme,
        ThemeAppearance,
        {"cue": init.pk, "note": "Solo synth"},
        {"cue": escape.pk, "note": "Full orchestra"},
        name="The Grid",
        slug="the-grid",
        film=film.pk,
    )

    assert response.status_code == 302, form_errors(response)
    theme = Theme.objects.get()
    assert [(a.cue, a.note) for a in theme.appearances.all()] == [
        (init, "Solo synth"),
        (escape, "Full orchestra"),
    ]
    assert theme.created_by is not None


def test_the_theme_list_searches_and_filters(editor_client):
    franchise = FranchiseFactory(name="Tron")
    ThemeFactory(name="The Grid", film=None, franchise=franchise)
    ThemeFactory(name="Ares", description="A program that wants to live")
    url = admin_url(Theme, "changelist")

    def names(**query):
        response = editor_client.get(url, query)
        assert response.status_code == 200
        return [theme.name for theme in response.context["cl"].result_list]

    assert names() == ["Ares", "The Grid"]
    assert names(q="live") == ["Ares"]
    assert names(franchise__id__exact=franchise.pk) == ["The Grid"]


def test_the_cue_chooser_offers_only_the_themes_film(editor_client):
    theme = ThemeFactory()
    ours = CueFactory(film=theme.film)
    CueFactory()
    page = editor_client.get(admin_url(Theme, "change", theme.pk))
    assert f"?film={theme.film_id}" in page.content.decode()
    assert offered(cue_autocomplete(editor_client, film=theme.film_id)) == {ours.pk}


def test_a_franchise_themes_cue_chooser_offers_the_franchises_films(editor_client):
    franchise = FranchiseFactory()
    theme = ThemeFactory(film=None, franchise=franchise)
    first = CueFactory(film=FilmFactory(franchise=franchise))
    second = CueFactory(film=FilmFactory(franchise=franchise))
    CueFactory()
    page = editor_client.get(admin_url(Theme, "change", theme.pk))
    assert f"?franchise={franchise.pk}" in page.content.decode()
    assert offered(cue_autocomplete(editor_client, franchise=franchise.pk)) == {first.pk, second.pk}


@pytest.mark.parametrize(
    "value", ["abc", "-1", "0", str(2**63), str(10**30), "", "%00", "x" * 2000]
)
@pytest.mark.parametrize("name", ["film", "franchise"])
def test_a_cue_chooser_scope_that_is_no_id_offers_nothing(editor_client, name, value):
    CueFactory()
    assert offered(cue_autocomplete(editor_client, **{name: value})) == set()


def test_the_theme_chooser_on_a_cue_offers_the_films_and_its_franchises_themes(editor_client):
    franchise = FranchiseFactory()
    cue = CueFactory(film=FilmFactory(franchise=franchise))
    own, shared = ThemeFactory(film=cue.film), ThemeFactory(film=None, franchise=franchise)
    ThemeFactory()
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "soundtracks", "model_name": "themeappearance", "field_name": "theme"}
        | {"film": cue.film_id},
    )
    assert offered(response) == {own.pk, shared.pk}


def test_a_cue_of_another_film_is_refused(editor_client):
    theme = ThemeFactory()
    foreign = CueFactory(title="Derezzed")
    response = post_with_rows(editor_client, theme, ThemeAppearance, {"cue": foreign.pk})
    assert "“Derezzed” is in" in errors_of(response)
    assert not ThemeAppearance.objects.exists()


def test_a_cue_of_another_film_is_refused_on_the_add_page_too(editor_client):
    film, foreign = FilmFactory(), CueFactory(title="Derezzed")
    response = post_with_rows(
        editor_client, Theme, ThemeAppearance, {"cue": foreign.pk}, name="X", slug="x", film=film.pk
    )
    assert "“Derezzed” is in" in errors_of(response)
    assert not Theme.objects.exists()


def test_a_theme_of_a_film_and_a_franchise_at_once_is_a_form_error(editor_client):
    film, franchise = FilmFactory(), FranchiseFactory()
    data = form_data(editor_client.get(admin_url(Theme, "add")))
    for both_or_neither in ({"film": film.pk, "franchise": franchise.pk}, {}):
        response = editor_client.post(
            admin_url(Theme, "add"), {**data, "name": "X", "slug": "x", **both_or_neither}
        )
        assert "A theme belongs to a film or to a franchise" in errors_of(response)
    assert not Theme.objects.exists()


def test_writers_see_themes_and_editors_change_them(client):
    theme = ThemeAppearanceFactory().theme
    url = admin_url(Theme, "change", theme.pk)
    client.force_login(WriterFactory())
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(url, {**form_data(page), "name": "Hijacked"}).status_code == 403
    assert client.get(admin_url(Theme, "add")).status_code == 403

    client.force_login(EditorFactory())
    response = client.post(url, {**form_data(client.get(url)), "name": "The Grid"})
    assert response.status_code == 302, form_errors(response)
    theme.refresh_from_db()
    assert theme.name == "The Grid"


# Hostile values in every field -------------------------------------------------------------------

HUGE = "x" * 100_000
NO_IDS = ["abc", "-1", "0", "999999", str(2**63), str(10**30), "1.5", "%00", "9" * 500]

THEME_FIELDS = {
    "name": ["", "x" * 201, HUGE, "The\x00Grid"],
    "slug": ["not a slug!", "x" * 201, ""],
    "film": NO_IDS,
    "franchise": NO_IDS,
    "description": ["A\x00B"],
}
APPEARANCE_FIELDS = {"cue": [*NO_IDS, "", "OTHER FILM"], "note": ["x" * 301, HUGE]}


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in THEME_FIELDS.items() for value in values]
)
def test_a_hostile_value_in_a_themes_field_is_a_form_error(editor_client, name, value):
    theme = ThemeAppearanceFactory(note="Solo synth").theme
    before = snapshot(theme, "appearances")
    response = post_change(editor_client, theme, **{name: value})
    assert has_errors(response)
    assert snapshot(theme, "appearances") == before


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in APPEARANCE_FIELDS.items() for value in values],
)
def test_a_hostile_value_in_an_appearance_is_a_form_error(editor_client, name, value):
    theme = ThemeFactory()
    row = {"cue": CueFactory(film=theme.film).pk, "note": "Solo synth"}
    if value == "OTHER FILM":
        value = CueFactory().pk
    response = post_with_rows(editor_client, theme, ThemeAppearance, {**row, name: value})
    assert has_errors(response)
    assert not ThemeAppearance.objects.exists()
