"""Revisions (django-reversion) of reviews, notes, films, people, albums and franchises: history,
diff, revert; no lost edits.

Over 400 lines on purpose: one walk through history, compare and revert, run for every versioned
model with the same helpers; split by model, each file would repeat them.
"""

import datetime
import io
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from editorial.revisions import compare, paragraph_diff, stored_fields, versions_of
from editorial.tests.admin_forms import admin_url, form_data, form_errors, post_change
from editorial.tests.factories import EditorFactory, WriterFactory
from films.models import Credit, Film, Franchise, Person
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.models import Author, Review, Tag
from reviews.tests.factories import ReviewFactory, TagFactory
from soundtracks.models import Soundtrack, Track, TrackNote
from soundtracks.tests.factories import TrackFactory, TrackNoteFactory

pytestmark = pytest.mark.django_db

FIRST_BODY = "The opening paragraph.\n\nThe middle paragraph, as first written.\n\nThe last word."
SECOND_BODY = (
    "The opening paragraph.\n\nThe middle paragraph, rewritten with care.\n\nThe last word."
)


@pytest.fixture
def editor():
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Desk")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def revert_url(obj, version):
    return admin_url(type(obj), "revert", obj.pk, version.pk)


# Every save keeps a revision -------------------------------------------------------------------


def test_every_admin_save_keeps_a_revision_with_who_and_what(editor_client, editor):
    review = ReviewFactory(body=FIRST_BODY)
    already = versions_of(review).count()

    post_change(editor_client, review, body=SECOND_BODY)
    post_change(editor_client, Review.objects.get(), headline="A new headline")

    versions = list(versions_of(review))
    assert len(versions) == already + 2
    latest = versions[-1].revision
    assert latest.user == editor
    assert "Headline" in latest.get_comment()
    assert json.loads(versions[-2].serialized_data)[0]["fields"]["body"] == SECOND_BODY


def test_saves_outside_the_admin_keep_a_revision_too():
    review = ReviewFactory()
    review.headline = "Edited in the shell"
    review.save()
    assert versions_of(review).last().revision.user is None
    assert "Edited in the shell" in versions_of(review).last().serialized_data


def test_publishing_by_action_keeps_a_revision(editor_client, editor):
    review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None)
    editor_client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", "_selected_action": review.pk},
    )
    revision = versions_of(review).last().revision
    assert (revision.user, revision.get_comment()) == (editor, "Published.")


# History, diff, revert -------------------------------------------------------------------------


def test_save_save_revert_gives_back_the_first(editor_client):
    first_tags = [TagFactory(name="Scores"), TagFactory(name="Electronic")]
    review = ReviewFactory(headline="First", body=FIRST_BODY)
    review.tags.set(first_tags)
    post_change(editor_client, review, headline="First, resaved")  # save 1
    first = versions_of(review).last()
    post_change(
        editor_client,
        Review.objects.get(),
        headline="Second",
        body=SECOND_BODY,
        tags=[str(TagFactory(name="Rock").pk)],
    )  # save 2
    count = versions_of(review).count()

    page = editor_client.get(revert_url(review, first))
    response = editor_client.post(revert_url(review, first))

    assert page.status_code == 200
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.headline == "First, resaved"
    assert review.body == FIRST_BODY
    assert set(review.tags.all()) == set(first_tags)
    assert review.status == Review.Status.PUBLISHED
    assert versions_of(review).count() == count + 1
    assert "Reverted" in versions_of(review).last().revision.get_comment()


def test_revert_leaves_status_and_publish_time_alone(editor_client):
    review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None)
    old = versions_of(review).last()
    post_change(editor_client, review, status=Review.Status.PUBLISHED, headline="Now live")
    editor_client.post(revert_url(review, old))
    review.refresh_from_db()
    assert review.is_live
    assert review.headline != "Now live"


