"""A foreign key to images.Image beside each image's old columns; the next migration fills it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("soundtracks", "0005_lock_version_and_uid"),
        ("images", "0001_image"),
    ]

    operations = [
        migrations.AddField(
            model_name='soundtrack',
            name='cover_ref',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cover_of', to='images.image', help_text="The album's front cover, square, from the image library."),
        ),
    ]
