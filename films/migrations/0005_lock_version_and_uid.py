"""Franchises, people, films and credits refuse stale saves (lock_version); the first three get a
uid that their revisions follow through dumps and restores."""

import uuid

from django.db import migrations, models

UID_MODELS = ("franchise", "person", "film")


def give_uids(apps, schema_editor):
    for name in UID_MODELS:
        model = apps.get_model("films", name)
        for pk in model.objects.filter(uid__isnull=True).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("films", "0004_poster_and_photo")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="lock_version",
                field=models.PositiveIntegerField(default=0, editable=False),
            )
            for name in (*UID_MODELS, "credit")
        ),
        *(
            migrations.AddField(
                model_name=name,
                name="uid",
                field=models.UUIDField(editable=False, null=True, verbose_name="identifier"),
            )
            for name in UID_MODELS
        ),
        migrations.RunPython(give_uids, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name,
                name="uid",
                field=models.UUIDField(
                    default=uuid.uuid4, editable=False, unique=True, verbose_name="identifier"
                ),
            )
            for name in UID_MODELS
        ),
    ]
