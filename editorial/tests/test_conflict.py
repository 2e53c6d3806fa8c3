"""A stale save you can resolve: both versions side by side, keep mine or theirs, merge, save.

Models are found in the app registry, not imported: editorial sits below the content apps. A
review (``EditorialAdmin``) and a tag (``LockedAdminMixin``) stand for every locked admin.
"""

import pytest
from django.apps import apps
from django.urls import reverse

from editorial.models import DraftBuffer
from editorial.tests.admin_forms import admin_url, form_data, form_errors
from editorial.tests.factories import EditorFactory
from editorial.tests.html import parse_html

pytestmark = pytest.mark.django_db


def review_model():
    return apps.get_model("reviews", "Review")


@pytest.fixture
def first_editor():
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Desk")


@pytest.fixture
def second_editor():
    return EditorFactory(username="fran", first_name="Fran", last_name="Proof")


@pytest.fixture
def review(first_editor):
    return review_model().objects.create(
        headline="Light cycles",
        slug="light-cycles",
        dek="A standfirst.",
        body="First paragraph.\n\nSecond paragraph.\n\nThird paragraph.",
        created_by=first_editor,
    )


def url_of(obj):
    return admin_url(type(obj), "change", obj.pk)


def load(client, user, obj):
    client.force_login(user)
    return form_data(client.get(url_of(obj)))


@pytest.fixture
def conflict(client, first_editor, second_editor, review):
    """Eddie changes the headline and the body's second paragraph and saves; Fran, who loaded
    the form before, changes the standfirst and the body's third paragraph and is refused."""
    url = url_of(review)
    firsts, seconds = load(client, first_editor, review), load(client, second_editor, review)
    client.force_login(first_editor)
    theirs_body = "First paragraph.\n\nSecond, rewritten by Eddie.\n\nThird paragraph."
    saved = client.post(url, {**firsts, "headline": "Eddie's headline", "body": theirs_body})
    assert saved.status_code == 302, form_errors(saved)
    client.force_login(second_editor)
    mine_body = "First paragraph.\n\nSecond paragraph.\n\nThird, rewritten by Fran."
    refused = client.post(url, {**seconds, "dek": "Fran's standfirst", "body": mine_body})
    return refused, seconds


def rows(response):
    doc = parse_html(response.content.decode())
    return {row["id"].removeprefix("conflict-"): row for row in doc.find_all("tr") if row.get("id")}


def test_a_stale_save_shows_both_versions_of_the_fields_that_differ(conflict, review):
    refused, _ = conflict
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Both of you changed this review" in html
    assert "Eddie Desk saved this review at " in html
    assert "after you opened it" in html
    shown = rows(refused)
    assert set(shown) == {"headline", "dek", "body"}  # not the fields that agree
    assert shown["headline"].text_of("td.conflict-theirs") == "Eddie's headline"
    assert shown["headline"].text_of("td.conflict-mine") == "Light cycles"
    assert shown["dek"].text_of("td.conflict-mine") == "Fran's standfirst"
    body = shown["body"].find("div.revision-diff")
    assert "Eddie." in " ".join(each.text for each in body.find_all("del"))
    assert "Fran." in " ".join(each.text for each in body.find_all("ins"))
    review.refresh_from_db()
    assert review.headline == "Eddie's headline"  # theirs is safe


def test_what_was_typed_rides_along_and_is_kept_as_a_draft(conflict, second_editor, review):
    refused, seconds = conflict
    doc = parse_html(refused.content.decode())
    hidden = {
        each["name"]: each["value"]
        for each in doc.find_all("input")
        if each.get("type") == "hidden"
    }
    assert hidden["dek"] == "Fran's standfirst"
    assert hidden["body"].endswith("Third, rewritten by Fran.")
    assert hidden["loaded_version"] == seconds["loaded_version"]
    assert int(hidden["_conflict_version"]) == review_model().objects.get().lock_version
    draft = DraftBuffer.objects.of(second_editor, review_model(), review.pk).get()
    assert ["dek", "Fran's standfirst"] in draft.data
    assert draft.base_version == int(seconds["loaded_version"])


def merge(client, review, seconds, version=None, **choices):
    data = {
        **seconds,
        "dek": "Fran's standfirst",
        "body": "First paragraph.\n\nSecond paragraph.\n\nThird, rewritten by Fran.",
        "_conflict_version": version or str(review_model().objects.get().lock_version),
        "_conflict_merge": "Build the merged form",
        **{f"_keep_{name}": choice for name, choice in choices.items()},
    }
    return client.post(url_of(review), data)


def test_keep_mine_or_theirs_builds_a_merged_form_that_saves(client, conflict, review):
    _, seconds = conflict
    response = merge(client, review, seconds, headline="theirs", dek="mine", body="mine")
    assert response.status_code == 302
    assert response["Location"] == f"{url_of(review)}?_restore=draft"

    merged_page = client.get(response["Location"])
    merged = form_data(merged_page)
    assert merged["headline"] == "Eddie's headline"
    assert merged["dek"] == "Fran's standfirst"
    assert merged["body"].endswith("Third, rewritten by Fran.")
    assert int(merged["loaded_version"]) == review_model().objects.get().lock_version
    assert any("Merged: yours for" in str(m) for m in merged_page.context["messages"])
    review.refresh_from_db()
    assert review.dek == "A standfirst."  # nothing saved yet

    saved = client.post(response["Location"], merged)

    assert saved.status_code == 302, form_errors(saved)
    review.refresh_from_db()
    assert review.headline == "Eddie's headline"
    assert review.dek == "Fran's standfirst"
    assert review.body.endswith("Third, rewritten by Fran.")
    assert not DraftBuffer.objects.exists()


