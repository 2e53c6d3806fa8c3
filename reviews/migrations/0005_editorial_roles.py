"""The newsroom's roles as groups: Writers and Editors (rules in reviews/workflow.py).

Permissions are normally created after all migrations run; they are created here first so the
groups can be given them on a fresh database. Re-running adds what is missing and removes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ("films", "soundtracks", "reviews")

WRITER_PERMISSIONS = (
    "reviews.add_review",
    "reviews.change_review",
    "reviews.view_review",
    "reviews.view_author",
    "reviews.view_tag",
    "soundtracks.add_tracknote",
    "soundtracks.change_tracknote",
    "soundtracks.view_tracknote",
    "soundtracks.view_soundtrack",
    "soundtracks.view_track",
    "films.view_film",
    "films.view_person",
    "films.view_franchise",
    "films.view_credit",
)

# Everything in the content apps (publishing and editing anyone's work included), and seeing
# logins, which the byline and note-author pickers list.
EDITOR_EXTRA_PERMISSIONS = ("auth.view_user",)


def _permissions(Permission, names):
    permissions = []
    for name in names:
        app_label, codename = name.split(".")
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return permissions


def make_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.add(*_permissions(Permission, WRITER_PERMISSIONS))

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=CONTENT_APPS),
        *_permissions(Permission, EDITOR_EXTRA_PERMISSIONS),
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writers", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("films", "0002_film_audit"),
        ("soundtracks", "0002_audit_and_locking"),
        ("reviews", "0004_review_workflow_fields"),
    ]

    operations = [migrations.RunPython(make_roles, remove_roles)]
