"""People get a sort name (empty: derived from the name) and a stored, indexed sort key that the
index pages order by. No sort name is filled in: every existing row keeps the derived order,
the key is worked out for each from its name as saves will (``films.sorting``)."""

from django.db import migrations, models

import films.models
from films import sorting


def fill_keys(apps, schema_editor):
    Person = apps.get_model("films", "Person")
    people = list(Person.objects.only("pk", "name", "sort_name", "is_group"))
    for person in people:
        person.sort_key = sorting.sort_key(person.name, person.sort_name, person.is_group)
    Person.objects.bulk_update(people, ["sort_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("films", "0011_person_updated_at")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="sort_name",
            field=models.CharField(
                blank=True,
                help_text="How the index pages alphabetise the name, surname first: “Reznor, "
                "Trent” for Trent Reznor, “Beethoven, Ludwig van”. Leave empty to sort a person "
                "by the last word of their name (Trent Reznor under R) and a group by its whole "
                "name (Nine Inch Nails under N, Daft Punk under D); fill it in for a group to "
                "file it otherwise (“Null Corporation, The”).",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="sort_key",
            field=films.models.SortKeyField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_key", "name"], name="person_sort_key_idx"),
        ),
    ]