def test_a_save_in_between_refuses_the_merged_form_too(
    client, conflict, first_editor, second_editor, review
):
    _, seconds = conflict
    response = merge(client, review, seconds, headline="mine", dek="mine", body="mine")
    merged = form_data(client.get(response["Location"]))
    again = load(client, first_editor, review)
    assert client.post(url_of(review), {**again, "headline": "Eddie again"}).status_code == 302

    client.force_login(second_editor)
    refused = client.post(response["Location"], merged)

    assert refused.status_code == 200
    assert "Both of you changed this review" in refused.content.decode()
    review.refresh_from_db()
    assert review.headline == "Eddie again"


def test_a_merge_missing_a_choice_asks_for_it(client, conflict, review):
    _, seconds = conflict
    response = merge(client, review, seconds, headline="theirs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose mine or theirs for every field marked below." in html
    shown = rows(response)
    assert "conflict-error" in shown["dek"]["class"]
    assert "conflict-error" not in shown["headline"].get("class", "")
    assert "checked" in shown["headline"].find("input", value="theirs")


def test_a_merge_after_another_save_shows_the_conflict_again(
    client, conflict, first_editor, second_editor, review
):
    _, seconds = conflict
    version = str(review_model().objects.get().lock_version)
    again = load(client, first_editor, review)
    assert client.post(url_of(review), {**again, "headline": "Eddie again"}).status_code == 302
    client.force_login(second_editor)
    response = merge(client, review, seconds, version, headline="mine", dek="mine", body="mine")
    assert response.status_code == 200
    assert rows(response)["headline"].text_of("td.conflict-theirs") == "Eddie again"


@pytest.mark.parametrize("version", ["", "abc", "-1", "9" * 40, "1.5"])
def test_a_tampered_merge_version_is_a_400(client, conflict, review, version):
    _, seconds = conflict
    data = {**seconds, "_conflict_merge": "1", "_conflict_version": version}
    assert client.post(url_of(review), data).status_code == 400


@pytest.mark.parametrize(
    "choice",
    [{"_keep_nonexistent": "mine"}, {"_keep_headline": "both"}, {"_keep_": "mine"}],
    ids=["no such field", "no such choice", "no name"],
)
def test_a_merge_naming_what_does_not_exist_is_a_400(client, conflict, review, choice):
    _, seconds = conflict
    version = str(review_model().objects.get().lock_version)
    data = {**seconds, "_conflict_merge": "1", "_conflict_version": version, **choice}
    assert client.post(url_of(review), data).status_code == 400
    review.refresh_from_db()
    assert review.headline == "Eddie's headline"


def test_a_huge_value_in_a_merge_is_a_form_error_on_save_never_a_500(client, conflict, review):
    _, seconds = conflict
    data = {
        **seconds,
        "body": "x" * 100_001,
        "_conflict_merge": "1",
        "_conflict_version": str(review_model().objects.get().lock_version),
        "_keep_headline": "theirs",
        "_keep_body": "mine",
    }
    response = client.post(url_of(review), data)
    assert response.status_code == 302
    merged = form_data(client.get(response["Location"]))
    saved = client.post(response["Location"], merged)
    assert saved.status_code == 200
    assert "100,001 characters long" in saved.content.decode()


def test_another_persons_merge_of_a_row_they_cannot_change_is_refused(client, conflict, review):
    from editorial.tests.factories import WriterFactory

    _, seconds = conflict
    client.force_login(WriterFactory())
    data = {**seconds, "_conflict_merge": "1", "_conflict_version": "2", "_keep_dek": "mine"}
    assert client.post(url_of(review), data).status_code in {403, 404}


def test_a_tag_is_resolved_the_same_way(client, first_editor, second_editor):
    tag = apps.get_model("reviews", "Tag").objects.create(name="Synths", slug="synths")
    firsts, seconds = load(client, first_editor, tag), load(client, second_editor, tag)
    client.force_login(first_editor)
    assert client.post(url_of(tag), {**firsts, "name": "Synthesizers"}).status_code == 302
    client.force_login(second_editor)
    refused = client.post(url_of(tag), {**seconds, "name": "Synth scores", "slug": "synth-scores"})
    assert set(rows(refused)) == {"name", "slug"}
    assert "Someone saved this tag" in refused.content.decode()  # a tag has no audit stamps

    version = str(tag._meta.model.objects.get().lock_version)
    merged = client.post(
        url_of(tag),
        {
            **seconds,
            "name": "Synth scores",
            "slug": "synth-scores",
            "_conflict_merge": "1",
            "_conflict_version": version,
            "_keep_name": "mine",
            "_keep_slug": "theirs",
        },
    )
    data = form_data(client.get(merged["Location"]))
    assert client.post(merged["Location"], data).status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Synth scores", "synths")


def test_a_tampered_version_is_still_the_plain_refusal(client, first_editor, review):
    data = load(client, first_editor, review)
    response = client.post(url_of(review), {**data, "loaded_version": "abc", "dek": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "does not say which version" in html
    assert "Both of you changed" not in html


def test_the_conflict_page_is_not_reachable_by_get(client, first_editor, review):
    client.force_login(first_editor)
    response = client.get(url_of(review), {"_conflict_merge": "1", "_keep_dek": "mine"})
    assert response.status_code == 200  # the change form, as ever
    assert "Both of you changed" not in response.content.decode()
    assert reverse("admin:reviews_review_changelist")
