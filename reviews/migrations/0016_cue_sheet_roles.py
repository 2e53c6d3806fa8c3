"""The newsroom's roles and the cue sheet: editors edit cues and themes, writers see them.

The cue sheet is catalogue, like films and albums, which editors manage and writers read
(reviews/workflow.py): writers view cues, their album tracks, themes and theme appearances (so a
review can name the cues it cites or is the source of), and editors may do everything. The
permissions are made first, as in 0005_editorial_roles, so that a fresh database can grant them.
Re-running adds what is missing and removes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("cue", "cuetrack", "theme", "themeappearance")


def _permissions(apps):
    config = apps.get_app_config("soundtracks")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="soundtracks", content_type__model__in=MODELS
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions)
    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.add(*permissions.filter(codename__startswith="view_"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    for group in Group.objects.filter(name__in=["Editors", "Writers"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reviews", "0015_review_body_help_cue_links"),
        ("soundtracks", "0010_tracknote_commentary_only"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
