"""The backup archive: one deterministic .tar.gz, written atomically, read defensively.

Format version 1, members in this order and nothing else:

- ``manifest.json``: the format and its version, the applied migrations of every installed
  app, and for every other member its size and SHA-256 (database members also their row count).
- ``db/<app_label>.<model_name>.jsonl``: one model's rows, one JSON object per line, in primary
  key order (see ``backups.database``).
- ``media/<name>``: one file of the default storage, by its storage name, sorted by name.

Every tar header has mtime 0, owner 0:0, no user or group names and mode 0644, and the gzip
header has no file name and mtime 0, so the same site always gives the same bytes.

Reading trusts nothing: a member must be a regular file, named and sized as the manifest says,
in the manifest's order, with the manifest's checksum; the decompressed stream may not run
longer than the manifest accounts for (a gzip bomb or appended data stops as soon as it does).

Why one file of about 430 lines: it is one format, and the writer, the reader and the manifest's
validation share its constants, its member names and its size accounting; a reader checked
against a writer in another file is how formats drift. Its three sections are marked below.
"""

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import zlib
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.utils import validate_file_name

FORMAT = "cuesheet-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_FOLDER = "db/"
MEDIA_FOLDER = "media/"
# Ample for a manifest listing a few hundred thousand media files.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# What a tar member may take besides its content: a header, a pax header for a long or
# non-ASCII name, padding to the block; and the end-of-archive blocks and record padding.
_MEMBER_OVERHEAD = 4 * 1024
_ARCHIVE_OVERHEAD = 2 * tarfile.RECORDSIZE
CHUNK_SIZE = 256 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MODEL_LABEL = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


@dataclass(frozen=True)
class Entry:
    """A member the manifest declares: its name in the archive, size and checksum."""

    name: str
    size: int
    sha256: str
    rows: int | None = None  # database members only


def database_member(label):
    return f"{DATABASE_FOLDER}{label}.jsonl"


def media_member(name):
    return f"{MEDIA_FOLDER}{name}"


# Writing --------------------------------------------------------------------------------------


