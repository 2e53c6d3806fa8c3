"""No lost edits: every admin form and inline row refuses a save made from a stale load."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote

from editorial.locking import LockedInlineFormSet, OptimisticLockForm
from editorial.tests.admin_forms import admin_url, form_data, form_errors, post_change
from editorial.tests.factories import EditorFactory
from films.models import Credit, Film, Franchise, Person
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from reviews.models import Author, Badge, Review, Tag
from reviews.tests.factories import AuthorFactory, BadgeFactory, ReviewFactory, TagFactory
from soundtracks.models import Cue, Soundtrack, Theme, Track, TrackNote
from soundtracks.tests.factories import (
    CueFactory,
    SoundtrackFactory,
    ThemeFactory,
    TrackFactory,
    TrackNoteFactory,
)

pytestmark = pytest.mark.django_db

STALE = "after you opened it"
GONE = "deleted this"

# (factory, a text field an editor types in)
CHANGE_FORMS = {
    Franchise: (FranchiseFactory, "name"),
    Person: (PersonFactory, "name"),
    Film: (FilmFactory, "title"),
    Credit: (lambda: CreditFactory(role=Credit.Role.CAST, character="Flynn"), "character"),
    Soundtrack: (SoundtrackFactory, "title"),
    Track: (TrackFactory, "title"),
    TrackNote: (TrackNoteFactory, "text"),
    Cue: (CueFactory, "title"),
    Theme: (ThemeFactory, "name"),
    Tag: (TagFactory, "name"),
    Author: (AuthorFactory, "name"),
    Badge: (BadgeFactory, "name"),
    Review: (ReviewFactory, "headline"),
}

# parent model: (make a child row, the inline's prefix, the child's field)
INLINES = {
    Film: (lambda: CreditFactory(role=Credit.Role.CAST, character="Flynn"), "credits", "character"),
    Soundtrack: (TrackFactory, "tracks", "title"),
    Track: (TrackNoteFactory, "notes", "text"),
    Franchise: (lambda: FilmFactory(franchise=FranchiseFactory()), "films", "franchise_order"),
}
FIRST, SECOND, ELSEWHERE, GONE_ROW, KEEPING = (
    "Typed by the first editor",
    "Typed by the second editor",
    "Changed elsewhere",
    "Typed into a row that is gone",
    "Worth keeping",
)
#: The same edits, for a number field.
NUMBERS = {FIRST: 1, SECOND: 2, ELSEWHERE: 3, GONE_ROW: 4, KEEPING: 5}


def typed(parent_model, text):
    return NUMBERS[text] if INLINES[parent_model][2] == "franchise_order" else text


def shows(html, parent_model, text):
    """Whether the page shows ``text`` as typed into the inline's field."""
    value = typed(parent_model, text)
    if isinstance(value, int):
        _, prefix, field = INLINES[parent_model]
        return f'name="{prefix}-0-{field}" value="{value}"' in html
    return value in html


def parent_of(row):
    return {Credit: "film", Track: "soundtrack", TrackNote: "track", Film: "franchise"}[type(row)]


@pytest.fixture
def second_editor():
    return EditorFactory(username="fran", first_name="Fran", last_name="Proof", is_superuser=True)


@pytest.fixture
def first_editor():
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Desk", is_superuser=True)


def load(client, user, url):
    client.force_login(user)
    return form_data(client.get(url))


def test_every_admin_form_and_inline_checks_the_loaded_version(rf, editor):
    """The guard against a new admin, or a new inline, that forgets the lock."""
    request = rf.get("/")
    request.user = editor
    content = [
        m for m in admin.site._registry if m._meta.app_label in {"films", "soundtracks", "reviews"}
    ]
    assert set(content) == set(CHANGE_FORMS)
    for model in content:
        model_admin = admin.site._registry[model]
        for obj in (None, CHANGE_FORMS[model][0]()):
            form = model_admin.get_form(request, obj, change=obj is not None)
            assert issubclass(form, OptimisticLockForm), model
            for formset, inline in model_admin.get_formsets_with_inlines(request, obj):
                if formset.model._meta.auto_created:
                    # A many-to-many link (a cue's source review) is a reference, no version.
                    continue
                assert issubclass(formset.form, OptimisticLockForm), inline
                assert issubclass(formset, LockedInlineFormSet), inline
                assert formset.form.lock_unchanged is False
        assert not model_admin.list_editable, f"{model}: list_editable needs the lock too"


@pytest.mark.parametrize("model", list(CHANGE_FORMS), ids=lambda m: m._meta.label_lower)
def test_stale_change_form_is_refused_and_keeps_the_second_editors_text(
    client, model, first_editor, second_editor
):
    factory, field = CHANGE_FORMS[model]
    obj = factory()
    url = admin_url(model, "change", quote(obj.pk))
    firsts_form = load(client, first_editor, url)
    seconds_form = load(client, second_editor, url)

    client.force_login(first_editor)
    first = client.post(url, {**firsts_form, field: "Typed by the first editor"})
    client.force_login(second_editor)
    second = client.post(url, {**seconds_form, field: "Typed by the second editor"})

    assert first.status_code == 302, form_errors(first)
    assert second.status_code == 200
    html = second.content.decode()
    assert f"saved this {model._meta.verbose_name}" in html
    assert STALE in html
    assert "Typed by the second editor" in html
    if hasattr(obj, "updated_by_id"):
        assert "Eddie Desk saved this" in html
    obj.refresh_from_db()
    assert getattr(obj, field) == "Typed by the first editor"


