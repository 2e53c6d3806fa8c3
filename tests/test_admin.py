import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.tests.admin_forms import form_data, form_errors
from films.models import Credit, Film
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.tests.factories import AuthorFactory, BadgeFactory, ReviewFactory, TagFactory
from soundtracks.models import Track, TrackNote
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    SoundtrackFactory,
    ThemeAppearanceFactory,
    ThemeFactory,
    TrackFactory,
    TrackNoteFactory,
)

CONTENT_APPS = {"films", "soundtracks", "reviews"}

FACTORIES = {
    "films.franchise": FranchiseFactory,
    "films.person": PersonFactory,
    "films.film": FilmFactory,
    "films.credit": CreditFactory,
    "soundtracks.soundtrack": SoundtrackFactory,
    "soundtracks.track": TrackFactory,
    "soundtracks.tracknote": TrackNoteFactory,
    "soundtracks.cue": CueFactory,
    "soundtracks.theme": ThemeFactory,
    "reviews.author": AuthorFactory,
    "reviews.badge": BadgeFactory,
    "reviews.tag": TagFactory,
    "reviews.review": ReviewFactory,
}

CONTENT_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in CONTENT_APPS),
    key=lambda model: model._meta.label_lower,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_content_model_is_registered_and_has_a_factory():
    assert {model._meta.label_lower for model in CONTENT_MODELS} == set(FACTORIES)


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label_lower)
def test_editor_opens_changelist_add_and_change_pages(editor_client, model):
    obj = FACTORIES[model._meta.label_lower]()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
        admin_url(model, "changelist") + "?q=a",
    ):
        response = editor_client.get(url)
        assert response.status_code == 200, url


def make_rows(label, count):
    """Rows that exercise every related column of a changelist (credits, tracks, authors...)."""
    factory = FACTORIES[label]
    for _ in range(count):
        obj = factory()
        if label == "films.film":
            CreditFactory(film=obj, role=Credit.Role.DIRECTOR)
        elif label == "films.person":
            CreditFactory(person=obj)
        elif label == "soundtracks.soundtrack":
            TrackFactory(soundtrack=obj)
        elif label == "soundtracks.track":
            TrackNoteFactory(track=obj)
        elif label == "soundtracks.cue":
            CueTrackFactory(cue=obj, track__soundtrack__film=obj.film)
        elif label == "soundtracks.theme":
            ThemeAppearanceFactory(theme=obj)
        elif label == "reviews.review":
            obj.tags.add(TagFactory())


def changelist_queries(client, model):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label_lower)
def test_changelist_query_count_does_not_grow_with_rows(editor_client, model):
    label = model._meta.label_lower
    make_rows(label, 5)
    with_5 = changelist_queries(editor_client, model)
    make_rows(label, 45)
    assert model.objects.count() >= 50
    assert changelist_queries(editor_client, model) == with_5


def test_film_change_form_shows_the_infobox_facts(editor_client):
    film = FilmFactory(title="Tron: Ares", runtime=119)
    director = PersonFactory(name="Joachim Rønning")
    CreditFactory(film=film, person=director, role=Credit.Role.DIRECTOR)
    for order, name in enumerate(["Jared Leto", "Jeffrey Silver", "Sean Bailey"]):
        CreditFactory(film=film, person=PersonFactory(name=name), billing_order=order)

    response = editor_client.get(admin_url(Film, "change", film.pk))

    html = response.content.decode()
    assert "119 minutes" in html
    assert "Joachim Rønning" in html
    assert "Jared Leto, Jeffrey Silver, Sean Bailey" in html


def test_track_duration_typed_as_minutes_and_seconds(editor_client):
    track = TrackFactory(duration=None)
    url = admin_url(Track, "change", track.pk)
    data = {
        "soundtrack": track.soundtrack_id,
        "disc": 1,
        "position": track.position,
        "title": track.title,
        "duration": "3:15",
        "artist_credit": "",
        "loaded_version": track.lock_version,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.duration == 195

    data["loaded_version"] = track.lock_version
    response = editor_client.post(url, {**data, "duration": "3:75"})
    assert response.status_code == 200
    assert "Seconds must be 00–59" in response.content.decode()
    track.refresh_from_db()
    assert track.duration == 195


def test_track_form_shows_stored_duration_as_minutes_and_seconds(editor_client):
    track = TrackFactory(duration=3723)
    response = editor_client.get(admin_url(Track, "change", track.pk))
    assert 'value="1:02:03"' in response.content.decode()


def test_duplicate_track_position_is_a_form_error_not_a_crash(editor_client):
    first = TrackFactory(position=1)
    second = TrackFactory(soundtrack=first.soundtrack, position=2)
    response = editor_client.post(
        admin_url(Track, "change", second.pk),
        {
            "soundtrack": second.soundtrack_id,
            "disc": 1,
            "position": 1,
            "title": second.title,
            "duration": "",
            "loaded_version": second.lock_version,
            "notes-TOTAL_FORMS": 0,
            "notes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Another track already has this disc and position." in response.content.decode()
    second.refresh_from_db()
    assert second.position == 2


def test_new_track_note_is_stamped_with_its_author(editor_client, editor):
    track = TrackFactory()
    data = form_data(editor_client.get(admin_url(TrackNote, "add")))
    response = editor_client.post(
        admin_url(TrackNote, "add"), {**data, "track": track.pk, "text": "Under the titles."}
    )
    assert response.status_code == 302, form_errors(response)
    note = TrackNote.objects.get()
    assert (note.author, note.created_by, note.text) == (editor, editor, "Under the titles.")


def test_deleting_a_film_with_reviews_is_refused_in_the_admin(editor_client):
    review = ReviewFactory()
    url = admin_url(Film, "delete", review.film.pk)
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert Film.objects.filter(pk=review.film.pk).exists()


def test_view_on_site_links_to_the_public_page(editor_client):
    film = FilmFactory(slug="tron-ares")
    response = editor_client.get(admin_url(Film, "change", film.pk))
    assert reverse("admin:view_on_site", args=[response.context["content_type_id"], film.pk]) in (
        response.content.decode()
    )
    redirect = editor_client.get(
        reverse("admin:view_on_site", args=[response.context["content_type_id"], film.pk])
    )
    assert redirect.url.endswith("/films/tron-ares/")


def test_film_credits_inline_lists_roles_in_billing_order(editor_client):
    film = FilmFactory()
    cast = CreditFactory(film=film, role=Credit.Role.CAST, billing_order=1)
    producer = CreditFactory(film=film, role=Credit.Role.PRODUCER, billing_order=1)
    director = CreditFactory(film=film, role=Credit.Role.DIRECTOR, billing_order=1)

    response = editor_client.get(admin_url(Film, "change", film.pk))

    (credits,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Credit
    ]
    assert [form.instance for form in credits.formset.initial_forms] == [director, producer, cast]
