"""The shared natural-key models: a catalogue row is named by its slug, a picture or a track
note by its uid, in fixtures and dumps.

The models are found in the app registry, not imported: editorial sits below the content apps.
Their rows come from the Tron demo fixtures, which hold at least one of each but a theme (no
leitmotif of the films is a checked fact) and a badge (no review's badge is): the ``tron``
fixture here adds one of each.
"""

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from editorial.models import NamedModel, SluggedModel, UidKeyedModel

SLUGGED = {
    "films.franchise",
    "films.person",
    "films.film",
    "soundtracks.soundtrack",
    "soundtracks.theme",
    "reviews.author",
    "reviews.tag",
    "reviews.badge",
    "reviews.review",
}
NAMED = {
    *("films.franchise", "films.person", "soundtracks.theme"),
    *("reviews.author", "reviews.tag", "reviews.badge"),
}
UID_KEYED = {"images.image", "soundtracks.tracknote", "reviews.correction"}


def models_built_on(base):
    return sorted(
        (model for model in apps.get_models() if issubclass(model, base)),
        key=lambda model: model._meta.label_lower,
    )


def text_field(model):
    """The field a slug is made from (a name, a title, a headline): the one before ``slug``."""
    names = [field.name for field in model._meta.concrete_fields]
    return model._meta.get_field(names[names.index("slug") - 1])


def dump(model, path):
    call_command(
        "dumpdata",
        model._meta.label,
        "--natural-foreign",
        "--natural-primary",
        output=str(path),
        verbosity=0,
    )
    return json.loads(path.read_text(encoding="utf-8"))


def columns(obj):
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name != "lock_version"  # every save moves it on, a load included
    }


@pytest.fixture
def tron(db):
    call_command("loaddata", "tron", verbosity=0)
    film = apps.get_model("films", "Film")._default_manager.get(slug="tron-ares")
    theme = apps.get_model("soundtracks", "Theme")
    theme._default_manager.create(name="A theme for this test", slug="test-theme", film=film)
    # Whole seconds, as the fixtures' times are: a JSON dump keeps only milliseconds.
    theme._default_manager.update(created_at=None, updated_at=None)
    badge = apps.get_model("reviews", "Badge")
    badge._default_manager.create(name="A badge for this test", slug="test-badge")


def test_the_catalogue_models_build_on_the_shared_slugged_and_named_models():
    assert {model._meta.label_lower for model in models_built_on(SluggedModel)} == SLUGGED
    assert {model._meta.label_lower for model in models_built_on(NamedModel)} == NAMED
    assert {model._meta.label_lower for model in models_built_on(UidKeyedModel)} == UID_KEYED


def test_each_slug_is_unique_and_follows_the_field_it_is_made_from():
    for model in models_built_on(SluggedModel):
        slug = model._meta.get_field("slug")
        assert slug.unique, model
        assert text_field(model).name in {"name", "title", "headline"}, model


def test_a_tag_keeps_its_short_unique_name():
    tag = apps.get_model("reviews", "Tag")
    assert tag._meta.get_field("name").max_length == 100
    assert tag._meta.get_field("name").unique
    assert tag._meta.get_field("slug").max_length == 100
    assert apps.get_model("films", "Person")._meta.get_field("name").max_length == 200


def test_named_rows_read_as_their_names_and_list_by_them(tron):
    for model in models_built_on(NamedModel):
        rows = list(model._default_manager.all())
        assert rows, model
        assert [str(row) for row in rows] == sorted(row.name for row in rows), model


def test_each_row_is_its_slug_and_found_by_it(tron):
    for model in models_built_on(SluggedModel):
        manager = model._default_manager
        rows = list(manager.all())
        assert rows, f"the demo fixtures hold no {model._meta.label}"
        for row in rows:
            assert row.natural_key() == (row.slug,)
            assert manager.get_by_natural_key(*row.natural_key()).pk == row.pk
        with pytest.raises(model.DoesNotExist):
            manager.get_by_natural_key("no-such-slug")


def test_a_dump_without_primary_keys_loads_back_over_the_same_rows(tron, tmp_path):
    for model in models_built_on(SluggedModel):
        manager = model._base_manager
        before = {row.slug: columns(row) for row in manager.all()}
        path = tmp_path / f"{model._meta.label_lower}.json"
        entries = dump(model, path)
        assert entries, model
        assert all("pk" not in entry for entry in entries), model
        field = text_field(model)
        for pk in manager.values_list("pk", flat=True):
            manager.filter(pk=pk).update(**{field.name: f"Changed {pk}"})

        call_command("loaddata", str(path), verbosity=0)

        assert {row.slug: columns(row) for row in manager.all()} == before, model


def test_a_dumped_row_under_a_new_slug_loads_as_a_new_row(tron, tmp_path):
    for model in models_built_on(SluggedModel):
        manager = model._base_manager
        original = manager.order_by("pk").first()
        entries = dump(model, tmp_path / "all.json")
        entry = next(entry for entry in entries if entry["fields"]["slug"] == original.slug)
        fields = {**entry["fields"], "slug": f"{original.slug}-copy"}
        text = text_field(model).name
        fields[text] = f"{fields[text]} (copy)"  # a tag's name is unique too
        fields.pop("uid", None)  # a new row, a new identity
        path = tmp_path / "copy.json"
        path.write_text(json.dumps([{"model": entry["model"], "fields": fields}]), "utf-8")
        count = manager.count()

        call_command("loaddata", str(path), verbosity=0)

        copy = model._default_manager.get_by_natural_key(f"{original.slug}-copy")
        assert manager.count() == count + 1, model
        assert copy.pk != original.pk
        assert getattr(copy, text) == f"{getattr(original, text)} (copy)"
        reloaded = next(serializers.deserialize("json", path.read_text("utf-8")))
        assert reloaded.object.pk == copy.pk  # found again by its slug, not added twice


def test_a_track_note_is_its_uid_and_a_dump_loads_back_over_the_same_rows(tron, tmp_path):
    model = apps.get_model("soundtracks", "TrackNote")
    notes = list(model._default_manager.all())
    assert notes
    for note in notes:
        assert note.natural_key() == (str(note.uid),)
        assert model._default_manager.get_by_natural_key(str(note.uid)).pk == note.pk
    before = {note.uid: columns(note) for note in notes}
    path = tmp_path / "notes.json"
    entries = dump(model, path)
    assert all("pk" not in entry for entry in entries)
    model._base_manager.update(text="Changed")

    call_command("loaddata", str(path), verbosity=0)

    assert {note.uid: columns(note) for note in model._base_manager.all()} == before