@pytest.mark.parametrize("model", list(CHANGE_FORMS), ids=lambda m: m._meta.label_lower)
def test_a_fresh_change_form_saves(editor_client, model):
    factory, field = CHANGE_FORMS[model]
    obj = factory()
    for attempt in ("Saved once", "Saved twice"):  # the second load sees the first save
        response = post_change(editor_client, type(obj).objects.get(pk=obj.pk), **{field: attempt})
        assert response.status_code == 302, form_errors(response)
        obj.refresh_from_db()
        assert getattr(obj, field) == attempt


#: What a tampered or broken form may send as the version it loaded (None: nothing at all).
MALFORMED_VERSIONS = [
    *(None, "", "abc", "-1", "1.5", " ", "１"),
    *("9" * 11, str(2**31), "9" * 5000, "0x1"),
]


@pytest.mark.parametrize("model", [Film, Tag, Review], ids=lambda m: m._meta.label_lower)
def test_a_malformed_loaded_version_is_a_form_error(editor_client, model):
    """Every malformed version is posted from one load of the form: a refused post changes
    nothing, so the next is posted against the same row."""
    factory, field = CHANGE_FORMS[model]
    obj = factory()
    url = admin_url(model, "change", obj.pk)
    loaded_form = {**form_data(editor_client.get(url)), field: "Tampered"}
    for loaded in MALFORMED_VERSIONS:
        data = dict(loaded_form)
        if loaded is None:
            del data["loaded_version"]
        else:
            data["loaded_version"] = loaded
        response = editor_client.post(url, data)
        assert response.status_code == 200, loaded
        assert "does not say which version" in response.content.decode(), loaded
        obj.refresh_from_db()
        assert getattr(obj, field) != "Tampered", loaded


