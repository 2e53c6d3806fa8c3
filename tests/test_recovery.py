"""Deleted content comes back: "Recover deleted …" in the admin, with inlines, links and history."""

import datetime
import json

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.test import Client
from reversion.models import Version

from editorial.revisions import DELETED, versions_of
from editorial.tests.admin_forms import admin_url, form_errors, post_change
from editorial.tests.factories import EditorFactory, UserFactory, WriterFactory
from films.models import Credit, Film, Franchise, Person
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory, TagFactory
from soundtracks.models import Soundtrack, Track, TrackNote
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory, TrackNoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Desk")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def make_review():
    review = ReviewFactory(headline="Recovered review", slug="recovered-review")
    review.tags.add(TagFactory(name="Synth"))
    review.soundtracks.add(SoundtrackFactory())
    return review, "headline"


def make_film():
    film = FilmFactory(title="Recovered film", slug="recovered-film")
    CreditFactory(film=film, role=Credit.Role.DIRECTOR)
    CreditFactory(film=film, role=Credit.Role.CAST, character="Flynn")
    return film, "title"


def make_person():
    group = PersonFactory(name="Recovered group", slug="recovered-group", is_group=True)
    group.members.add(PersonFactory(), PersonFactory())
    return group, "name"


def make_album():
    album = SoundtrackFactory(title="Recovered album", slug="recovered-album")
    album.artists.add(PersonFactory())
    for position in (1, 2):
        TrackNoteFactory(track=TrackFactory(soundtrack=album, position=position))
    return album, "title"


def make_franchise():
    return FranchiseFactory(name="Recovered franchise", slug="recovered-franchise"), "name"


def make_note():
    return TrackNoteFactory(text="Recovered note"), "text"


def make_track():
    track = TrackFactory(title="Recovered track")
    TrackNoteFactory(track=track)
    return track, "title"


def make_credit():
    return CreditFactory(role=Credit.Role.CAST, character="Recovered credit"), "character"


RECOVERABLE = {
    Review: make_review,
    Film: make_film,
    Person: make_person,
    Soundtrack: make_album,
    Franchise: make_franchise,
    TrackNote: make_note,
    Track: make_track,
    Credit: make_credit,
}


def to_milliseconds(value):
    """Revisions store times as JSON does, to the millisecond."""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def snapshot(obj):
    """What must come back: the row's own fields, its inlines and its many-to-many links."""
    model = type(obj)
    obj = model.objects.get(pk=obj.pk)
    fields = {
        field.name: to_milliseconds(getattr(obj, field.attname))
        for field in model._meta.concrete_fields
        if field.name not in ("lock_version", "updated_at", "updated_by", "body_html")
    }
    links = {field.name: set(getattr(obj, field.name).all()) for field in model._meta.many_to_many}
    inlines = {
        Film: lambda: sorted(
            Credit.objects.filter(film=obj).values_list("role", "character", "person")
        ),
        Soundtrack: lambda: sorted(
            TrackNote.objects.filter(track__soundtrack=obj).values_list("track__position", "text")
        ),
        Track: lambda: sorted(TrackNote.objects.filter(track=obj).values_list("text", flat=True)),
    }.get(model, list)()
    return fields, links, inlines


def delete_in_the_admin(client, obj):
    page = client.get(admin_url(type(obj), "delete", quote(obj.pk)))
    assert "can be brought back" in page.content.decode()
    response = client.post(admin_url(type(obj), "delete", quote(obj.pk)), {"post": "yes"})
    assert response.status_code == 302, form_errors(response)
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def only_deleted_version(model):
    return Version.objects.get_for_model(model).filter(revision__comment=DELETED).latest("pk")


@pytest.mark.parametrize("model", list(RECOVERABLE), ids=lambda m: m._meta.label_lower)
def test_deleted_in_the_admin_comes_back_from_the_admin(client, editor, model):
    recoverer = EditorFactory(username="rita", first_name="Rita", last_name="Restore")
    client.force_login(editor)
    obj, field = RECOVERABLE[model]()
    assert post_change(client, obj, **{field: f"Edited {field}"}).status_code == 302
    before = snapshot(obj)
    history = versions_of(obj).count()
    delete_in_the_admin(client, obj)

    client.force_login(recoverer)
    changelist = client.get(admin_url(model, "changelist"))
    list_url = admin_url(model, "recover_list")
    assert f'href="{list_url}"' in changelist.content.decode()
    listing = client.get(list_url)
    assert listing.status_code == 200
    version = only_deleted_version(model)
    listed = listing.content.decode()
    assert version.object_repr in listed
    assert "Eddie Desk" in listed  # who deleted it
    preview = client.get(admin_url(model, "recover", version.pk))
    assert preview.status_code == 200
    assert f"Edited {field}" in preview.content.decode()
    response = client.post(admin_url(model, "recover", version.pk))

    recovered = model.objects.get() if model not in (Person, Credit, Track) else None
    recovered = model.objects.get(pk=obj.pk)  # its old id again
    assert response.status_code == 302
    assert response.url == admin_url(model, "change", recovered.pk)
    assert snapshot(recovered) == before
    versions = list(versions_of(recovered))
    assert len(versions) == history + 2  # the deletion and the recovery join its history
    assert versions[-1].revision.user == recoverer
    assert versions[-2].revision.comment == DELETED
    assert client.get(response.url).status_code == 200
    if model in (Review, Film, Person, Soundtrack, Franchise):
        assert client.get(recovered.get_absolute_url()).status_code == 200
        assert client.get(admin_url(model, "history", recovered.pk)).status_code == 200


