"""The cue sheet: cues, their album tracks, themes. Today's track notes become cues.

A note that placed its track in the film (a scene, a cue time, "used whole" or "in part")
becomes a cue of the album's film, titled as the track, linked to the track with that extent,
and written by the film's composers. The cue takes the note's uid, so the review the note came
from follows it (reviews 0014), and the note keeps its commentary; soundtracks 0010 then drops
the note's scene, time and use. A note that said "not used in the film" makes no cue: a track
in no cue is not in the film. Nothing a note said is dropped: its scene and time stay in its
text where no cue holds them.
"""

import django.db.models.deletion
import soundtracks.durations
import uuid
from django.conf import settings
from django.db import migrations, models
from django.utils.text import slugify


def _time(seconds):
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def notes_to_cues(apps, schema_editor):
    TrackNote = apps.get_model("soundtracks", "TrackNote")
    Cue = apps.get_model("soundtracks", "Cue")
    CueTrack = apps.get_model("soundtracks", "CueTrack")
    Credit = apps.get_model("films", "Credit")
    notes = TrackNote.objects.select_related("track__soundtrack").order_by(
        "track__soundtrack__film_id",
        models.F("cue_start").asc(nulls_last=True),
        "track__disc",
        "track__position",
        "pk",
    )
    orders, slugs, composers = {}, {}, {}
    for note in notes:
        track = note.track
        film_id = track.soundtrack.film_id
        places = note.usage in ("whole", "part") or note.scene or note.cue_start is not None
        if note.usage == "not_used" or not places:
            if note.scene or note.cue_start is not None:
                kept = [f"Scene: {note.scene}." if note.scene else ""]
                if note.cue_start is not None:
                    kept.append(f"Cue at {_time(note.cue_start)}.")
                note.text = "\n\n".join(filter(None, [note.text, " ".join(filter(None, kept))]))
                note.save(update_fields=["text"])
            continue
        orders[film_id] = orders.get(film_id, 0) + 1
        taken = slugs.setdefault(film_id, set())
        base = slugify(track.title)[:90] or "cue"
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        cue = Cue.objects.create(
            uid=note.uid,
            film_id=film_id,
            order=orders[film_id],
            title=track.title,
            slug=slug,
            start=note.cue_start,
            scene=note.scene,
            known_from="article" if note.source_review_id else "",
            created_by_id=note.created_by_id,
            updated_by_id=note.updated_by_id,
        )
        if film_id not in composers:
            composers[film_id] = list(
                Credit.objects.filter(film_id=film_id, role="composer")
                .order_by("billing_order", "pk")
                .values_list("person_id", flat=True)
            )
        cue.composers.set(composers[film_id])
        extent = {"whole": "whole", "part": "part"}.get(note.usage, "")
        CueTrack.objects.create(cue=cue, track=track, extent=extent)


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0008_remove_poster_and_photo_columns"),
        ("soundtracks", "0008_remove_cover_columns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Cue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lock_version", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "order",
                    models.PositiveIntegerField(
                        default=1,
                        help_text="Its place in the film: 1 for the first cue.",
                        verbose_name="film order",
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        blank=True,
                        help_text="As studios write it, e.g. 1M03 (reel 1, music 3). Leave empty if unknown.",
                        max_length=20,
                        verbose_name="cue code",
                    ),
                ),
                ("title", models.CharField(max_length=300)),
                (
                    "slug",
                    models.SlugField(
                        blank=True,
                        help_text="Names the cue in its address and in reviews (cue:film/slug). Empty: made from the cue code or the title.",
                        max_length=100,
                    ),
                ),
                (
                    "start",
                    soundtracks.durations.DurationSecondsField(
                        blank=True,
                        help_text="Where it starts, as m:ss or h:mm:ss. Empty: unknown.",
                        null=True,
                        verbose_name="in",
                    ),
                ),
                (
                    "end",
                    soundtracks.durations.DurationSecondsField(
                        blank=True,
                        help_text="Where it ends, as m:ss or h:mm:ss. Empty: unknown.",
                        null=True,
                        verbose_name="out",
                    ),
                ),
                (
                    "usage",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("main_title", "Main title"),
                            ("end_title", "End title"),
                            ("bi", "Background instrumental"),
                            ("bv", "Background vocal"),
                            ("vi", "Visual (source) instrumental"),
                            ("vv", "Visual (source) vocal"),
                        ],
                        help_text="Empty: not known.",
                        max_length=20,
                    ),
                ),
                (
                    "scene",
                    models.CharField(
                        blank=True,
                        help_text="The scene it plays under, in a few words.",
                        max_length=300,
                    ),
                ),
                (
                    "scene_is_spoiler",
                    models.BooleanField(
                        default=False,
                        help_text="Readers see the scene only when they choose to.",
                        verbose_name="scene is a spoiler",
                    ),
                ),
                (
                    "known_from",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("seen", "Seen in the film"),
                            ("cue_sheet", "A published cue sheet"),
                            ("article", "An article or review"),
                            ("album", "The album's notes"),
                        ],
                        max_length=20,
                        verbose_name="known from",
                    ),
                ),
                (
                    "source_detail",
                    models.CharField(
                        blank=True,
                        help_text="Which cue sheet or article, or a web address. A review is named on the review.",
                        max_length=300,
                        verbose_name="source",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, null=True)),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, null=True, verbose_name="last changed"),
                ),
                (
                    "uid",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, unique=True, verbose_name="identifier"
                    ),
                ),
            ],
            options={
                "ordering": ["film_id", "order", "start", "pk"],
            },
        ),
        migrations.CreateModel(
            name="CueTrack",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lock_version", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "extent",
                    models.CharField(
                        blank=True,
                        choices=[("whole", "Whole"), ("part", "In part"), ("edited", "Edited")],
                        help_text="How much of the track the film plays. Empty: not known.",
                        max_length=10,
                    ),
                ),
            ],
            options={
                "verbose_name": "album track of a cue",
                "ordering": ["cue_id", "track__soundtrack_id", "track__disc", "track__position"],
            },
        ),
        migrations.CreateModel(
            name="Theme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lock_version", models.PositiveIntegerField(default=0, editable=False)),
                ("name", models.CharField(max_length=200)),
                ("slug", models.SlugField(max_length=200, unique=True)),
                ("description", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, null=True)),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, null=True, verbose_name="last changed"),
                ),
                (
                    "uid",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, unique=True, verbose_name="identifier"
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="ThemeAppearance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lock_version", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="The variant or the instrumentation, in a few words.",
                        max_length=300,
                    ),
                ),
            ],
            options={
                "ordering": [
                    "theme_id",
                    "cue__film__release_date",
                    "cue__order",
                    "cue__start",
                    "pk",
                ],
            },
        ),
        migrations.AddField(
            model_name="cue",
            name="composers",
            field=models.ManyToManyField(
                blank=True,
                help_text="Who wrote it. Empty on a new cue: the film's composers.",
                related_name="cues_composed",
                to="films.person",
            ),
        ),
        migrations.AddField(
            model_name="cue",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who added the cue.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="cue",
            name="film",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="cues", to="films.film"
            ),
        ),
        migrations.AddField(
            model_name="cue",
            name="performers",
            field=models.ManyToManyField(
                blank=True,
                help_text="Who performs it, when not the composers (a song's artist).",
                related_name="cues_performed",
                to="films.person",
            ),
        ),
        migrations.AddField(
            model_name="cue",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last changed by",
            ),
        ),
        migrations.AddField(
            model_name="cuetrack",
            name="cue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="track_links",
                to="soundtracks.cue",
            ),
        ),
        migrations.AddField(
            model_name="cuetrack",
            name="track",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cue_links",
                to="soundtracks.track",
            ),
        ),
        migrations.AddField(
            model_name="cue",
            name="tracks",
            field=models.ManyToManyField(
                blank=True,
                related_name="cues",
                through="soundtracks.CueTrack",
                to="soundtracks.track",
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who added the theme.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="film",
            field=models.ForeignKey(
                blank=True,
                help_text="The film it belongs to; or a franchise, for a theme across its films.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="themes",
                to="films.film",
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="franchise",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="themes",
                to="films.franchise",
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last changed by",
            ),
        ),
        migrations.AddField(
            model_name="themeappearance",
            name="cue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="theme_appearances",
                to="soundtracks.cue",
            ),
        ),
        migrations.AddField(
            model_name="themeappearance",
            name="theme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="appearances",
                to="soundtracks.theme",
            ),
        ),
        migrations.AddConstraint(
            model_name="cuetrack",
            constraint=models.UniqueConstraint(
                fields=("cue", "track"),
                name="cuetrack_unique",
                violation_error_message="This cue is already linked to that track.",
            ),
        ),
        migrations.AddIndex(
            model_name="cue",
            index=models.Index(fields=["film", "order", "start"], name="cue_film_order_idx"),
        ),
        migrations.AddConstraint(
            model_name="cue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("film", "code"),
                name="cue_unique_code_per_film",
                violation_error_message="Another cue of this film has this cue code.",
            ),
        ),
        migrations.AddConstraint(
            model_name="cue",
            constraint=models.UniqueConstraint(
                fields=("film", "slug"),
                name="cue_unique_slug_per_film",
                violation_error_message="Another cue of this film has this slug.",
            ),
        ),
        migrations.AddConstraint(
            model_name="cue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start__isnull", True),
                    ("end__isnull", True),
                    ("end__gt", models.F("start")),
                    _connector="OR",
                ),
                name="cue_ends_after_it_starts",
                violation_error_message="A cue must end after it starts.",
            ),
        ),
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("film__isnull", True), ("franchise__isnull", False)),
                    models.Q(("film__isnull", False), ("franchise__isnull", True)),
                    _connector="OR",
                ),
                name="theme_of_a_film_or_a_franchise",
                violation_error_message="A theme belongs to a film or to a franchise, one of them.",
            ),
        ),
        migrations.AddConstraint(
            model_name="themeappearance",
            constraint=models.UniqueConstraint(
                fields=("theme", "cue"),
                name="themeappearance_unique",
                violation_error_message="The theme already appears in this cue.",
            ),
        ),
        migrations.RunPython(notes_to_cues, migrations.RunPython.noop),
    ]
