"""manage.py restore refuses a damaged, hostile or partial archive, and writes nothing.

Every case starts from a small site's archive (``site_archive``), changes it one way, and checks
that the database and the media folder are as they were.
"""

import gzip
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from backups import database
from backups.tests.commands import backup, media_files, restore
from backups.tests.tampering import (
    add_member,
    bump_format,
    edit_manifest,
    first_line_with,
    from_the_future,
    from_the_past,
    grow_member,
    list_media_as,
    read_members,
    regular,
    rename_media,
    replace_member,
    rewrite,
    special,
    swap_media,
    write_members,
)
from editorial.tests.factories import EditorFactory
from films.models import Film
from films.tests.factories import FilmFactory
from soundtracks.tests.factories import TrackNoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


# A small site for the refusals: one user, one film, one media file ------------------------------


@pytest.fixture
def site_archive(db, settings, tmp_path):
    """An archive of a small site, and the emptied (freshly migrated) database to restore into."""
    settings.MEDIA_ROOT = tmp_path / "old-media"
    before = transaction.savepoint_create()
    user = EditorFactory(username="eddie")
    with reversion.create_revision():
        reversion.set_user(user)
        TrackNoteFactory(track__soundtrack__film__slug="tron", author=user)
    default_storage.save("posters/poster.png", ContentFile(b"\x89PNG not really" * 100))
    default_storage.save("notes/readme.txt", ContentFile(b"hello"))
    path = tmp_path / "site.tar.gz"
    backup(path)
    transaction.savepoint_rollback(before)
    ContentType.objects.clear_cache()
    settings.MEDIA_ROOT = tmp_path / "media"
    return path


def assert_nothing_restored(settings, media=()):
    assert database.holds_content() == {}
    assert not get_user_model().objects.exists()
    assert set(Group.objects.values_list("name", flat=True)) == {"Writers", "Editors"}
    assert media_files(settings.MEDIA_ROOT) == list(media)


