"""Track notes keep their commentary; what placed a track in the film is now the cue sheet's.

Runs after reviews 0014 has copied each note's source review onto the review
(``Review.cues_sourced`` / ``notes_sourced``). A note left with no words once its scene and use
became a cue is deleted: the cue holds all it said.
"""

from django.db import migrations


def drop_empty_notes(apps, schema_editor):
    TrackNote = apps.get_model("soundtracks", "TrackNote")
    Cue = apps.get_model("soundtracks", "Cue")
    moved = Cue.objects.values("uid")
    TrackNote.objects.filter(text="", uid__in=moved).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("soundtracks", "0009_cue_sheet"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="tracknote",
            options={
                "ordering": ["track_id", "pk"],
                "permissions": [
                    ("change_any_tracknote", "Can edit track notes other people created")
                ],
            },
        ),
        migrations.RemoveIndex(
            model_name="tracknote",
            name="tracknote_track_cue_idx",
        ),
        migrations.RemoveField(
            model_name="tracknote",
            name="cue_start",
        ),
        migrations.RemoveField(
            model_name="tracknote",
            name="scene",
        ),
        migrations.RemoveField(
            model_name="tracknote",
            name="source_review",
        ),
        migrations.RemoveField(
            model_name="tracknote",
            name="usage",
        ),
        # Last: on PostgreSQL a table with pending deferred checks cannot be altered after it.
        migrations.RunPython(drop_empty_notes, migrations.RunPython.noop),
    ]
