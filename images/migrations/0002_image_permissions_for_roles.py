"""The newsroom's roles and the image library: editors manage it, writers add and describe images.

Writers chose and described their reviews' hero images before images were rows of their own, so
they keep adding and changing images (never deleting them); editors may do everything. The groups
are made if missing (reviews' 0005_editorial_roles makes them too, by the same names), so this
needs no migration of an app above images. Re-running adds what is missing and removes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_CODENAMES = ("add_image", "change_image", "view_image")


def grant(apps, schema_editor):
    config = apps.get_app_config("images")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="images")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions)
    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.add(*permissions.filter(codename__in=WRITER_CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="images")
    for group in Group.objects.filter(name__in=["Editors", "Writers"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("images", "0001_image"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
