"""Reviews name the cues they cite, and the cues and track notes whose facts they are the source of.

A track note used to name its source review itself, from below (``TrackNote.source_review``);
this copies each onto the review: the cue the note became (soundtracks 0009 gave it the note's
uid) and the note, where it still has words. It runs before soundtracks 0010 drops the column,
so soundtracks never depends on reviews.
"""

from django.db import migrations, models


def copy_note_sources(apps, schema_editor):
    TrackNote = apps.get_model("soundtracks", "TrackNote")
    if "source_review" not in {field.name for field in TrackNote._meta.get_fields()}:
        return
    Cue = apps.get_model("soundtracks", "Cue")
    Review = apps.get_model("reviews", "Review")
    cues = dict(Cue.objects.values_list("uid", "pk"))
    for note in TrackNote.objects.exclude(source_review=None).order_by("pk"):
        review = Review.objects.get(pk=note.source_review_id)
        if note.uid in cues:
            review.cues_sourced.add(cues[note.uid])
        if note.text:
            review.notes_sourced.add(note)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0013_remove_hero_image_columns"),
        ("soundtracks", "0009_cue_sheet"),
    ]
    run_before = [
        ("soundtracks", "0010_tracknote_commentary_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="cited_cues",
            field=models.ManyToManyField(
                blank=True,
                editable=False,
                help_text="The cues the body links to.",
                related_name="citing_reviews",
                to="soundtracks.cue",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="cues_sourced",
            field=models.ManyToManyField(
                blank=True,
                help_text="Cues of the cue sheet whose facts (scene, use) come from this review.",
                related_name="source_reviews",
                to="soundtracks.cue",
                verbose_name="cues it is the source for",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="notes_sourced",
            field=models.ManyToManyField(
                blank=True,
                help_text="Track notes that come from this review.",
                related_name="source_reviews",
                to="soundtracks.tracknote",
                verbose_name="track notes it is the source for",
            ),
        ),
        migrations.RunPython(copy_note_sources, migrations.RunPython.noop),
    ]
