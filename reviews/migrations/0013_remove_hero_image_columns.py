"""The old image columns go; the foreign key to images.Image takes the image's name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0012_hero_image_columns_to_images"),
    ]

    operations = [
        migrations.RemoveField(model_name='review', name='hero_image'),
        migrations.RemoveField(model_name='review', name='hero_image_width'),
        migrations.RemoveField(model_name='review', name='hero_image_height'),
        migrations.RemoveField(model_name='review', name='hero_image_alt'),
        migrations.RemoveField(model_name='review', name='hero_image_decorative'),
        migrations.RenameField(model_name='review', old_name='hero_image_ref', new_name='hero_image'),
    ]
