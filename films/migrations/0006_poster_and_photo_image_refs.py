"""A foreign key to images.Image beside each image's old columns; the next migration fills it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0005_lock_version_and_uid"),
        ("images", "0001_image"),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='photo_ref',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='photo_of', to='images.image', help_text="A portrait (4:5 suits the page) or a group's picture, from the image library."),
        ),
        migrations.AddField(
            model_name='film',
            name='poster_ref',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='poster_of', to='images.image', help_text='The poster, upright (2:3), from the image library.'),
        ),
    ]
