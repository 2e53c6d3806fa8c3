"""Autosaved drafts of admin forms: one buffer per person and row, never a revision, offered back.

Reviews are the admin that autosaves. Models are found in the app registry, not imported:
editorial sits below the content apps.
"""

import datetime
import json

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from editorial.autosave import DraftError, changed_fields, parse_draft, restored_initial
from editorial.models import DraftBuffer
from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.factories import EditorFactory, WriterFactory
from editorial.tests.html import parse_html

pytestmark = pytest.mark.django_db

#: The longest body a review takes (reviews.markdown.MAX_LENGTH; tests/test_locking.py checks
#: that the review admin's autosave takes exactly that).
LONGEST_BODY = 100_000


def review_model():
    return apps.get_model("reviews", "Review")


def make_review(user, **values):
    values.setdefault("headline", "Light cycles")
    values.setdefault("slug", values["headline"].lower().replace(" ", "-"))
    values.setdefault("body", "First paragraph.\n\nSecond paragraph.")
    return review_model().objects.create(created_by=user, updated_by=user, **values)


def autosave_url(review=None):
    if review is None:
        return reverse("admin:reviews_review_add_autosave")
    return reverse("admin:reviews_review_autosave", args=[review.pk])


def discard_url(review=None):
    if review is None:
        return reverse("admin:reviews_review_add_discard")
    return reverse("admin:reviews_review_discard", args=[review.pk])


def change_url(review):
    return admin_url(review_model(), "change", review.pk)


def as_pairs(data):
    pairs = []
    for name, value in data.items():
        for each in value if isinstance(value, list) else [value]:
            pairs.append([name, str(each)])
    return pairs


def autosave(client, url, data, names=None):
    payload = {"data": as_pairs(data), "names": names if names is not None else list(data)}
    return client.post(url, json.dumps(payload), content_type="application/json")


@pytest.fixture
def writer():
    return WriterFactory(username="wendy", first_name="Wendy", last_name="Writer")


@pytest.fixture
def other_writer():
    return WriterFactory(username="otto", first_name="Otto", last_name="Other")


@pytest.fixture
def desk_editor():
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Desk")


@pytest.fixture
def review(writer):
    return make_review(writer)


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


def loaded(client, review):
    return form_data(client.get(change_url(review)))


# The buffer -----------------------------------------------------------------------------------


