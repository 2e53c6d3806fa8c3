"""Generate a large, deterministic publication for benchmarks and scale tests.

The command only reads its options and runs the steps in order; what it makes and how is in the
demo.generate package (see its docstring).
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction

from demo.generate import PREFIX
from demo.generate.progress import Progress
from demo.generate.publication import DEFAULT_SEED, DEFAULTS, Publication, plan_counts
from demo.generate.rendering import render_bodies
from demo.generate.writing import Writer, delete_generated, generated_counts, write
from pagecache.keys import purge_all
from reviews.models import Review


class Command(BaseCommand):
    help = (
        "Generate a large, deterministic publication (10,000 reviews, 2,000 films, 1,500 albums "
        "by default) for benchmarks. Slugs start with 'gen-'; --replace regenerates it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply the default sizes, e.g. 0.01 for 100 reviews, 20 films, 15 albums.",
        )
        parser.add_argument("--reviews", type=int, help=f"Reviews (default {DEFAULTS['reviews']}).")
        parser.add_argument("--films", type=int, help=f"Films (default {DEFAULTS['films']}).")
        parser.add_argument("--albums", type=int, help=f"Albums (default {DEFAULTS['albums']}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="The RNG seed.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete previously generated content first (nothing else is touched).",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per INSERT.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(os.cpu_count() or 1, 8),
            help="Processes rendering review bodies (default: one per CPU).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        counts = plan_counts(
            options["scale"], options["reviews"], options["films"], options["albums"]
        )
        if min(counts.values()) < 0 or counts["films"] < 1:
            raise CommandError("Sizes must not be negative, and there must be at least one film.")
        if counts["albums"] < 1 and counts["reviews"] > 0:
            raise CommandError("Reviews are about albums: generate at least one album.")
        progress = Progress(self.stderr, enabled=not options["no_progress"])
        database = router.db_for_write(Review)
        started = time.monotonic()

        with connections[database].cursor():
            pass  # Fail early and clearly if the database is unreachable.
        existing = generated_counts()
        if any(existing.values()):
            if not options["replace"]:
                raise CommandError(
                    f"Generated content already exists ({existing['reviews']} reviews, "
                    f"{existing['films']} films with slugs starting '{PREFIX}'). "
                    "Run with --replace to delete it and generate again."
                )
            with transaction.atomic(using=database):
                delete_generated(progress)

        publication = Publication(counts, options["seed"])
        progress.start("planning", 1)
        publication.build()
        progress.finish()
        render_bodies(publication, options["jobs"], progress)
        publication.build_notes()

        with transaction.atomic(using=database):
            write(publication, Writer(progress, options["batch_size"]))
        # Fresh planner statistics for the rows just added. SQLite has none until ANALYZE runs
        # and then walks the whole (status, publish_at) index for, say, an album's citing
        # reviews; PostgreSQL would catch up by itself, later.
        progress.start("analyzing", 1)
        with connections[database].cursor() as cursor:
            cursor.execute("ANALYZE")
        progress.finish()
        # bulk_create sends no signals: tell the page caches every page is stale.
        purge_all(using=database)

        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(publication.reviews)} reviews, {len(publication.films)} films "
                f"({len(publication.credits)} credits), {len(publication.albums)} albums "
                f"({len(publication.tracks)} tracks, {len(publication.notes)} notes), "
                f"{len(publication.cues)} cues ({len(publication.cue_tracks)} album links), "
                f"{len(publication.themes)} themes ({len(publication.appearances)} appearances), "
                f"{len(publication.people)} people, {len(publication.franchises)} franchises "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
