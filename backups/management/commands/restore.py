from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from backups.archive import BackupError
from backups.services import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by manage.py backup into this empty, migrated database and "
        "its media storage. Refuses a database that already holds content."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive, as manage.py backup wrote it.")
        parser.add_argument(
            "--replace-existing",
            action="store_true",
            help="Delete every user, group, revision and content row in this database first. "
            "Media files already stored stay; a different file under an archived name still "
            "stops the restore.",
        )

    def handle(self, *args, path, replace_existing, **options):
        try:
            summary = restore_backup(path, replace_existing=replace_existing)
        except (BackupError, OSError) as error:  # OSError: a full disk, a storage that failed
            raise CommandError(f"Nothing restored: {error}") from error
        self.stdout.write(
            f"Restored {path}: {summary.rows} rows of {summary.models} models and "
            f"{summary.media_files} media files ({filesizeformat(summary.media_bytes)}). "
            "Everyone signs in again."
        )