@pytest.mark.parametrize("parent_model", list(INLINES), ids=lambda m: m._meta.label_lower)
@pytest.mark.parametrize("changed_through", ["its own form", "the parent form"])
def test_stale_inline_row_is_refused_on_that_row(
    client, parent_model, changed_through, first_editor, second_editor
):
    make_row, prefix, field = INLINES[parent_model]
    row = make_row()
    parent = getattr(row, parent_of(row))
    url = admin_url(parent_model, "change", parent.pk)
    seconds_form = load(client, second_editor, url)

    client.force_login(first_editor)
    if changed_through == "its own form":
        first = post_change(client, row, **{field: typed(parent_model, FIRST)})
    else:
        firsts_form = load(client, first_editor, url)
        first = client.post(url, {**firsts_form, f"{prefix}-0-{field}": typed(parent_model, FIRST)})
    client.force_login(second_editor)
    second = client.post(url, {**seconds_form, f"{prefix}-0-{field}": typed(parent_model, SECOND)})

    assert first.status_code == 302, form_errors(first)
    assert second.status_code == 200
    html = second.content.decode()
    assert f"saved this {type(row)._meta.verbose_name}" in html
    assert shows(html, parent_model, SECOND)
    (inline,) = [i for i in second.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    assert inline.formset.forms[0].has_error("__all__", "stale")
    row.refresh_from_db()
    assert getattr(row, field) == typed(parent_model, FIRST)


@pytest.mark.parametrize("parent_model", list(INLINES), ids=lambda m: m._meta.label_lower)
def test_a_row_changed_elsewhere_is_never_written_back_by_a_stale_parent_form(
    client, parent_model, first_editor, second_editor
):
    """The stale form posts the row's old values: saving them would undo the other edit."""
    make_row, prefix, field = INLINES[parent_model]
    row = make_row()
    parent = getattr(row, parent_of(row))
    url = admin_url(parent_model, "change", parent.pk)
    seconds_form = load(client, second_editor, url)
    client.force_login(first_editor)
    assert post_change(client, row, **{field: typed(parent_model, ELSEWHERE)}).status_code == 302

    client.force_login(second_editor)
    parent_field = CHANGE_FORMS[parent_model][1]
    response = client.post(url, {**seconds_form, parent_field: "Parent changed"})

    assert response.status_code == 200
    assert STALE in response.content.decode()
    row.refresh_from_db()
    assert getattr(row, field) == typed(parent_model, ELSEWHERE)


@pytest.mark.parametrize("parent_model", list(INLINES), ids=lambda m: m._meta.label_lower)
def test_a_parent_form_with_fresh_rows_saves_and_leaves_them_alone(editor_client, parent_model):
    make_row, prefix, field = INLINES[parent_model]
    row = make_row()
    parent = getattr(row, parent_of(row))
    version = row.lock_version
    parent_field = CHANGE_FORMS[parent_model][1]

    response = post_change(editor_client, parent, **{parent_field: "Parent changed"})

    assert response.status_code == 302, form_errors(response)
    row.refresh_from_db()
    assert row.lock_version == version  # an unchanged row is not written


@pytest.mark.parametrize("parent_model", list(INLINES), ids=lambda m: m._meta.label_lower)
@pytest.mark.parametrize("touched", [True, False])
def test_an_inline_row_deleted_since_is_refused_not_recreated(
    client, parent_model, touched, first_editor, second_editor
):
    make_row, prefix, field = INLINES[parent_model]
    row = make_row()
    row_model, parent = type(row), getattr(row, parent_of(row))
    url = admin_url(parent_model, "change", parent.pk)
    seconds_form = load(client, second_editor, url)
    row_model.objects.filter(pk=row.pk).delete()

    client.force_login(second_editor)
    data = {**seconds_form}
    if touched:
        data[f"{prefix}-0-{field}"] = typed(parent_model, GONE_ROW)
    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Someone deleted this {row_model._meta.verbose_name} after you opened the form" in html
    assert "Select a valid choice" not in html
    if touched:
        held = html[html.index("What your form held for it:") :][:300]
        assert f": {typed(parent_model, GONE_ROW)}" in held  # theirs to copy
    assert not row_model.objects.exists()


@pytest.mark.parametrize(
    "parent_model", [Film, Soundtrack, Track], ids=lambda m: m._meta.label_lower
)
def test_deleting_an_inline_row_someone_changed_is_refused(
    client, parent_model, first_editor, second_editor
):
    make_row, prefix, field = INLINES[parent_model]
    row = make_row()
    parent = getattr(row, parent_of(row))
    url = admin_url(parent_model, "change", parent.pk)
    seconds_form = load(client, second_editor, url)
    client.force_login(first_editor)
    assert post_change(client, row, **{field: typed(parent_model, KEEPING)}).status_code == 302

    client.force_login(second_editor)
    response = client.post(url, {**seconds_form, f"{prefix}-0-DELETE": "on"})

    assert response.status_code == 200
    assert "Not deleted, because someone changed it after you opened the form" in (
        response.content.decode()
    )
    row.refresh_from_db()
    assert getattr(row, field) == typed(parent_model, KEEPING)


def test_a_malformed_inline_row_version_is_a_row_error(editor_client):
    credit = CreditFactory(role=Credit.Role.CAST, character="Flynn")
    url = admin_url(Film, "change", credit.film.pk)
    data = form_data(editor_client.get(url))
    for loaded in ["abc", "-1", "9" * 40, ""]:  # each refused, so each posted from one load
        response = editor_client.post(
            url, {**data, "credits-0-loaded_version": loaded, "credits-0-character": "Tampered"}
        )
        assert response.status_code == 200, loaded
        assert "does not say which version of the credit" in response.content.decode(), loaded
        credit.refresh_from_db()
        assert credit.character == "Flynn", loaded


def test_every_locked_admin_resolves_a_conflict_and_reviews_autosave():
    """Every admin of a locked model shows a refused stale save as a conflict to resolve; the
    review's autosave keeps a body as long as the review takes, and not one character more."""
    from editorial.autosave import AutosaveAdminMixin
    from editorial.conflict import ConflictAdminMixin
    from reviews.markdown import MAX_LENGTH

    for model in CHANGE_FORMS:
        assert isinstance(admin.site._registry[model], ConflictAdminMixin), model
    review_admin = admin.site._registry[Review]
    assert isinstance(review_admin, AutosaveAdminMixin)
    assert review_admin.autosave_max_chars == MAX_LENGTH
    assert review_admin.autosave_max_bytes >= 4 * MAX_LENGTH  # a body of four-byte characters


def test_a_stale_parent_with_changed_inline_rows_keeps_the_plain_refusal(
    client, first_editor, second_editor
):
    """The merged form restores the main form's fields: a refusal that also holds changed
    inline rows stays the refused form, which keeps those rows as typed."""
    credit = CreditFactory(role=Credit.Role.CAST, character="Flynn")
    url = admin_url(Film, "change", credit.film.pk)
    firsts, seconds = load(client, first_editor, url), load(client, second_editor, url)
    client.force_login(first_editor)
    assert client.post(url, {**firsts, "title": FIRST}).status_code == 302

    client.force_login(second_editor)
    response = client.post(url, {**seconds, "title": SECOND, "credits-0-character": "Sam"})

    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in html
    assert "Both of you changed" not in html
    assert 'value="Sam"' in html
    credit.refresh_from_db()
    assert credit.character == "Flynn"


def test_a_stale_parent_with_untouched_inline_rows_is_resolved(client, first_editor, second_editor):
    credit = CreditFactory(role=Credit.Role.CAST, character="Flynn")
    url = admin_url(Film, "change", credit.film.pk)
    firsts, seconds = load(client, first_editor, url), load(client, second_editor, url)
    client.force_login(first_editor)
    assert client.post(url, {**firsts, "title": FIRST}).status_code == 302

    client.force_login(second_editor)
    response = client.post(url, {**seconds, "title": SECOND})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Both of you changed this film" in html
    assert FIRST in html
    assert SECOND in html
