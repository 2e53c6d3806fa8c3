"""People get a change time, as films and albums have, so that the API can sync them
(``updated_since``). Existing rows get the time of their latest revision where they have one,
which is when an editor last saved them, else the time of this migration."""

from django.db import migrations, models
from django.utils import timezone


def stamp(apps, schema_editor):
    Person = apps.get_model("films", "Person")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    Person.objects.update(updated_at=timezone.now())
    content_type = ContentType.objects.filter(app_label="films", model="person").first()
    if content_type is None:
        return
    # A person's versions are found by uid (editorial.revisions), as str(uuid) writes it.
    latest = {}
    versions = Version.objects.filter(content_type=content_type)
    for object_id, saved in versions.values_list("object_id", "revision__date_created"):
        if object_id not in latest or saved > latest[object_id]:
            latest[object_id] = saved
    people = []
    for person in Person.objects.only("pk", "uid"):
        if str(person.uid) in latest:
            person.updated_at = latest[str(person.uid)]
            people.append(person)
    Person.objects.bulk_update(people, ["updated_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("films", "0010_person_imdb_musicbrainz_ids"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, null=True, verbose_name="last changed"),
        ),
        migrations.RunPython(stamp, migrations.RunPython.noop, elidable=True),
    ]
