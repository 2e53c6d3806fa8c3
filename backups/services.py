"""Backing up the whole site into one archive and restoring it into an empty database.

See ``backups.archive`` for the format, ``backups.database`` for which rows travel and how,
``backups.media`` for the files.
"""

import io
import tempfile
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DEFAULT_DB_ALIAS, connection, transaction

from backups import database, media
from backups.archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_FOLDER,
    BackupError,
    check_target,
    database_member,
    manifest_bytes,
    media_member,
    read_archive,
    write_archive,
)
from pagecache import keys as page_keys


@dataclass(frozen=True)
class Summary:
    rows: int
    models: int
    media_files: int
    media_bytes: int


def create_backup(path):
    """Write the database's rows and the default storage's files to a new archive at ``path``."""
    check_target(path)
    _refuse_inside_media(path)
    database.check_fully_migrated()
    with ExitStack() as spooled:
        # The rows wait in unnamed temporary files beside the archive (on the disk chosen for
        # backups, not in a small /tmp), which vanish however the backup ends.
        folder = Path(path).parent

        def spool():
            return spooled.enter_context(tempfile.TemporaryFile(dir=folder))

        # One consistent view of every table while editors save: PostgreSQL reads each
        # statement at its own moment otherwise (SQLite holds one snapshot per transaction).
        # Inside a caller's transaction (a test's), the caller's view is the one read.
        starts_transaction = not connection.in_atomic_block
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            if connection.vendor == "postgresql" and starts_transaction:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            migrations = database.applied_migrations()
            tables = database.dump_models(spool)
        files = []
        for name in media.media_names(default_storage):
            try:
                size, sha256 = media.digest(default_storage, name)
            except FileNotFoundError:
                continue  # Deleted since it was listed: no longer part of the site.
            files.append((name, size, sha256))
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "migrations": migrations,
            "database": [
                {
                    "model": table.model._meta.label_lower,
                    "rows": table.rows,
                    "size": table.size,
                    "sha256": table.sha256,
                }
                for table in tables
            ],
            "media": [{"name": name, "size": size, "sha256": sha} for name, size, sha in files],
        }
        with write_archive(path) as archive:
            archive.add_bytes(MANIFEST_NAME, manifest_bytes(manifest))
            for table in tables:
                member = database_member(table.model._meta.label_lower)
                archive.add_stream(member, table.file, table.size, table.sha256)
            for name, size, sha256 in files:
                try:
                    with default_storage.open(name, "rb") as file:
                        archive.add_stream(media_member(name), file, size, sha256)
                except FileNotFoundError as error:
                    raise BackupError(
                        f"{name} was deleted while the backup ran; run it again."
                    ) from error
    return Summary(
        rows=sum(table.rows for table in tables),
        models=len(tables),
        media_files=len(files),
        media_bytes=sum(size for _, size, _ in files),
    )


def restore_backup(path, *, replace_existing=False):
    """Restore the archive at ``path``: its rows in one transaction, then its media files.

    Everything is checked before anything is written: the archive from end to end (names,
    sizes, checksums), its schema against this database's, that the database is empty (or
    ``replace_existing``), and that no different media file sits where one would go. If a row
    or a file then fails, the transaction is rolled back and the files written are deleted.
    """
    with read_archive(path) as (checked, members):
        database.check_migrations_match(checked["migrations"])
        loader = database.RowLoader([item["model"] for item in checked["database"]])
        if not replace_existing:
            _refuse_content()
        media_entries = [
            (entry.name.removeprefix(MEDIA_FOLDER), entry)
            for entry in _read_through(members)
            if entry.name.startswith(MEDIA_FOLDER)
        ]
        identical = media.check_existing(default_storage, media_entries)

    written = []
    try:
        with read_archive(path) as (manifest, members), transaction.atomic():
            if manifest != checked:
                raise BackupError(f"{path} changed while it was being restored.")
            if not replace_existing:
                _refuse_content()  # again, now inside the transaction
            _clear(loader.models, replace_existing)
            models = iter(loader.models)
            finished = False
            for entry, stream in members():
                if not entry.name.startswith(MEDIA_FOLDER):
                    loader.load(next(models), io.BufferedReader(stream), entry)
                    continue
                if not finished:
                    loader.finish()
                    finished = True
                name = entry.name.removeprefix(MEDIA_FOLDER)
                if name not in identical:
                    written.append(name)
                    media.save(default_storage, name, stream)
            if not finished:
                loader.finish()
    except BaseException:
        # The rows are rolled back; the files, which no transaction covers, are deleted.
        for name in written:
            with suppress(OSError):  # a file that cannot go must not hide why the restore failed
                default_storage.delete(name)
        raise
    page_keys.purge_all()
    return Summary(
        rows=sum(item["rows"] for item in manifest["database"]),
        models=len(manifest["database"]),
        media_files=len(manifest["media"]),
        media_bytes=sum(item["size"] for item in manifest["media"]),
    )


def _refuse_inside_media(path):
    """A backup kept among the media would be carried by the next one, and the next."""
    if not isinstance(default_storage, FileSystemStorage):
        return  # Media in a bucket: a backup on disk is never among them.
    location = Path(default_storage.location).resolve()
    if Path(path).resolve().is_relative_to(location):
        raise BackupError(f"{path} is inside the media folder {location}: write backups elsewhere.")


def _refuse_content():
    if content := database.holds_content():
        held = ", ".join(f"{count} {label}" for label, count in sorted(content.items())[:5])
        more = ", …" if len(content) > 5 else ""
        raise BackupError(
            f"This database already holds content ({held}{more}). A restore goes into an "
            "empty, migrated database; to delete everything here first, pass "
            "--replace-existing."
        )


def _read_through(members):
    """Read the whole archive, verifying every member; yield each member's entry."""
    for entry, stream in members():
        stream.drain()
        yield entry


def _clear(models, replace_existing):
    """Make room for the archive's rows (the database was checked to hold no content)."""
    if replace_existing:
        database.delete_rows(database.carried_models())
    else:
        seeded = [m for m in models if m._meta.label_lower in database.MADE_BY_MIGRATIONS]
        database.delete_rows(seeded)
    # Sessions name users by primary key: after a restore they would name other people.
    if apps.is_installed("django.contrib.sessions"):
        database.delete_rows([apps.get_model("sessions", "Session")])