def test_a_recovered_album_is_cited_and_linked_again(editor_client):
    album, _ = make_album()
    review = ReviewFactory(body="Hear [it](track:recovered-album/1).", status=Review.Status.DRAFT)
    delete_in_the_admin(editor_client, album)
    editor_client.post(admin_url(Soundtrack, "recover", only_deleted_version(Soundtrack).pk))
    assert Track.objects.filter(soundtrack__slug="recovered-album").count() == 2
    review.save()
    assert review.cited_tracks.count() == 1


def test_related_rows_gone_since_are_left_out_with_a_warning(editor_client):
    review, _ = make_review()
    tag = review.tags.get()
    delete_in_the_admin(editor_client, review)
    tag.delete()

    response = editor_client.post(
        admin_url(Review, "recover", only_deleted_version(Review).pk), follow=True
    )

    messages = [str(message) for message in response.context["messages"]]
    assert f"tag “{tag.slug}” (no longer exists) was left out." in messages
    recovered = Review.objects.get(uid=review.uid)
    assert not recovered.tags.exists()
    assert recovered.soundtracks.count() == 1


def test_a_row_whose_place_is_taken_is_refused_with_a_message(editor_client):
    film, _ = make_film()
    delete_in_the_admin(editor_client, film)
    FilmFactory(slug="recovered-film")
    version = only_deleted_version(Film)

    response = editor_client.post(admin_url(Film, "recover", version.pk), follow=True)

    assert response.status_code == 200
    messages = " ".join(str(message) for message in response.context["messages"])
    assert "cannot be recovered" in messages
    assert "slug" in messages.lower()
    assert Film.objects.count() == 1


def test_a_film_needing_a_deleted_person_comes_back_without_that_credit(editor_client):
    film, _ = make_film()
    cast = Credit.objects.get(film=film, role=Credit.Role.CAST)
    delete_in_the_admin(editor_client, film)
    cast.person.delete()

    response = editor_client.post(
        admin_url(Film, "recover", only_deleted_version(Film).pk), follow=True
    )

    assert response.status_code == 200
    assert Credit.objects.filter(film__slug="recovered-film").count() == 1
    messages = " ".join(str(message) for message in response.context["messages"])
    assert "was left out" in messages


def test_a_version_that_is_not_a_deleted_rows_latest_is_404(editor_client):
    review, _ = make_review()
    film = FilmFactory()
    kept = ReviewFactory()
    post_change(editor_client, review, headline="Edited")
    delete_in_the_admin(editor_client, review)
    deleted = only_deleted_version(Review)
    none = {
        "unknown": deleted.pk + 1000,
        "another model's": versions_of(film).last().pk,
        "not deleted": versions_of(kept).last().pk,
        "older": Version.objects.get_for_model(Review)
        .filter(object_id=deleted.object_id)
        .earliest("pk")
        .pk,
        "2**31": str(2**31),
        "2**70": str(2**70),
    }
    # Each asked of the same rows (a 404 changes nothing); the one recovery comes last.
    for case, target in none.items():
        for method in (editor_client.get, editor_client.post):
            assert method(admin_url(Review, "recover", target)).status_code == 404, case
    assert Review.objects.filter(pk=review.pk).count() == 0
    editor_client.post(admin_url(Review, "recover", deleted.pk))
    assert Review.objects.filter(pk=review.pk).exists()  # so "recovered already" is that
    for method in (editor_client.get, editor_client.post):
        assert method(admin_url(Review, "recover", deleted.pk)).status_code == 404


@pytest.mark.parametrize("path", ["abc", "-1", "1.5", "%00", "1/extra"])
def test_malformed_version_ids_never_answer_500(editor_client, path):
    url = admin_url(Review, "recover_list") + path + "/"
    response = editor_client.get(url, follow=True)
    assert response.status_code in (200, 404)


