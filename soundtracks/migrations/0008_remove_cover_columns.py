"""The old image columns go; the foreign key to images.Image takes the image's name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("soundtracks", "0007_cover_columns_to_images"),
    ]

    operations = [
        migrations.RemoveField(model_name='soundtrack', name='cover'),
        migrations.RemoveField(model_name='soundtrack', name='cover_width'),
        migrations.RemoveField(model_name='soundtrack', name='cover_height'),
        migrations.RemoveField(model_name='soundtrack', name='cover_alt'),
        migrations.RemoveField(model_name='soundtrack', name='cover_decorative'),
        migrations.RenameField(model_name='soundtrack', old_name='cover_ref', new_name='cover'),
    ]