HOSTILE = {
    "corrupted JSON row": (
        replace_member("db/films.film.jsonl", lambda d: b'{"id": 1,' + d),
        "not valid JSON",
    ),
    "a row that is not an object": (
        replace_member("db/films.film.jsonl", lambda d: b"[1, 2]\n"),
        "not a JSON object|holds 1 rows",
    ),
    "a row missing a field": (
        replace_member("db/films.film.jsonl", lambda d: b'{"id": 1}\n'),
        "does not match the model",
    ),
    "an impossible date": (
        replace_member("db/films.film.jsonl", first_line_with("release_date", "the 32nd")),
        "impossible value",
    ),
    "a row pointing at a missing user": (
        replace_member("db/reversion.revision.jsonl", first_line_with("user", 987654)),
        "do not fit together",
    ),
    "a content type that does not exist": (
        replace_member(
            "db/reversion.version.jsonl", first_line_with("content_type", ["nope", "nothing"])
        ),
        "not a content type",
    ),
    "a link to an impossible id": (
        replace_member("db/auth.user.jsonl", first_line_with("groups", ["not-an-id"])),
        "groups has an impossible value",
    ),
    "links that are not a list": (
        replace_member("db/auth.user.jsonl", first_line_with("groups", "Editors")),
        "many-to-many field is not a list",
    ),
    "a permission that does not exist": (
        replace_member("db/auth.group.jsonl", first_line_with("permissions", [["fly", "a", "b"]])),
        "not a permission of this database",
    ),
    "a primary key that is not a number": (
        replace_member("db/films.film.jsonl", first_line_with("id", {"pk": 1})),
        "id has an impossible value",
    ),
    "more rows than declared": (
        edit_manifest(
            lambda m: next(i for i in m["database"] if i["model"] == "films.film").update(rows=5)
        ),
        "holds 1 rows; the manifest says 5",
    ),
    "another format version": (
        edit_manifest(bump_format),
        "format version 2; this Cuesheet reads version 1",
    ),
    "not a Cuesheet manifest": (edit_manifest(lambda m: m.pop("format")), "not a Cuesheet backup"),
    "a malformed manifest": (
        edit_manifest(lambda m: m.update(media="all of it")),
        "manifest is malformed",
    ),
    "a negative size": (edit_manifest(lambda m: m["media"][0].update(size=-1)), "whole number"),
    "an unknown model": (
        edit_manifest(
            lambda m: m["database"].append(
                {"model": "films.nothing", "rows": 0, "size": 0, "sha256": "0" * 64}
            )
        ),
        "does not carry|ends before",
    ),
    "a newer schema": (
        edit_manifest(from_the_future),
        "newer Cuesheet.*films.9999_from_the_future",
    ),
    "an older schema": (edit_manifest(from_the_past), "made before migrations this database has"),
    "../ in a media name": (list_media_as("../../etc/passwd"), "outside the media storage"),
    "an absolute media name": (list_media_as("/etc/passwd"), "outside the media storage"),
    "a backslash media name": (list_media_as("..\\..\\win.ini"), "outside the media storage"),
    "a NUL in a media name": (list_media_as("posters/a\x00.png"), "outside the media storage"),
    "an empty media name": (list_media_as(""), "outside the media storage"),
    "a traversal member": (
        add_member(*regular("../../etc/passwd", b"root:x:0:0")),
        "does not list|where its manifest says",
    ),
    "an absolute member": (
        add_member(*regular("/etc/passwd", b"root:x:0:0"), at=0),
        "where its manifest says",
    ),
    "a symlink member": (
        add_member(special("media/link", tarfile.SYMTYPE, "/etc/passwd"), at=0),
        "not a plain file",
    ),
    "a hardlink member": (
        add_member(special("media/link", tarfile.LNKTYPE, "/etc/passwd"), at=0),
        "not a plain file",
    ),
    "a device member": (
        add_member(special("media/tty", tarfile.CHRTYPE), at=0),
        "not a plain file",
    ),
    "a folder member": (
        add_member(special("media/posters", tarfile.DIRTYPE), at=0),
        "not a plain file",
    ),
    "a fifo member": (
        add_member(special("media/fifo", tarfile.FIFOTYPE), at=0),
        "not a plain file",
    ),
    "media out of order": (swap_media, "where its manifest says"),
    "media somewhere else": (rename_media, "where its manifest says"),
    "an extra member at the end": (
        add_member(*regular("media/zzz.txt", b"surprise")),
        "does not list",
    ),
    "a member far larger than declared": (
        "grow",
        "bytes in the archive, but the manifest declares",
    ),
    "a member altered after the manifest": ("tamper", "does not match its checksum"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_restore_refuses_a_hostile_or_damaged_archive_and_writes_nothing(
    case, site_archive, settings
):
    change, message = HOSTILE[case]
    if change == "grow":
        rewrite(site_archive, grow_member, fix_manifest=False)
    elif change == "tamper":
        rewrite(
            site_archive,
            replace_member("media/notes/readme.txt", lambda d: b"HELLO"),
            fix_manifest=False,
        )
    else:
        rewrite(site_archive, change)
    with pytest.raises(CommandError, match=f"Nothing restored: .*({message})"):
        restore(site_archive)
    assert_nothing_restored(settings)


def truncate(fraction):
    def cut(path):
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return cut


def appended_data(path):
    # A valid archive followed, inside the gzip stream, by 20 MB of zeros (20 kB compressed).
    members = read_members(path)
    write_members(path, members, trailer=b"\0" * 20_000_000)


BROKEN_FILES = {
    "missing": (lambda path: path.unlink(), "does not exist"),
    "a folder": (lambda path: (path.unlink(), path.mkdir()), "is a folder"),
    "empty": (lambda path: path.write_bytes(b""), "is empty"),
    "not an archive": (lambda path: path.write_text("id,title\n1,Tron\n"), "not a .tar.gz archive"),
    "gzip, not tar": (
        lambda path: path.write_bytes(gzip.compress(b"just text" * 100)),
        "truncated or corrupt",
    ),
    "a tar of something else": (
        lambda path: write_members(path, [regular("notes.txt", b"hi")]),
        "where its manifest says",
    ),
    "truncated at 5%": (truncate(0.05), "truncated|ends before"),
    "truncated at half": (truncate(0.5), "truncated|ends before"),
    "truncated near the end": (truncate(0.995), "truncated|ends before"),
    "garbage after the gzip stream": (
        lambda path: path.write_bytes(path.read_bytes() + b"garbage!"),
        "truncated or corrupt",
    ),
    "much more data than declared": (appended_data, "more data than its manifest declares"),
}


@pytest.mark.parametrize("where", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97, 0.999])
def test_restore_refuses_an_archive_with_any_byte_flipped(where, site_archive, settings):
    data = bytearray(site_archive.read_bytes())
    data[int(len(data) * where)] ^= 0xFF
    site_archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="Nothing restored: "):
        restore(site_archive)
    assert_nothing_restored(settings)


