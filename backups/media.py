"""The media a backup carries: every file of the default storage (MEDIA_ROOT or the bucket).

Files are read and written in chunks through the storage API, so memory stays flat whatever
their size, and the same code serves the local folder and S3-compatible storage.
"""

import hashlib

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File

from backups.archive import CHUNK_SIZE, BackupError


def media_names(storage):
    """Every file name in ``storage``, sorted: originals, renditions, anything else there."""
    names = []
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue  # No media folder yet: no media.
        prefix = f"{folder}/" if folder else ""
        names += [f"{prefix}{name}" for name in files]
        folders += [f"{prefix}{name}" for name in subfolders]
    return sorted(names)


def digest(storage, name):
    """``(size, sha256)`` of a stored file, read in chunks."""
    sha256 = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as file:
        while chunk := file.read(CHUNK_SIZE):
            sha256.update(chunk)
            size += len(chunk)
    return size, sha256.hexdigest()


def check_existing(storage, entries):
    """Which media files are already stored as they are in the archive; refuse different ones."""
    identical = set()
    for name, entry in entries:
        try:
            exists = storage.exists(name)
        except SuspiciousFileOperation as error:
            raise BackupError(f"The manifest names an unsafe media file {name!r}.") from error
        if not exists:
            continue
        if digest(storage, name) != (entry.size, entry.sha256):
            raise BackupError(
                f"The media storage already holds a different {name}; a restore never replaces "
                "a file. Move it away (or restore into an empty media folder), then restore."
            )
        identical.add(name)
    return identical


def save(storage, name, stream):
    """Store ``stream`` as ``name``, exactly that name, reading it in chunks."""
    saved = storage.save(name, File(stream, name=name))
    if saved != name:
        storage.delete(saved)
        raise BackupError(f"{name} appeared in the media storage while the restore ran.")