def test_diff_shows_the_changed_paragraph(editor_client):
    review = ReviewFactory(body=FIRST_BODY)
    post_change(editor_client, review, body=SECOND_BODY)
    old, new = list(versions_of(review))[-2:]

    history = editor_client.get(admin_url(Review, "history", review.pk))
    response = editor_client.get(
        admin_url(Review, "compare", review.pk) + f"?a={old.pk}&b={new.pk}"
    )

    assert history.status_code == 200
    assert "Eddie Desk" in history.content.decode()
    html = response.content.decode()
    assert (
        '<p class="diff-changed">The middle paragraph, <del>as first written.</del>'
        "<ins>rewritten with care.</ins></p>"
    ) in html
    assert "1 unchanged paragraph" in html
    assert "The last word." not in html  # unchanged paragraphs are counted, not repeated


def test_diff_reads_paragraphs_typed_in_a_browser():
    # Browsers post CRLF line ends.
    html = paragraph_diff(FIRST_BODY.replace("\n", "\r\n"), SECOND_BODY.replace("\n", "\r\n"))
    assert html.count('class="diff-same"') == 2
    assert html.count('class="diff-changed"') == 1


def test_writer_cannot_see_history_of_or_revert_another_writers_review(client):
    writer, other = WriterFactory(), WriterFactory()
    review = ReviewFactory(status=Review.Status.DRAFT, publish_at=None, created_by=other)
    version = versions_of(review).last()
    client.force_login(writer)
    assert client.get(admin_url(Review, "history", review.pk)).status_code == 404
    assert client.post(revert_url(review, version)).status_code == 404


def test_writer_cannot_revert_their_published_review(client):
    writer = WriterFactory()
    review = ReviewFactory(created_by=writer, headline="Live")
    version = versions_of(review).last()
    review.headline = "Edited by an editor"
    review.save()
    client.force_login(writer)
    assert client.post(revert_url(review, version)).status_code == 403
    review.refresh_from_db()
    assert review.headline == "Edited by an editor"


def test_track_note_revisions_and_revert(editor_client):
    note = TrackNoteFactory(text="First note.")
    post_change(editor_client, note, text="First note, saved in the admin.")
    first = versions_of(note).last()
    post_change(editor_client, TrackNote.objects.get(), text="Second note.")

    editor_client.post(revert_url(note, first))

    note.refresh_from_db()
    assert note.text == "First note, saved in the admin."
    assert versions_of(note).count() == 4  # factory, two saves, the revert


def test_revert_leaves_out_a_tag_deleted_since(editor_client):
    tag = TagFactory(name="Gone soon")
    review = ReviewFactory()
    review.tags.set([tag])
    post_change(editor_client, review, headline="Tagged")
    version = versions_of(review).last()
    post_change(editor_client, Review.objects.get(), headline="Untagged", tags=[])
    slug = tag.slug
    tag.delete()

    response = editor_client.post(revert_url(review, version), follow=True)

    review.refresh_from_db()
    assert review.headline == "Tagged"
    messages = [str(message) for message in response.context["messages"]]
    assert f"tag “{slug}” (no longer exists) was left out." in messages


# No lost edits ---------------------------------------------------------------------------------


def test_stale_review_save_is_refused_and_the_first_edit_stays(client, editor):
    other_editor = EditorFactory(username="fran", first_name="Fran", last_name="Proof")
    review = ReviewFactory(body=FIRST_BODY)
    url = admin_url(Review, "change", review.pk)
    client.force_login(editor)
    eddies_form = form_data(client.get(url))
    client.force_login(other_editor)
    frans_form = form_data(client.get(url))

    first = client.post(url, {**frans_form, "body": "Fran's edit."})
    client.force_login(editor)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        second = client.post(url, {**eddies_form, "body": "Eddie's edit, typed at length."})

    assert first.status_code == 302, form_errors(first)
    assert second.status_code == 200
    html = second.content.decode()
    assert "Fran Proof saved this review at" in html
    review.refresh_from_db()
    assert "after you opened it" in html
    assert timezone.localtime(review.updated_at).strftime("%H:%M") in html or "p.m." in html
    assert "Eddie&#x27;s edit, typed at length." in html or "Eddie's edit, typed at length." in html
    assert review.body == "Fran's edit."
    assert review.updated_by == other_editor


