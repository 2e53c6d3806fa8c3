"""Albums and tracks refuse stale saves (lock_version); albums get a uid that their revisions
follow through dumps and restores."""

import uuid

from django.db import migrations, models


def give_uids(apps, schema_editor):
    Soundtrack = apps.get_model("soundtracks", "soundtrack")
    for pk in Soundtrack.objects.filter(uid__isnull=True).values_list("pk", flat=True):
        Soundtrack.objects.filter(pk=pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("soundtracks", "0004_cover")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="lock_version",
                field=models.PositiveIntegerField(default=0, editable=False),
            )
            for name in ("soundtrack", "track")
        ),
        migrations.AddField(
            model_name="soundtrack",
            name="uid",
            field=models.UUIDField(editable=False, null=True, verbose_name="identifier"),
        ),
        migrations.RunPython(give_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="soundtrack",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="identifier"
            ),
        ),
    ]
