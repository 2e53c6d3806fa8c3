"""The old image columns go; the foreign key to images.Image takes the image's name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0007_poster_and_photo_columns_to_images"),
    ]

    operations = [
        migrations.RemoveField(model_name='person', name='photo'),
        migrations.RemoveField(model_name='person', name='photo_width'),
        migrations.RemoveField(model_name='person', name='photo_height'),
        migrations.RemoveField(model_name='person', name='photo_alt'),
        migrations.RemoveField(model_name='person', name='photo_decorative'),
        migrations.RenameField(model_name='person', old_name='photo_ref', new_name='photo'),
        migrations.RemoveField(model_name='film', name='poster'),
        migrations.RemoveField(model_name='film', name='poster_width'),
        migrations.RemoveField(model_name='film', name='poster_height'),
        migrations.RemoveField(model_name='film', name='poster_alt'),
        migrations.RemoveField(model_name='film', name='poster_decorative'),
        migrations.RenameField(model_name='film', old_name='poster_ref', new_name='poster'),
    ]