def test_a_form_with_no_loaded_version_is_refused(editor_client):
    review = ReviewFactory(headline="Kept")
    data = form_data(editor_client.get(admin_url(Review, "change", review.pk)))
    del data["loaded_version"]
    response = editor_client.post(admin_url(Review, "change", review.pk), {**data, "headline": "X"})
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.headline == "Kept"


def test_publishing_by_action_makes_open_forms_stale(editor_client):
    review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None)
    stale = form_data(editor_client.get(admin_url(Review, "change", review.pk)))
    editor_client.post(
        admin_url(Review, "changelist"),
        {"action": "publish_selected", "_selected_action": review.pk},
    )
    response = editor_client.post(
        admin_url(Review, "change", review.pk), {**stale, "status": Review.Status.DRAFT}
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_stale_track_note_save_is_refused(client, editor):
    note = TrackNoteFactory(text="Original.")
    url = admin_url(TrackNote, "change", note.pk)
    client.force_login(editor)
    first_form = form_data(client.get(url))
    second_form = form_data(client.get(url))

    assert client.post(url, {**first_form, "text": "First."}).status_code == 302
    response = client.post(url, {**second_form, "text": "Second."})

    assert response.status_code == 200
    assert "Eddie Desk saved this track note at" in response.content.decode()
    assert "Second." in response.content.decode()
    note.refresh_from_db()
    assert note.text == "First."


def test_stale_track_note_in_the_track_form_is_refused(client, editor):
    note = TrackNoteFactory(text="Original.")
    url = admin_url(Track, "change", note.track.pk)
    client.force_login(editor)
    stale = form_data(client.get(url))
    post_change(client, note, text="Saved in the note's own form.")

    response = client.post(url, {**stale, "notes-0-text": "Saved in the track form."})

    assert response.status_code == 200
    assert "saved this track note at" in response.content.decode()
    note.refresh_from_db()
    assert note.text == "Saved in the note's own form."


# Revisions survive dumpdata / loaddata ---------------------------------------------------------


def test_revisions_survive_dumpdata_and_loaddata_into_an_empty_database(editor_client, tmp_path):
    review = ReviewFactory(headline="Before", body=FIRST_BODY)
    post_change(editor_client, review, headline="After", body=SECOND_BODY)
    note = TrackNoteFactory(text="Noted.")
    post_change(editor_client, note, text="Noted again.")
    film = FilmFactory(title="Filmed")
    post_change(editor_client, film, title="Filmed again")
    film_versions = versions_of(film).count()
    uid, count = review.uid, versions_of(review).count()
    dump = tmp_path / "site.json"
    call_command(
        "dumpdata",
        "auth.user",
        "films",
        "soundtracks",
        "reviews",
        "reversion",
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        stdout=io.StringIO(),
    )

    for model in (Version, Revision, TrackNote, Review, Track, Soundtrack, Credit, Film):
        model.objects.all().delete()
    for model in (Person, Franchise, Author, Tag, get_user_model()):
        model.objects.all().delete()
    ReviewFactory(slug="takes-the-old-primary-key")  # loaded rows get new primary keys
    Version.objects.all().delete()
    Revision.objects.all().delete()
    call_command("loaddata", str(dump), stdout=io.StringIO())

    loaded = Review.objects.get(uid=uid)
    assert loaded.pk != review.pk
    versions = list(versions_of(loaded))
    assert len(versions) == count
    assert versions[-1].revision.user.username == "eddie"

    client = editor_client
    client.force_login(get_user_model().objects.get(username="eddie"))
    history = client.get(admin_url(Review, "history", loaded.pk))
    assert history.status_code == 200
    diff = client.get(
        admin_url(Review, "compare", loaded.pk) + f"?a={versions[-2].pk}&b={versions[-1].pk}"
    )
    assert "<ins>rewritten with care.</ins>" in diff.content.decode()
    client.post(revert_url(loaded, versions[-2]))
    loaded.refresh_from_db()
    assert (loaded.headline, loaded.body) == ("Before", FIRST_BODY)
    loaded_note = TrackNote.objects.get()
    assert versions_of(loaded_note).count() == 2
    loaded_film = Film.objects.get(uid=film.uid)
    assert versions_of(loaded_film).count() == film_versions


def test_history_page_links_compare_and_revert(editor_client):
    review = ReviewFactory()
    post_change(editor_client, review, headline="Changed")
    html = editor_client.get(admin_url(Review, "history", review.pk)).content.decode()
    assert reverse("admin:reviews_review_compare", args=[review.pk]) in html
    assert "Revert to this" in html


# Revisions of the catalogue ---------------------------------------------------------------------


def catalogue_cases():
    def film():
        film = FilmFactory()
        CreditFactory(film=film, role=Credit.Role.CAST, character="Flynn")
        return film, {"title": "Changed", "credits-0-character": "Clu"}, {"film", "credit"}

    def album():
        track = TrackFactory()
        TrackNoteFactory(track=track)
        changes = {"title": "Changed", "tracks-0-title": "Changed track"}
        return track.soundtrack, changes, {"soundtrack", "track", "tracknote"}

    def person():
        group = PersonFactory(is_group=True)
        group.members.add(PersonFactory())
        return group, {"name": "Changed"}, {"person"}

    def franchise():
        return FranchiseFactory(), {"name": "Changed"}, {"franchise"}

    return {"film": film, "album": album, "person": person, "franchise": franchise}


@pytest.mark.parametrize("case", list(catalogue_cases()))
def test_catalogue_saves_keep_revisions_with_what_is_edited_with_them(editor_client, editor, case):
    obj, changes, models = catalogue_cases()[case]()
    response = post_change(editor_client, obj, **changes)
    assert response.status_code == 302, form_errors(response)
    version = versions_of(obj).last()
    assert version.revision.user == editor
    assert {v.content_type.model for v in version.revision.version_set.all()} == models
    history = editor_client.get(admin_url(type(obj), "history", obj.pk))
    assert history.status_code == 200
    assert "Changed" in history.content.decode()


def test_revisions_store_what_recovery_needs_even_through_reversions_own_revert(editor_client):
    """reversion's own revert once failed on the NOT NULL audit columns revisions left out."""
    review = ReviewFactory(headline="Kept whole")
    post_change(editor_client, review, headline="Kept whole, edited")
    stored = stored_fields(versions_of(review).last())
    for name in ("uid", "created_at", "updated_at", "created_by", "first_published_at"):
        assert name in stored, name
    assert "body_html" not in stored
    assert "lock_version" not in stored
    uid, created_at = review.uid, Review.objects.get().created_at
    review.delete()

    Version.objects.get_for_model(Review).filter(object_id=str(uid)).latest("pk").revert()

    restored = Review.objects.get(uid=uid)
    assert restored.headline == "Kept whole, edited"
    assert abs(restored.created_at - created_at) < datetime.timedelta(milliseconds=1)
    assert restored.body_html  # rendered on the way back in


def test_compare_and_revert_read_only_what_editors_type(editor_client):
    review = ReviewFactory(headline="First")
    post_change(editor_client, review, headline="Second")
    post_change(editor_client, review, headline="Third")
    old, new = list(versions_of(review))[-2:]
    labels = [change.label for change in compare(Review, old, new)]
    assert labels == ["Headline"]  # not its updated_at, though the revision stores it