def test_the_list_takes_any_page_number(editor_client):
    for _ in range(3):
        delete_in_the_admin(editor_client, ReviewFactory())
    for page in ["0", "-1", "abc", "9" * 30, "", "2"]:
        response = editor_client.get(admin_url(Review, "recover_list"), {"p": page})
        assert response.status_code == 200, page


def test_only_get_lists_and_only_get_or_post_recovers(editor_client):
    review, _ = make_review()
    delete_in_the_admin(editor_client, review)
    version = only_deleted_version(Review)
    assert editor_client.post(admin_url(Review, "recover_list")).status_code == 405
    assert editor_client.put(admin_url(Review, "recover", version.pk)).status_code == 405
    assert editor_client.delete(admin_url(Review, "recover", version.pk)).status_code == 405
    assert not Review.objects.exists()


def test_the_list_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    def deleted(count):
        for _ in range(count):
            delete_in_the_admin(editor_client, FilmFactory())

    deleted(3)
    editor_client.get(admin_url(Film, "recover_list"))  # warm the content types
    with django_assert_num_queries(7):
        assert editor_client.get(admin_url(Film, "recover_list")).status_code == 200
    deleted(12)
    with django_assert_num_queries(7):
        assert editor_client.get(admin_url(Film, "recover_list")).status_code == 200


def test_writers_see_and_recover_only_their_own_deleted_drafts(client):
    writer, other = WriterFactory(), WriterFactory()
    mine = ReviewFactory(headline="Mine", status=Review.Status.DRAFT, created_by=writer)
    theirs = ReviewFactory(headline="Theirs", status=Review.Status.DRAFT, created_by=other)
    published = ReviewFactory(headline="Mine, published", created_by=writer)
    editors_client = Client()
    editors_client.force_login(EditorFactory())
    for review in (mine, theirs, published):
        delete_in_the_admin(editors_client, review)
    ids = {
        v.object_repr: v.pk
        for v in Version.objects.get_for_model(Review).filter(revision__comment=DELETED)
    }

    client.force_login(writer)
    listing = client.get(admin_url(Review, "recover_list")).content.decode()
    assert "Mine" in listing
    assert "Theirs" not in listing
    assert "Mine, published" not in listing  # writers do not edit published reviews
    assert client.get(admin_url(Review, "recover", ids["Theirs"])).status_code == 404
    assert client.post(admin_url(Review, "recover", ids["Theirs"])).status_code == 404
    assert client.post(admin_url(Review, "recover", ids["Mine, published"])).status_code == 404
    assert client.post(admin_url(Review, "recover", ids["Mine"])).status_code == 302
    assert Review.objects.get().headline == "Mine"


def test_without_add_and_change_permission_there_is_no_recovery(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_film", "change_film", "delete_film"])
    )
    film = FilmFactory()
    client.force_login(EditorFactory())
    delete_in_the_admin(client, film)
    version = only_deleted_version(Film)

    client.force_login(viewer)
    assert "Recover deleted" not in client.get(admin_url(Film, "changelist")).content.decode()
    assert client.get(admin_url(Film, "recover_list")).status_code == 403
    assert client.post(admin_url(Film, "recover", version.pk)).status_code == 403
    assert not Film.objects.exists()


def test_a_delete_from_code_is_recoverable_too(editor_client):
    album, _ = make_album()
    Soundtrack.objects.filter(pk=album.pk).delete()
    listing = editor_client.get(admin_url(Soundtrack, "recover_list")).content.decode()
    assert "Recovered album" in listing
    assert "Outside the admin" in listing
    editor_client.post(admin_url(Soundtrack, "recover", only_deleted_version(Soundtrack).pk))
    assert TrackNote.objects.filter(track__soundtrack__slug="recovered-album").count() == 2


def test_a_review_deleted_before_revisions_kept_everything_still_comes_back(editor_client):
    """Versions kept before this change stored no uid or audit times: recovery fills them."""
    review, _ = make_review()
    version = versions_of(review).last()
    stored = json.loads(version.serialized_data)
    for name in (
        "uid",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "first_published_at",
    ):
        stored[0]["fields"].pop(name, None)
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(stored))
    Review.objects.filter(pk=review.pk).delete()
    Version.objects.filter(revision__comment=DELETED).delete()

    response = editor_client.post(admin_url(Review, "recover", version.pk))

    assert response.status_code == 302
    recovered = Review.objects.get()
    assert recovered.uid == review.uid
    assert recovered.created_at is not None
    assert versions_of(recovered).count() >= 2
