"""The layer rule where import-linter cannot see it: string model references and migrations.

``ForeignKey("reviews.Review")`` and a migration's ``dependencies`` tie one app to another without
an import statement. This test reads the layer order from the import-linter contract in
pyproject.toml (one list for both checks) and fails when a model relation (foreign key,
many-to-many, one-to-one, through models included) or a migration dependency points at an app in
a higher layer, or at another app of the same layer (apps in one layer are independent).
"""

import tomllib
from pathlib import Path

from django.apps import apps
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[2]

# Edges that break the rule and are allowed by name, each with why. Nothing else is.
ALLOWED_RELATIONS = set()
ALLOWED_MIGRATION_DEPENDENCIES = {
    # Historic: these migrations created and indexed TrackNote.source_review, a relation that
    # pointed up at reviews until reviews 0014 moved it onto the review (Review.notes_sourced,
    # cues_sourced) and soundtracks 0010 dropped it. Databases that applied them keep them in
    # django_migrations, so they stay until the soundtracks migrations are squashed.
    (("soundtracks", "0001_initial"), ("reviews", "0001_initial")),
    (("soundtracks", "0003_indexes_for_scale"), ("reviews", "0006_indexes_for_scale")),
}


def layer_of_app():
    """``{app label: layer index}``, 0 the top layer, from the contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = (c for c in config["contracts"] if c["type"] == "layers")
    return {
        app.strip(): index
        for index, layer in enumerate(contract["layers"])
        for app in layer.split("|")
    }


def breaks_the_rule(layers, source, target):
    """Whether app ``source`` may not depend on app ``target``; apps outside the list (Django's
    own, third parties) sit below every layer."""
    if source == target or source not in layers or target not in layers:
        return False
    return layers[target] <= layers[source]


def upward_relations(layers):
    found = set()
    for model in apps.get_models(include_auto_created=True):
        source = model._meta.app_label
        for field in model._meta.get_fields(include_hidden=True):
            # Forward relations only: a reverse accessor is the other side's declaration.
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model._meta.app_label
            if breaks_the_rule(layers, source, target):
                name = f"{source}.{model.__name__}.{field.name}"
                found.add((name, target))
            through = getattr(field.remote_field, "through", None)
            if through is not None and not isinstance(through, str):
                through_app = through._meta.app_label
                if breaks_the_rule(layers, source, through_app):
                    found.add((f"{source}.{model.__name__}.{field.name} (through)", through_app))
    return found


def upward_migration_dependencies(layers):
    """Dependencies a migration declares on a higher app. A higher app's ``run_before`` (reviews
    0014 runs before soundtracks 0010, which drops what it copies) is its own declaration,
    pointing down, and not counted: the lower migration names nothing above it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = set()
    for key, migration in loader.disk_migrations.items():
        for app_label, name in migration.dependencies:
            if breaks_the_rule(layers, key[0], app_label):
                found.add((key, (app_label, name)))
    return found


def test_the_layer_list_names_every_project_app():
    layers = layer_of_app()
    project_apps = {
        config.label for config in apps.get_app_configs() if Path(config.path).parent == ROOT
    }
    assert project_apps <= set(layers), sorted(project_apps - set(layers))


def test_no_model_relation_points_at_a_higher_layer():
    found = upward_relations(layer_of_app())
    assert found - ALLOWED_RELATIONS == set(), (
        "Declare the relation on the higher app's side instead (it points down at this one)."
    )


def test_no_migration_depends_on_a_higher_layer():
    found = upward_migration_dependencies(layer_of_app())
    assert found - ALLOWED_MIGRATION_DEPENDENCIES == set()


def test_every_allowed_edge_still_exists():
    """An allowance outlives its reason silently; once the edge is gone, remove it here."""
    layers = layer_of_app()
    assert upward_relations(layers) >= ALLOWED_RELATIONS
    assert upward_migration_dependencies(layers) >= ALLOWED_MIGRATION_DEPENDENCIES


def test_the_check_catches_an_upward_edge():
    layers = {"reviews": 0, "soundtracks": 1, "films": 2, "images": 3, "editorial": 3}
    assert breaks_the_rule(layers, "soundtracks", "reviews")
    assert breaks_the_rule(layers, "images", "editorial")  # same layer: independent
    assert not breaks_the_rule(layers, "reviews", "soundtracks")
    assert not breaks_the_rule(layers, "films", "auth")  # Django's own sit below every layer