@pytest.mark.parametrize("case", BROKEN_FILES, ids=list(BROKEN_FILES))
def test_restore_refuses_what_is_not_a_whole_backup(case, site_archive, settings):
    damage, message = BROKEN_FILES[case]
    damage(site_archive)
    with pytest.raises(CommandError, match=f"Nothing restored: .*({message})"):
        restore(site_archive)
    assert_nothing_restored(settings)


def test_restore_refuses_a_database_with_content_and_replaces_it_only_when_told(
    site_archive, settings, tmp_path
):
    FilmFactory(title="An editor's film", slug="an-editors-film")
    with pytest.raises(
        CommandError, match="already holds content .*1 films.Film.*--replace-existing"
    ):
        restore(site_archive)
    assert list(Film.objects.values_list("slug", flat=True)) == ["an-editors-film"]
    assert media_files(settings.MEDIA_ROOT) == []

    restore(site_archive, replace_existing=True)
    assert list(Film.objects.values_list("slug", flat=True)) == ["tron"]
    assert backup(tmp_path / "again.tar.gz") == site_archive.read_bytes()


def test_a_restore_is_seen_at_once_through_the_page_cache(site_archive, settings, client):
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    FilmFactory(title="A film about to go", slug="a-film-about-to-go")
    assert "A film about to go" in client.get("/films/").content.decode()
    # Between the two requests only the restore writes, and it sends no signals.
    restore(site_archive, replace_existing=True)
    page = client.get("/films/").content.decode()
    assert "A film about to go" not in page
    assert "/films/tron/" in page
    cache.clear()


def test_restore_never_overwrites_a_different_media_file(site_archive, settings):
    default_storage.save("notes/readme.txt", ContentFile(b"an operator's own file"))
    with pytest.raises(CommandError, match="already holds a different notes/readme.txt"):
        restore(site_archive)
    assert_nothing_restored(settings, media=["notes/readme.txt"])
    assert default_storage.open("notes/readme.txt").read() == b"an operator's own file"


def test_restore_keeps_an_identical_media_file_and_restores_the_rest(site_archive, settings):
    default_storage.save("notes/readme.txt", ContentFile(b"hello"))
    restore(site_archive)
    assert media_files(settings.MEDIA_ROOT) == ["notes/readme.txt", "posters/poster.png"]
    assert Film.objects.get().slug == "tron"


def test_a_failed_restore_rolls_back_the_rows_and_deletes_the_files_it_wrote(
    site_archive, settings, monkeypatch
):
    from backups import media

    saved = media.save

    def fail_on_the_second(storage, name, stream):
        if media_files(settings.MEDIA_ROOT):
            raise OSError(28, "No space left on device")
        saved(storage, name, stream)

    monkeypatch.setattr(media, "save", fail_on_the_second)
    with pytest.raises(CommandError, match="Nothing restored: .*No space left on device"):
        restore(site_archive)
    assert_nothing_restored(settings)


def test_an_archive_swapped_during_the_restore_is_refused(site_archive, settings, monkeypatch):
    from backups import media

    other = backup(site_archive.with_name("empty-site.tar.gz"))
    checked = media.check_existing

    def swap_after_the_check(storage, entries):
        identical = checked(storage, entries)
        site_archive.write_bytes(other)
        return identical

    monkeypatch.setattr(media, "check_existing", swap_after_the_check)
    with pytest.raises(CommandError, match="changed while it was being restored"):
        restore(site_archive)
    assert_nothing_restored(settings)


def test_restore_into_a_database_not_yet_migrated_says_to_migrate(site_archive, settings):
    MigrationRecorder(connection).record_unapplied("reviews", "0005_editorial_roles")
    with pytest.raises(
        CommandError, match="lacks migrations .*reviews.0005_editorial_roles.*migrate"
    ):
        restore(site_archive)


def test_the_command_line_prints_the_refusal_without_a_traceback(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    bad = tmp_path / "not-a-backup.tar.gz"
    bad.write_text("id,title\n")
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(bad)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: Nothing restored: ")
    assert "Traceback" not in result.stderr
