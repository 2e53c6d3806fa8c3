"""A foreign key to images.Image beside each image's old columns; the next migration fills it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0010_sharelink"),
        ("images", "0001_image"),
    ]

    operations = [
        migrations.AddField(
            model_name='review',
            name='hero_image_ref',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='hero_of', to='images.image', verbose_name='hero image', help_text="Shown across the top of the article and in link previews; wide (16:9). Any image in the library will do, a film's poster included."),
        ),
    ]
