"""Who may do what, enforced on the server on every admin path (reviews/workflow.py).

Over 400 lines on purpose: the whole matrix of roles (writer, another writer, editor, stranger)
against every admin path of every model, read as one table of who may do what.
"""

import datetime

import pytest
from django.contrib.admin import helpers
from django.utils import timezone

from editorial.tests.admin_forms import (
    admin_url,
    datetime_fields,
    form_data,
    form_errors,
    post_change,
)
from editorial.tests.factories import EditorFactory, WriterFactory
from films.models import Film
from films.tests.factories import FilmFactory
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory
from soundtracks.models import Cue, Soundtrack, TrackNote
from soundtracks.tests.admin_rows import post_with_rows, with_rows
from soundtracks.tests.factories import (
    CueFactory,
    SoundtrackFactory,
    TrackFactory,
    TrackNoteFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = Review.Status.DRAFT
IN_REVIEW = Review.Status.IN_REVIEW
PUBLISHED = Review.Status.PUBLISHED
WITHDRAWN = Review.Status.WITHDRAWN


@pytest.fixture
def writer():
    return WriterFactory(username="wendy")


@pytest.fixture
def other_writer():
    return WriterFactory(username="otto")


@pytest.fixture
def editor():
    return EditorFactory(username="eddie")


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def draft_by(user, **kwargs):
    kwargs.setdefault("status", DRAFT)
    return ReviewFactory(publish_at=None, created_by=user, **kwargs)


def snapshot(review):
    review.refresh_from_db()
    return (review.status, review.publish_at, review.first_published_at, review.lock_version)


def run_action(client, action, *reviews):
    return client.post(
        admin_url(Review, "changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [review.pk for review in reviews]},
    )


# A writer never publishes, schedules or withdraws ---------------------------------------------


def test_writer_cannot_publish_through_the_change_form(writer_client, writer):
    review = draft_by(writer)
    before = snapshot(review)

    response = post_change(writer_client, review, status=PUBLISHED)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(review) == before


def test_writer_cannot_schedule_through_the_change_form(writer_client, writer):
    review = draft_by(writer)
    later = timezone.now() + datetime.timedelta(days=2)

    response = post_change(
        writer_client, review, status=PUBLISHED, **datetime_fields("publish_at", later)
    )

    assert response.status_code == 200
    review.refresh_from_db()
    assert review.status == DRAFT
    assert review.publish_at is None


def test_writer_publish_time_is_ignored_even_on_an_allowed_save(writer_client, writer):
    review = draft_by(writer)
    later = timezone.now() + datetime.timedelta(days=2)

    response = post_change(
        writer_client, review, status=IN_REVIEW, **datetime_fields("publish_at", later)
    )

    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.status == IN_REVIEW
    assert review.publish_at is None


def test_writer_form_offers_no_publishing_controls(writer_client, writer):
    review = draft_by(writer)
    response = writer_client.get(admin_url(Review, "change", review.pk))
    form = response.context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == [DRAFT, IN_REVIEW]
    assert "publish_at" not in form.fields
    changelist = writer_client.get(admin_url(Review, "changelist"))
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert "publish_selected" not in actions
    assert "withdraw_selected" not in actions
    assert "submit_selected" in actions


def test_writer_cannot_publish_or_withdraw_through_actions(writer_client, writer):
    draft = draft_by(writer)
    # An editor published this one; it is still the writer's own.
    live = ReviewFactory(created_by=writer)
    before = snapshot(draft), snapshot(live)

    run_action(writer_client, "publish_selected", draft)
    run_action(writer_client, "withdraw_selected", live)

    assert (snapshot(draft), snapshot(live)) == before


def test_writer_cannot_publish_through_the_add_form(writer_client, writer):
    film = FilmFactory()
    response = writer_client.get(admin_url(Review, "add"))
    data = form_data(response)
    data.update(
        headline="Sneaked out",
        slug="sneaked-out",
        dek="A standfirst.",
        body="A body.",
        film=film.pk,
        status=PUBLISHED,
        **datetime_fields("publish_at", timezone.now()),
    )

    response = writer_client.post(admin_url(Review, "add"), data)

    assert response.status_code == 200
    assert not Review.objects.exists()


def test_writer_add_form_makes_their_own_draft(writer_client, writer):
    byline = AuthorFactory(user=writer)
    data = form_data(writer_client.get(admin_url(Review, "add")))
    assert data["authors"] == [str(byline.pk)]
    data.update(headline="Mine", slug="mine", status=IN_REVIEW)

    response = writer_client.post(admin_url(Review, "add"), data)

    assert response.status_code == 302, form_errors(response)
    review = Review.objects.get()
    assert (review.status, review.publish_at) == (IN_REVIEW, None)
    assert review.created_by == writer
    assert review.updated_by == writer


def test_writer_list_editable_style_post_changes_nothing(writer_client, writer):
    review = draft_by(writer)
    before = snapshot(review)
    writer_client.post(
        admin_url(Review, "changelist"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": review.pk,
            "form-0-status": PUBLISHED,
            "_save": "Save",
        },
    )
    assert snapshot(review) == before


def test_writer_cannot_change_their_own_review_once_published(writer_client, writer):
    review = ReviewFactory(created_by=writer, headline="As published")
    url = admin_url(Review, "change", review.pk)

    page = writer_client.get(url)
    response = writer_client.post(url, {"headline": "Rewritten", "status": DRAFT})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    review.refresh_from_db()
    assert (review.headline, review.status) == ("As published", PUBLISHED)


def test_writer_may_take_their_review_back_from_review_to_draft(writer_client, writer):
    review = draft_by(writer, status=IN_REVIEW)
    assert post_change(writer_client, review, status=DRAFT).status_code == 302
    review.refresh_from_db()
    assert review.status == DRAFT


# Other people's work --------------------------------------------------------------------------


def test_writer_cannot_open_or_change_another_writers_draft(writer_client, other_writer):
    review = draft_by(other_writer, headline="Otto's draft")
    before = snapshot(review)

    opened = writer_client.get(admin_url(Review, "change", review.pk))
    changed = writer_client.post(
        admin_url(Review, "change", review.pk),
        {"headline": "Hijacked", "slug": review.slug, "status": IN_REVIEW},
    )
    history = writer_client.get(admin_url(Review, "history", review.pk))
    listed = writer_client.get(admin_url(Review, "changelist"))

    assert opened.status_code == 302  # the admin's "doesn't exist" redirect
    assert changed.status_code == 302
    assert history.status_code == 404
    assert "Otto&#x27;s draft" not in listed.content.decode()
    assert "Otto's draft" not in listed.content.decode()
    review.refresh_from_db()
    assert review.headline == "Otto's draft"
    assert snapshot(review) == before


def test_writer_cannot_act_on_another_writers_draft(writer_client, other_writer):
    review = draft_by(other_writer)
    run_action(writer_client, "submit_selected", review)
    review.refresh_from_db()
    assert review.status == DRAFT


def test_bylines_do_not_make_a_review_a_writers_own(writer_client, writer, other_writer):
    byline = AuthorFactory(user=writer)
    review = draft_by(other_writer, authors=[byline])
    assert writer_client.get(admin_url(Review, "change", review.pk)).status_code == 302


def test_writer_submits_their_draft_for_review_by_action(writer_client, writer):
    review = draft_by(writer)
    run_action(writer_client, "submit_selected", review)
    review.refresh_from_db()
    assert review.status == IN_REVIEW
    assert review.updated_by == writer


# Editors ---------------------------------------------------------------------------------------


def test_editor_publishes_through_the_change_form(editor_client, editor, other_writer):
    review = draft_by(other_writer, status=IN_REVIEW)

    response = post_change(editor_client, review, status=PUBLISHED)

    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.status == PUBLISHED
    assert review.is_live
    assert review.updated_by == editor
    assert review.created_by == other_writer


def test_editor_schedules_through_the_change_form(editor_client, other_writer):
    review = draft_by(other_writer, status=IN_REVIEW)
    later = timezone.now() + datetime.timedelta(days=2)

    response = post_change(
        editor_client, review, status=PUBLISHED, **datetime_fields("publish_at", later)
    )

    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.status == PUBLISHED
    assert not review.is_live
    assert abs(review.publish_at - later) < datetime.timedelta(seconds=1)


def test_editor_publishes_and_withdraws_through_actions(editor_client, other_writer):
    review = draft_by(other_writer, status=IN_REVIEW)

    run_action(editor_client, "publish_selected", review)
    review.refresh_from_db()
    assert review.is_live

    run_action(editor_client, "withdraw_selected", review)
    review.refresh_from_db()
    assert review.status == WITHDRAWN
    assert not Review.objects.published().exists()


def test_editor_withdraws_through_the_change_form(editor_client):
    review = ReviewFactory()
    assert post_change(editor_client, review, status=WITHDRAWN).status_code == 302
    review.refresh_from_db()
    assert review.status == WITHDRAWN


def test_editor_changelist_shows_status_schedule_and_author(editor_client, other_writer):
    later = timezone.now() + datetime.timedelta(days=2)
    ReviewFactory(headline="Coming soon", publish_at=later, created_by=other_writer)
    ReviewFactory(headline="Out now")

    page = editor_client.get(admin_url(Review, "changelist"))
    scheduled = editor_client.get(admin_url(Review, "changelist") + "?on_site=scheduled")
    by_otto = editor_client.get(
        admin_url(Review, "changelist") + f"?created_by__id__exact={other_writer.pk}"
    )

    html = page.content.decode()
    assert "Coming soon" in html
    assert "Out now" in html
    assert "otto" in html
    assert "Scheduled for" in html
    assert "Live since" in html
    assert [r.headline for r in scheduled.context["cl"].result_list] == ["Coming soon"]
    assert [r.headline for r in by_otto.context["cl"].result_list] == ["Coming soon"]


def test_editor_manages_the_catalogue_and_writers_only_read_it(client, editor, writer):
    film = FilmFactory(title="Tron")
    client.force_login(writer)
    assert client.get(admin_url(Film, "change", film.pk)).status_code == 200
    refused = post_change(client, film, title="Tron 2")
    assert refused.status_code == 403

    client.force_login(editor)
    assert post_change(client, film, title="Tron (1982)").status_code == 302
    film.refresh_from_db()
    assert film.title == "Tron (1982)"
    assert film.updated_by == editor


# Track notes -----------------------------------------------------------------------------------


def test_writer_adds_and_edits_their_own_track_notes_only(writer_client, writer, other_writer):
    track = TrackFactory()
    response = writer_client.post(admin_url(TrackNote, "add"), note_data(writer_client, track))
    assert response.status_code == 302, form_errors(response)
    mine = TrackNote.objects.get()
    assert (mine.created_by, mine.author) == (writer, writer)

    assert post_change(writer_client, mine, text="Mine, revised.").status_code == 302
    mine.refresh_from_db()
    assert mine.text == "Mine, revised."

    theirs = TrackNoteFactory(track=track, created_by=other_writer, text="Theirs.")
    opened = writer_client.get(admin_url(TrackNote, "change", theirs.pk))
    writer_client.post(admin_url(TrackNote, "change", theirs.pk), {"text": "Hijacked"})
    assert opened.status_code == 302
    theirs.refresh_from_db()
    assert theirs.text == "Theirs."


def test_writer_cannot_edit_notes_through_the_track_form(writer_client, other_writer):
    note = TrackNoteFactory(created_by=other_writer, text="Theirs.")
    url = admin_url(type(note.track), "change", note.track.pk)
    assert writer_client.get(url).status_code == 200  # read-only
    response = writer_client.post(url, {"notes-0-text": "Hijacked"})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.text == "Theirs."


# Audit -----------------------------------------------------------------------------------------


def test_audit_stamps_are_recorded_and_shown(client, editor):
    client.force_login(editor)
    soundtrack = SoundtrackFactory()
    post_change(client, soundtrack, title="Tron: Ares (Original Score)")
    soundtrack.refresh_from_db()
    assert soundtrack.updated_by == editor

    page = client.get(admin_url(Soundtrack, "change", soundtrack.pk))
    html = page.content.decode()
    assert "Last changed by" in html
    assert "eddie" in html


# What a writer finds of other people's work: choosers, autocompletes, redirects -----------------

#: Ids that name no review, or nothing at all.
HOSTILE_IDS = ["0", "-1", str(2**63), str(10**30), "abc", "1.5", "%00", "\u0669\u0669", "9" * 500]


NoteSource = Review.notes_sourced.through
CueSource = Review.cues_sourced.through


def note_data(client, track, *sources, **extra):
    """A new note on ``track`` as the add page sends it, naming ``sources`` (review ids)."""
    page = client.get(admin_url(TrackNote, "add"))
    rows = [{"review": source} for source in sources]
    return with_rows(page, NoteSource, *rows, track=track.pk, text="Mine.", **extra)


def source_rows(page, through):
    (formset,) = [
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is through
    ]
    return formset


def test_a_track_note_cannot_name_another_writers_draft_as_its_source(writer_client, other_writer):
    theirs = draft_by(other_writer, headline="Otto's secret draft")

    response = writer_client.post(
        admin_url(TrackNote, "add"), note_data(writer_client, TrackFactory(), theirs.pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "secret draft" not in response.content.decode()
    assert not TrackNote.objects.exists()
    assert not NoteSource.objects.exists()


@pytest.mark.parametrize("review_id", HOSTILE_IDS)
def test_a_track_note_refuses_a_source_review_that_is_no_review(writer_client, review_id):
    response = writer_client.post(
        admin_url(TrackNote, "add"), note_data(writer_client, TrackFactory(), review_id)
    )
    assert response.status_code == 200
    assert source_rows(response, NoteSource).errors[0]["review"]
    assert not TrackNote.objects.exists()


def test_a_writer_names_their_own_review_and_an_editor_anyones(client, writer, other_writer):
    track = TrackFactory()
    mine, theirs = draft_by(writer), draft_by(other_writer)
    client.force_login(writer)
    response = client.post(admin_url(TrackNote, "add"), note_data(client, track, mine.pk))
    assert response.status_code == 302, form_errors(response)

    client.force_login(EditorFactory())
    response = client.post(admin_url(TrackNote, "add"), note_data(client, track, theirs.pk))
    assert response.status_code == 302, form_errors(response)
    assert {(row.tracknote.created_by, row.review) for row in NoteSource.objects.all()} == {
        (writer, mine),
        (TrackNote.objects.latest("pk").created_by, theirs),
    }


def autocomplete(client, term="", through=NoteSource):
    return client.get(
        "/admin/autocomplete/",
        {
            "app_label": "reviews",
            "model_name": through._meta.model_name,
            "field_name": "review",
            "term": term,
        },
    )


@pytest.mark.parametrize("through", [NoteSource, CueSource], ids=["note", "cue"])
def test_the_source_review_autocomplete_offers_only_the_writers_own(writer_client, writer, through):
    draft_by(writer, headline="Mine to cite")
    draft_by(WriterFactory(), headline="Otto's secret draft")
    ReviewFactory(headline="Published by someone else")

    offered = [
        result["text"] for result in autocomplete(writer_client, "", through).json()["results"]
    ]
    searched = autocomplete(writer_client, "secret", through).json()["results"]

    assert offered == ["Mine to cite"]
    assert searched == []


def test_a_writers_note_never_names_a_draft_an_editor_linked_and_keeps_it(
    writer_client, writer, other_writer
):
    theirs = draft_by(other_writer, headline="Otto's secret draft")
    note = TrackNoteFactory(created_by=writer, author=writer, text="Mine.")
    theirs.notes_sourced.add(note)
    elsewhere = draft_by(other_writer, headline="Otto's other secret")
    url = admin_url(TrackNote, "change", note.pk)

    page = writer_client.get(url)
    track_page = writer_client.get(admin_url(type(note.track), "change", note.track.pk))
    saved = post_change(writer_client, note, text="Mine, revised.")

    assert "secret draft" not in page.content.decode()
    assert "A review you may not see" in page.content.decode()
    assert "secret draft" not in track_page.content.decode()
    assert saved.status_code == 302, form_errors(saved)
    note.refresh_from_db()
    assert (note.text, list(note.source_reviews.all())) == ("Mine, revised.", [theirs])
    # The unseen review may be kept, or removed, but not swapped for another unseen one.
    prefix = source_rows(page, NoteSource).prefix
    swapped = post_change(writer_client, note, **{f"{prefix}-0-review": elsewhere.pk})
    assert "Select a valid choice" in swapped.content.decode()
    assert list(note.source_reviews.all()) == [theirs]
    removed = post_change(writer_client, note, **{f"{prefix}-0-DELETE": "on"})
    assert removed.status_code == 302, form_errors(removed)
    assert not note.source_reviews.exists()


def test_a_writer_sees_a_cues_sources_without_the_drafts_they_may_not_see(
    writer_client, writer, other_writer
):
    cue = CueFactory()
    draft_by(other_writer, headline="Otto's secret draft").cues_sourced.add(cue)
    draft_by(writer, headline="My own draft").cues_sourced.add(cue)

    page = writer_client.get(admin_url(Cue, "change", cue.pk))

    html = page.content.decode()
    assert page.status_code == 200
    assert "secret draft" not in html
    assert "A review you may not see" in html
    assert "My own draft" in html
    assert not source_rows(page, CueSource).forms[0].fields.get("review")


def test_editors_see_and_name_every_source_review(client, other_writer):
    theirs = draft_by(other_writer, headline="Otto's draft")
    note, cue = TrackNoteFactory(created_by=other_writer), CueFactory()
    theirs.notes_sourced.add(note)
    client.force_login(EditorFactory())

    note_page = client.get(admin_url(TrackNote, "change", note.pk))
    response = post_with_rows(client, cue, CueSource, {"review": theirs.pk})
    cue_page = client.get(admin_url(Cue, "change", cue.pk))

    assert "Otto&#x27;s draft" in note_page.content.decode()
    assert response.status_code == 302, form_errors(response)
    assert list(cue.source_reviews.all()) == [theirs]
    assert "Otto&#x27;s draft" in cue_page.content.decode()


def test_a_writer_names_the_cues_and_notes_their_review_is_the_source_of(writer_client, writer):
    review = draft_by(writer)
    cue, note = CueFactory(), TrackNoteFactory(created_by=writer)

    response = post_change(writer_client, review, cues_sourced=[cue.pk], notes_sourced=[note.pk])

    assert response.status_code == 302, form_errors(response)
    assert (list(review.cues_sourced.all()), list(review.notes_sourced.all())) == ([cue], [note])
    for bad in ("abc", str(10**30), "-1", "0"):
        refused = post_change(writer_client, review, cues_sourced=[bad], notes_sourced=[bad])
        form = refused.context["adminform"].form
        assert set(form.errors) == {"cues_sourced", "notes_sourced"}
    assert list(review.cues_sourced.all()) == [cue]


def view_on_site_url(obj_or_model, object_id=None):
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    content_type = ContentType.objects.get_for_model(obj_or_model)
    object_id = obj_or_model.pk if object_id is None else object_id
    return reverse("admin:view_on_site", args=[content_type.pk, object_id])


def test_view_on_site_does_not_reveal_another_writers_draft(writer_client, writer, other_writer):
    theirs = draft_by(other_writer, slug="otto-secret-slug")
    mine = draft_by(writer, slug="my-own-slug")

    refused = writer_client.get(view_on_site_url(theirs))
    allowed = writer_client.get(view_on_site_url(mine))

    assert refused.status_code == 404
    assert "otto-secret-slug" not in refused.content.decode()
    assert "Location" not in refused
    assert allowed.status_code == 302
    assert allowed["Location"] == mine.get_absolute_url()


def test_view_on_site_serves_editors_and_sends_strangers_to_the_login(client, other_writer):
    theirs = draft_by(other_writer, slug="otto-secret-slug")
    url = view_on_site_url(theirs)

    stranger = client.get(url)
    client.force_login(EditorFactory())
    editor = client.get(url)

    assert stranger.status_code == 302
    assert stranger["Location"].startswith("/admin/login/")
    assert "otto-secret-slug" not in stranger["Location"]
    assert editor["Location"] == theirs.get_absolute_url()


@pytest.mark.parametrize("object_id", HOSTILE_IDS)
def test_view_on_site_answers_404_to_ids_that_are_not_one(writer_client, object_id):
    review = draft_by(WriterFactory())
    assert writer_client.get(view_on_site_url(review, object_id)).status_code == 404


@pytest.mark.parametrize("content_type_id", ["0", str(2**63), str(10**30)])
def test_view_on_site_answers_404_to_content_types_that_are_not_one(writer_client, content_type_id):
    response = writer_client.get(f"/admin/r/{content_type_id}/1/")
    assert response.status_code == 404


def test_view_on_site_for_a_model_without_an_admin_needs_its_permission(writer_client):
    from django.contrib.auth.models import Permission

    permission = Permission.objects.first()
    assert writer_client.get(view_on_site_url(permission)).status_code == 404


@pytest.mark.parametrize("view", ["history", "compare", "revert", "change", "delete", "share"])
def test_another_writers_draft_has_no_page_for_a_writer(writer_client, other_writer, view):
    from django.urls import reverse

    theirs = draft_by(other_writer, headline="Otto's secret draft", slug="otto-secret-slug")
    theirs.headline = "Otto's second thought"
    theirs.save()  # a second revision, so that compare and revert have something to show
    from editorial.revisions import versions_of

    version = versions_of(theirs).first()
    args = {"revert": [theirs.pk, version.pk]}.get(view, [theirs.pk])
    query = f"?a={version.pk}&b={versions_of(theirs).last().pk}" if view == "compare" else ""

    response = writer_client.get(reverse(f"admin:reviews_review_{view}", args=args) + query)

    html = response.content.decode()
    assert response.status_code in (302, 403, 404)
    assert "secret" not in html
    assert "second thought" not in html
    if response.status_code == 302:
        assert "otto-secret-slug" not in response["Location"]
        followed = writer_client.get(response["Location"]).content.decode()
        assert "secret" not in followed
        assert "second thought" not in followed


@pytest.mark.parametrize("view", ["history", "compare", "change"])
def test_another_writers_track_note_has_no_page_for_a_writer(writer_client, other_writer, view):
    from django.urls import reverse

    note = TrackNoteFactory(created_by=other_writer, text="Otto's private thoughts")
    response = writer_client.get(reverse(f"admin:soundtracks_tracknote_{view}", args=[note.pk]))
    assert response.status_code in (302, 404)
    assert "private thoughts" not in response.content.decode()


def test_visible_to_is_can_see_as_a_filter(writer, other_writer, editor):
    from django.contrib.auth.models import AnonymousUser

    from reviews.workflow import can_see

    reviews = [draft_by(writer), draft_by(other_writer), ReviewFactory(created_by=other_writer)]
    outsider = WriterFactory(is_staff=False)
    inactive = WriterFactory(is_active=False)
    for user in (writer, other_writer, editor, outsider, inactive, AnonymousUser()):
        expected = {review.pk for review in reviews if can_see(user, review)}
        assert set(Review.objects.visible_to(user).values_list("pk", flat=True)) == expected