def test_one_buffer_per_person_and_row(writer, review):
    values = {"data": [], "fields": [], "saved_at": datetime.datetime.now(datetime.UTC)}
    drafts = DraftBuffer.objects.of(writer, review_model(), review.pk)
    DraftBuffer.objects.create(user=writer, content_type=_ct(), object_id=str(review.pk), **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        DraftBuffer.objects.create(
            user=writer, content_type=_ct(), object_id=str(review.pk), **values
        )
    assert drafts.count() == 1
    assert "Unsaved draft" in str(drafts.get())


def test_one_buffer_per_person_for_a_new_row(writer):
    values = {"data": [], "fields": [], "saved_at": datetime.datetime.now(datetime.UTC)}
    DraftBuffer.objects.create(user=writer, content_type=_ct(), **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        DraftBuffer.objects.create(user=writer, content_type=_ct(), **values)
    other = WriterFactory()
    DraftBuffer.objects.create(user=other, content_type=_ct(), **values)  # theirs is theirs
    assert DraftBuffer.objects.count() == 2


def _ct():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(review_model())


# The endpoint ---------------------------------------------------------------------------------


def test_autosave_keeps_a_draft_without_touching_the_row(writer_client, writer, review):
    data = loaded(writer_client, review)
    before = review_model().objects.values().get(pk=review.pk)
    versions, log = Version.objects.count(), LogEntry.objects.count()

    response = autosave(writer_client, autosave_url(review), {**data, "body": "Typed, unsaved."})

    assert response.status_code == 200, response.content
    assert response.json()["message"].startswith("Autosaved at ")
    draft = DraftBuffer.objects.of(writer, review_model(), review.pk).get()
    assert ["body", "Typed, unsaved."] in draft.data
    assert draft.base_version == review.lock_version
    assert {"body", "loaded_version"} <= set(draft.fields)
    assert review_model().objects.values().get(pk=review.pk) == before
    assert (Version.objects.count(), LogEntry.objects.count()) == (versions, log)


def test_autosaving_again_replaces_the_draft(writer_client, writer, review):
    data = loaded(writer_client, review)
    for text in ("One", "Two", "Three"):
        assert (
            autosave(writer_client, autosave_url(review), {**data, "body": text}).status_code == 200
        )
    (draft,) = DraftBuffer.objects.all()
    assert ["body", "Three"] in draft.data


def test_an_add_form_autosaves_into_a_draft_of_a_new_row(writer_client, writer):
    data = form_data(writer_client.get(admin_url(review_model(), "add")))
    response = autosave(writer_client, autosave_url(), {**data, "headline": "Not yet saved"})
    assert response.status_code == 200, response.content
    draft = DraftBuffer.objects.of(writer, review_model(), None).get()
    assert draft.object_id is None
    assert draft.base_version is None
    assert not review_model().objects.exists()


def test_a_writer_cannot_autosave_into_another_writers_review(client, other_writer, review):
    client.force_login(other_writer)
    response = autosave(client, autosave_url(review), {"body": "Mine now"})
    assert response.status_code == 404
    assert not DraftBuffer.objects.exists()


def test_a_writer_cannot_autosave_into_their_published_review(writer_client, writer):
    published = make_review(
        writer, status="published", publish_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    response = autosave(writer_client, autosave_url(published), {"body": "Quietly changed"})
    assert response.status_code == 403
    assert not DraftBuffer.objects.exists()


@pytest.mark.parametrize("object_id", ["abc", "9" * 30, "-1", "0", "%00"])
def test_an_autosave_to_no_such_row_is_a_404(writer_client, object_id):
    url = autosave_url().replace("add", object_id)
    response = autosave(writer_client, url, {"body": "x"})
    assert response.status_code == 404


def test_autosave_takes_only_a_post_from_someone_logged_in(client, writer, review):
    assert autosave(client, autosave_url(review), {"body": "x"}).status_code == 302  # to log in
    client.force_login(writer)
    assert client.get(autosave_url(review)).status_code == 405
    assert client.get(discard_url(review)).status_code == 405
    assert not DraftBuffer.objects.exists()


def test_autosave_needs_the_csrf_token(writer, review):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(writer)
    assert autosave(strict, autosave_url(review), {"body": "x"}).status_code == 403


def test_the_longest_body_autosaves_and_a_longer_one_is_refused(writer_client, review):
    data = loaded(writer_client, review)
    url = autosave_url(review)
    assert autosave(writer_client, url, {**data, "body": "é" * LONGEST_BODY}).status_code == 200

    response = autosave(writer_client, url, {**data, "body": "é" * (LONGEST_BODY + 1)})

    assert response.status_code == 400
    assert "“Body” is 100,001 characters long" in response.json()["error"]
    assert ["body", "é" * LONGEST_BODY] in DraftBuffer.objects.get().data  # the last good one


def test_a_value_longer_than_its_field_is_refused(writer_client, review):
    data = loaded(writer_client, review)
    response = autosave(writer_client, autosave_url(review), {**data, "headline": "h" * 201})
    assert response.status_code == 400
    assert "at most 200" in response.json()["error"]


MALFORMED = [
    b"",
    b"not json",
    b"\xff\xfe{}",
    b"[]",
    b"null",
    b'"text"',
    b'{"data": {}, "names": []}',
    b'{"data": [], "names": "body"}',
    b'{"data": [["body"]], "names": []}',
    b'{"data": [["body", 5]], "names": []}',
    b'{"data": [["body", "a", "b"]], "names": []}',
    b'{"data": [[1, "a"]], "names": []}',
    b'{"data": [], "names": [5]}',
    b'{"data": [], "names": ["' + b"n" * 300 + b'"]}',
    b'{"data": [["' + b"n" * 300 + b'", "a"]], "names": []}',
    b"[" * 100_000,
    json.dumps({"data": [["tags", "1"]] * 1_001, "names": []}).encode(),
    json.dumps({"data": [], "names": ["x"] * 1_001}).encode(),
]


@pytest.mark.parametrize("body", MALFORMED, ids=lambda body: repr(body[:30]))
def test_a_malformed_autosave_is_a_400(writer_client, review, body):
    response = writer_client.post(autosave_url(review), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not DraftBuffer.objects.exists()


def test_an_autosave_past_the_size_limit_is_refused_before_it_is_read(writer_client, review):
    body = json.dumps({"data": [["body", "x" * 3_000_000]], "names": ["body"]})
    response = writer_client.post(autosave_url(review), body, content_type="application/json")
    assert response.status_code == 400
    assert "at most 2,500,000 bytes" in response.json()["error"]


def test_an_autosave_of_form_data_instead_of_json_is_a_400(writer_client, review):
    response = writer_client.post(autosave_url(review), {"body": "x"})
    assert response.status_code == 400


# The notice, restore and discard --------------------------------------------------------------


def notice(response):
    found = [str(m) for m in response.context["messages"] if "You have unsaved" in str(m)]
    return found[0] if found else None


def test_the_form_offers_a_newer_draft_at_its_local_time(writer_client, writer, review, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    data = loaded(writer_client, review)
    typed_at = datetime.datetime(2026, 12, 3, 9, 42, tzinfo=datetime.UTC)
    with time_machine.travel(typed_at, tick=False):
        autosave(writer_client, autosave_url(review), {**data, "body": "Unsaved words"})
        response = writer_client.get(change_url(review))

    text = notice(response)
    assert text.startswith("<span")
    doc = parse_html(text)
    assert "You have unsaved changes from 10:42 (Body)" in doc.text_of("span")
    assert doc.find("a")["href"] == f"{change_url(review)}?_restore=draft"
    assert doc.find("form")["action"] == discard_url(review)
    assert doc.find("input", name="csrfmiddlewaretoken")


def test_a_draft_from_another_day_names_the_day(writer_client, review):
    data = loaded(writer_client, review)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 18, 5, tzinfo=datetime.UTC)):
        autosave(writer_client, autosave_url(review), {**data, "body": "Old words"})
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)):
        response = writer_client.get(change_url(review))
    assert "from 1 Dec 2026, 18:05" in notice(response)


def test_a_draft_that_matches_the_row_is_not_offered(writer_client, review):
    data = loaded(writer_client, review)
    autosave(writer_client, autosave_url(review), data)
    assert notice(writer_client.get(change_url(review))) is None


def test_restore_fills_the_form_from_the_draft(writer_client, writer, review):
    author_model = apps.get_model("reviews", "Author")
    byline = author_model.objects.create(name="Wendy Writer", slug="wendy-writer", user=writer)
    data = loaded(writer_client, review)
    draft = {
        **data,
        "headline": "A restored headline",
        "body": "Restored\r\n\r\nbody",
        "authors": [str(byline.pk)],
        "status": "in_review",
        "planned_for": "2026-12-24",
    }
    autosave(writer_client, autosave_url(review), draft)

    response = writer_client.get(f"{change_url(review)}?_restore=draft")

    form = response.context["adminform"].form
    assert form["headline"].value() == "A restored headline"
    assert form["body"].value() == "Restored\r\n\r\nbody"
    assert form["status"].value() == "in_review"
    html = response.content.decode()
    assert f'<option value="{byline.pk}" selected>Wendy Writer</option>' in html  # its label
    assert 'value="2026-12-24"' in html
    assert any("Restored your unsaved changes" in str(m) for m in response.context["messages"])
    review.refresh_from_db()
    assert review.headline == "Light cycles"  # restoring saves nothing


def test_a_restored_form_saves_and_the_draft_goes(writer_client, writer, review):
    data = loaded(writer_client, review)
    autosave(writer_client, autosave_url(review), {**data, "body": "Kept after a crash"})
    restored = form_data(writer_client.get(f"{change_url(review)}?_restore=draft"))
    assert restored["body"] == "Kept after a crash"

    response = writer_client.post(f"{change_url(review)}?_restore=draft", restored)

    assert response.status_code == 302, form_errors(response)
    review.refresh_from_db()
    assert review.body == "Kept after a crash"
    assert not DraftBuffer.objects.exists()


def test_any_real_save_deletes_the_draft(writer_client, review):
    data = loaded(writer_client, review)
    autosave(writer_client, autosave_url(review), {**data, "body": "Draft"})
    response = writer_client.post(change_url(review), {**data, "headline": "Saved instead"})
    assert response.status_code == 302, form_errors(response)
    assert not DraftBuffer.objects.exists()


def test_saving_a_new_row_deletes_the_add_forms_draft(writer_client, writer):
    add = admin_url(review_model(), "add")
    data = form_data(writer_client.get(add))
    autosave(writer_client, autosave_url(), {**data, "headline": "Fresh"})
    response = writer_client.post(add, {**data, "headline": "Fresh", "slug": "fresh"})
    assert response.status_code == 302, form_errors(response)
    assert not DraftBuffer.objects.exists()


def test_an_add_form_restores_its_draft(writer_client):
    add = admin_url(review_model(), "add")
    data = form_data(writer_client.get(add))
    autosave(writer_client, autosave_url(), {**data, "headline": "Typed into a new review"})
    assert "unsaved changes" in notice(writer_client.get(add))
    restored = writer_client.get(f"{add}?_restore=draft")
    assert restored.context["adminform"].form["headline"].value() == "Typed into a new review"


def test_discard_deletes_the_draft(writer_client, review):
    data = loaded(writer_client, review)
    autosave(writer_client, autosave_url(review), {**data, "body": "Unwanted"})
    response = writer_client.post(discard_url(review))
    assert response.status_code == 302
    assert response["Location"] == change_url(review)
    assert not DraftBuffer.objects.exists()
    assert notice(writer_client.get(change_url(review))) is None


def test_nobody_discards_another_persons_draft(client, writer_client, writer, other_writer, review):
    data = loaded(writer_client, review)
    autosave(writer_client, autosave_url(review), {**data, "body": "Mine"})
    client.force_login(other_writer)
    assert client.post(discard_url(review)).status_code == 404
    assert DraftBuffer.objects.count() == 1


def test_restoring_a_draft_someone_saved_over_is_refused_as_stale(
    client, writer, desk_editor, review
):
    """The draft keeps the version it was loaded from: the editor's save in between wins."""
    client.force_login(writer)
    data = loaded(client, review)
    autosave(client, autosave_url(review), {**data, "body": "The writer's draft"})
    client.force_login(desk_editor)
    editors = loaded(client, review)
    assert client.post(change_url(review), {**editors, "headline": "Edited"}).status_code == 302

    client.force_login(writer)
    page = client.get(change_url(review))
    assert "Eddie Desk saved this review" in notice(page)
    restored = form_data(client.get(f"{change_url(review)}?_restore=draft"))
    response = client.post(f"{change_url(review)}?_restore=draft", restored)

    assert response.status_code == 200
    assert "Both of you changed this review" in response.content.decode()
    review.refresh_from_db()
    assert (review.headline, review.body) == ("Edited", "First paragraph.\n\nSecond paragraph.")


# Widgets: what a draft holds comes back as the form showed it ---------------------------------


class EveryWidget(forms.Form):
    title = forms.CharField(max_length=20)
    text = forms.CharField(widget=forms.Textarea)
    ticked = forms.BooleanField(required=False)
    kinds = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")], required=False)
    when = forms.SplitDateTimeField(widget=AdminSplitDateTime, required=False)
    day = forms.DateField(required=False)


def draft_of(pairs, names):
    pairs, fields = parse_draft(
        json.dumps({"data": pairs, "names": names}).encode(),
        EveryWidget,
        max_chars=1_000,
        max_inputs=100,
    )
    return DraftBuffer(data=pairs, fields=fields)


def test_a_draft_holds_only_the_fields_the_page_had():
    draft = draft_of([["title", "T"]], ["title", "ticked", "when_0", "when_1"])
    assert draft.fields == ["title", "ticked", "when"]  # an unticked box is in it, unticked


def test_every_kind_of_widget_comes_back_from_a_draft():
    names = ["title", "text", "ticked", "kinds", "when_0", "when_1", "day"]
    pairs = [
        ["title", "Short"],
        ["text", "Line one\r\nLine two"],
        ["ticked", "on"],
        ["kinds", "a"],
        ["kinds", "c"],
        ["when_0", "2026-12-24"],
        ["when_1", "18:30:00"],
        ["day", "2026-12-25"],
    ]
    initial = restored_initial(EveryWidget, draft_of(pairs, names))
    form = EveryWidget(initial=initial)
    assert form["title"].value() == "Short"
    assert form["ticked"].value() is True
    assert form["kinds"].value() == ["a", "c"]
    html = str(form["when"])
    assert 'value="2026-12-24"' in html
    assert 'value="18:30:00"' in html
    assert form["day"].value() == "2026-12-25"
    blank = EveryWidget(initial={"title": "Short", "ticked": True, "kinds": ["a"]})
    assert set(changed_fields(blank, draft_of(pairs, names))) == {"text", "kinds", "when", "day"}


def test_an_unticked_box_restores_unticked():
    draft = draft_of([["title", "T"]], ["title", "ticked"])
    assert restored_initial(EveryWidget, draft) == {"title": "T", "ticked": False}


def test_a_value_over_its_fields_max_length_is_refused_by_name():
    with pytest.raises(DraftError, match="“Title” is 21 characters long"):
        draft_of([["title", "t" * 21]], ["title"])
    with pytest.raises(DraftError, match="at most 1,000"):
        draft_of([["text", "t" * 1_001]], ["text"])


def test_an_editor_restores_a_publish_time_and_a_planned_day(client, review, desk_editor):
    client.force_login(desk_editor)
    data = loaded(client, review)
    draft = {**data, "publish_at_0": "2026-12-24", "publish_at_1": "18:30:00"}
    draft["planned_for"] = "2026-12-23"
    autosave(client, autosave_url(review), draft)
    restored = form_data(client.get(f"{change_url(review)}?_restore=draft"))
    assert (restored["publish_at_0"], restored["publish_at_1"]) == ("2026-12-24", "18:30:00")
    assert restored["planned_for"] == "2026-12-23"


# Queries ----------------------------------------------------------------------------------------


def test_an_autosave_runs_a_fixed_number_of_queries(
    writer_client, review, django_assert_num_queries
):
    data = loaded(writer_client, review)
    url = autosave_url(review)
    autosave(writer_client, url, {**data, "body": "warm"})  # the content type, cached
    # The session, the user, the user's own and group permissions, the review and its bylines
    # (the admin's queryset), the draft's update.
    with django_assert_num_queries(7):
        assert autosave(writer_client, url, {**data, "body": "One"}).status_code == 200
    with django_assert_num_queries(7):
        assert autosave(writer_client, url, {**data, "body": "Two" * 1000}).status_code == 200


def test_the_notice_costs_the_change_form_one_query(
    writer_client, review, django_assert_num_queries
):
    data = loaded(writer_client, review)
    url = change_url(review)
    writer_client.get(url)
    with CaptureQueriesContext(connection) as without:
        writer_client.get(url)
    autosave(writer_client, autosave_url(review), {**data, "body": "Unsaved"})
    writer_client.get(url)  # the message's session write
    with CaptureQueriesContext(connection) as with_draft:
        assert notice(writer_client.get(url))
    assert len(with_draft) - len(without) <= 2  # the draft; the session that carries its notice
