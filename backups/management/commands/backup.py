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
        except BackupError as error:
            raise CommandError(f"No backup written: {error}") from error
        except OSError as error:
            raise CommandError(f"No backup written: {error}") from error
        self.stdout.write(
            f"Wrote {path}: {summary.rows} rows of {summary.models} models and "
            f"{summary.media_files} media files ({filesizeformat(summary.media_bytes)})."
        )
