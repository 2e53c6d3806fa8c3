"""One images.Image per stored picture, with its file name, size, alt text and decorative flag.

See images.migrating: the stored files and their renditions stay where they are.
"""

from django.db import migrations

from images.migrating import ImageRowsFromColumns


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0011_hero_image_image_refs"),
        ("images", "0001_image"),
    ]

    operations = [
        ImageRowsFromColumns('reviews', 'review', 'hero_image'),
    ]