def _tar_info(name, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


class ArchiveWriter:
    """Adds members to an open tar stream; ``add_stream`` copies in chunks and checks the hash."""

    def __init__(self, tar):
        self._tar = tar

    def add_bytes(self, name, data):
        self._tar.addfile(_tar_info(name, len(data)), io.BytesIO(data))

    def add_stream(self, name, stream, size, sha256):
        """Copy ``size`` bytes of ``stream``; fail if they are not the bytes hashed earlier."""
        reader = HashingReader(stream, size)
        try:
            self._tar.addfile(_tar_info(name, size), reader)
        except OSError as error:  # tarfile's "unexpected end of data": the file shrank
            raise BackupError(f"{name} changed while the backup ran: {error}") from error
        if stream.read(1) or reader.hexdigest() != sha256:
            raise BackupError(f"{name} changed while the backup ran; run the backup again.")


def check_target(path):
    """Refuse a name that is taken or a folder that does not exist, before any work is done."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise BackupError(f"{path} already exists: choose a new name for the backup.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder: create it first.")
    return path


@contextmanager
def write_archive(path):
    """Yield an ``ArchiveWriter`` for a new archive at ``path``, which appears only when complete.

    The archive is written to a temporary file beside ``path`` (readable by its owner only: it
    holds password hashes and drafts) and linked to ``path`` once flushed to disk, so a backup
    that fails leaves nothing under the real name, and an existing file is never replaced.
    """
    path = check_target(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz,
                tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar,
            ):
                yield ArchiveWriter(tar)
            raw.flush()
            os.fsync(raw.fileno())
        _publish(temporary, path)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)


def _publish(temporary, path):
    """Give the finished archive its name, never taking the place of a file that has it."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise BackupError(f"{path} appeared while the backup ran: choose a new name.") from None
    except OSError:
        # A filesystem without hard links (some network shares): check, then rename.
        if path.exists():
            raise BackupError(f"{path} appeared while the backup ran: choose a new name.") from None
        os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the new name survives a crash, not only the bytes
    finally:
        os.close(folder)


def manifest_bytes(manifest):
    return (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


# Reading --------------------------------------------------------------------------------------


class HashingReader(io.RawIOBase):
    """Reads at most ``size`` bytes of ``stream``, hashing them; ``expected`` is checked at the end.

    Only a rewind to the start before anything is read is allowed (storages ask for one).
    """

    def __init__(self, stream, size, expected=None, name=""):
        self._stream = stream
        self._left = size
        self._size = size
        self._hash = hashlib.sha256()
        self._expected = expected
        self.name = name

    def readable(self):
        return True

    def seekable(self):
        return False

    def seek(self, offset, whence=os.SEEK_SET):
        if offset == 0 and whence == os.SEEK_SET and self._left == self._size:
            return 0
        raise io.UnsupportedOperation("seek")

    def tell(self):
        return self._size - self._left

    def readinto(self, buffer):
        if not self._left:
            self._check()
            return 0
        with _reading():
            data = self._stream.read(min(len(buffer), self._left, CHUNK_SIZE))
        if not data:
            raise BackupError(f"{self.name or 'A file'} ends before its declared size.")
        self._hash.update(data)
        self._left -= len(data)
        buffer[: len(data)] = data
        if not self._left:
            self._check()
        return len(data)

    def _check(self):
        if self._expected is not None and self._hash.hexdigest() != self._expected:
            raise BackupError(
                f"{self.name} does not match its checksum in the manifest: the archive is corrupt."
            )

    def hexdigest(self):
        return self._hash.hexdigest()

    def drain(self):
        while self.read(CHUNK_SIZE):
            pass


class _LimitedReader(io.RawIOBase):
    """The decompressed stream, refusing to yield more than ``limit`` bytes in all."""

    def __init__(self, stream, limit):
        self._stream = stream
        self.limit = limit
        self.consumed = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        with _reading():
            data = self._stream.read(min(len(buffer), CHUNK_SIZE))
        self.consumed += len(data)
        if self.consumed > self.limit:
            raise BackupError(
                "The archive holds more data than its manifest declares: it was not made by "
                "manage.py backup, or was altered since."
            )
        buffer[: len(data)] = data
        return len(data)


def check_path(path):
    """Refuse, with a readable message, what is plainly not a backup archive."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist.")
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not a backup archive.")
    if not path.is_file():
        raise BackupError(f"{path} is not a regular file.")
    with path.open("rb") as file:
        start = file.read(2)
    if not start:
        raise BackupError(f"{path} is empty.")
    if start != _GZIP_MAGIC:
        raise BackupError(f"{path} is not a .tar.gz archive made by manage.py backup.")


@contextmanager
def read_archive(path):
    """Yield ``(manifest, members)``; ``members()`` yields ``(entry, stream)`` in archive order.

    Each stream reads exactly the member's declared bytes and raises ``BackupError`` at its end
    if they do not match the manifest's checksum; a member the caller does not read is read
    (and checked) on the way to the next one. After the last, the end of the archive is checked.
    """
    check_path(path)
    with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
        limited = _LimitedReader(gz, MAX_MANIFEST_BYTES + _MEMBER_OVERHEAD)
        # Opening reads the first header, which may be damaged; the `with` below closes it.
        with _reading():
            tar = tarfile.open(fileobj=io.BufferedReader(limited), mode="r|")  # noqa: SIM115
        with tar:
            manifest, entries = _read_manifest(tar)
            limited.limit = limited.consumed + _declared_total(entries)
            yield manifest, lambda: _members(tar, limited, entries)


@contextmanager
def _reading():
    """Turn what a damaged archive makes gzip and tarfile raise into a ``BackupError``."""
    try:
        yield
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(
            f"The archive is truncated or corrupt ({error or type(error).__name__})."
        ) from error


def _declared_total(entries):
    """How many more bytes the members after the manifest may take, padding included."""
    content = sum(entry.size for entry in entries)
    return content + _MEMBER_OVERHEAD * len(entries) + _ARCHIVE_OVERHEAD


def _next_member(tar, expected):
    with _reading():
        member = tar.next()
    if member is None:
        raise BackupError(f"The archive ends before {expected}: it is truncated.")
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        raise BackupError(
            f"The archive holds {member.name!r}, which is not a plain file (a link, a folder "
            "or a device): it was not made by manage.py backup."
        )
    if member.name != expected:
        raise BackupError(
            f"The archive holds {member.name!r} where its manifest says {expected!r}: it was "
            "not made by manage.py backup, or was altered since."
        )
    return member


def _read_manifest(tar):
    member = _next_member(tar, MANIFEST_NAME)
    if member.size > MAX_MANIFEST_BYTES:
        raise BackupError("The archive's manifest is too large to be a manifest.")
    with _reading():
        data = tar.extractfile(member).read()
    try:
        manifest = json.loads(data.decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"The archive's manifest is not valid JSON: {error}.") from error
    return manifest, validate_manifest(manifest)


def _members(tar, limited, entries):
    for entry in entries:
        member = _next_member(tar, entry.name)
        if member.size != entry.size:
            raise BackupError(
                f"{entry.name} is {member.size} bytes in the archive, but the manifest declares "
                f"{entry.size}: the archive was altered."
            )
        stream = HashingReader(tar.extractfile(member), entry.size, entry.sha256, entry.name)
        yield entry, stream
        stream.drain()
    with _reading():
        extra = tar.next()
    if extra is not None:
        raise BackupError(
            f"The archive holds {extra.name!r}, which its manifest does not list: it was not "
            "made by manage.py backup, or was altered since."
        )
    # The rest is padding; reading it to the end also checks the gzip trailer (CRC, length).
    while limited.read(CHUNK_SIZE):
        pass


# The manifest ---------------------------------------------------------------------------------


def validate_manifest(manifest):
    """Check the manifest's shape; return the entries of the members that follow it, in order."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Cuesheet backup (its manifest names no such format).")
    version = manifest.get("version")
    if version != FORMAT_VERSION or type(version) is not int:
        raise BackupError(
            f"This backup is in format version {version!r}; this Cuesheet reads version "
            f"{FORMAT_VERSION}. Restore it with the Cuesheet release that made it."
        )
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict) or not all(
        isinstance(app, str) and isinstance(names, list) and all(isinstance(n, str) for n in names)
        for app, names in migrations.items()
    ):
        raise _malformed("migrations must map each app to a list of migration names")
    database = _list_of_dicts(manifest, "database", {"model", "rows", "size", "sha256"})
    media = _list_of_dicts(manifest, "media", {"name", "size", "sha256"})
    entries = []
    for item in database:
        label = item["model"]
        if not isinstance(label, str) or not _MODEL_LABEL.fullmatch(label):
            raise _malformed(f"{label!r} is not a model label")
        entries.append(_entry(database_member(label), item, rows=_count(item, "rows")))
    for item in media:
        entries.append(_entry(media_member(validate_media_name(item["name"])), item))
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        raise _malformed("a member is listed twice")
    return entries


def _list_of_dicts(manifest, key, keys):
    items = manifest.get(key)
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and set(item) == keys for item in items
    ):
        raise _malformed(f"{key} must be a list of objects with {', '.join(sorted(keys))}")
    return items


def _entry(name, item, rows=None):
    sha256 = item["sha256"]
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise _malformed(f"the checksum of {name} is not a SHA-256")
    return Entry(name=name, size=_count(item, "size"), sha256=sha256, rows=rows)


def _count(item, key):
    value = item[key]
    if type(value) is not int or value < 0:
        raise _malformed(f"{key} must be a whole number, not {value!r}")
    return value


def _malformed(detail):
    return BackupError(f"The archive's manifest is malformed: {detail}.")


def validate_media_name(name):
    """A storage name that stays inside the storage: relative, no ``..``, nothing odd."""
    if (
        not isinstance(name, str)
        or not name
        or len(name) > 1024
        or name.startswith("/")
        or "\\" in name
        or any(ord(character) < 32 or ord(character) == 127 for character in name)
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"The manifest names a media file {name!r} outside the media storage.")
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousFileOperation as error:
        raise BackupError(f"The manifest names an unsafe media file {name!r}.") from error
    return name
