"""Tags and authors refuse stale saves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_hero_image")]

    operations = [
        migrations.AddField(
            model_name=name,
            name="lock_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        )
        for name in ("author", "tag")
    ]
