from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from backups.archive import BackupError
from backups.services import create_backup


class Command(BaseCommand):
    help = (
        "Write the whole site to one new .tar.gz archive: every user, group, review, film, "
        "album, revision and admin log entry, and every media file (images and renditions). "
        "Restore it with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="The archive to write, e.g. cuesheet-2026-12-02.tar.gz; must not exist."
        )

    def handle(self, *args, path, **options):
        try:
            summary = create_backup(path)
        except (BackupError, OSError) as error:  # OSError: a full disk, a storage that failed
            raise CommandError(f"No backup written: {error}") from error
        size = filesizeformat(Path(path).stat().st_size)
        self.stdout.write(
            f"Wrote {path} ({size}): {summary.rows} rows of {summary.models} models and "
            f"{summary.media_files} media files ({filesizeformat(summary.media_bytes)})."
        )
