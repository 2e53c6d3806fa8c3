"""manage.py backup / restore: one archive gives back the same site in an empty database.

"Empty database" here is the state a new server has after ``migrate``: the test database as
each test starts (content types, permissions, the groups a data migration makes). A test
builds the site in a savepoint, backs it up, rolls the savepoint back and restores.
"""

import datetime
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import reversion
import time_machine
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F
from reversion.models import Revision, Version

from backups import database
from backups.archive import MANIFEST_NAME
from editorial.tests.admin_forms import admin_url, post_change
from editorial.tests.factories import EditorFactory, WriterFactory
from films.models import Film
from films.tests.factories import FilmFactory
from images.tests.factories import restore_images
from reviews.models import Review
from reviews.preview import SHARE_DAYS, share_url
from reviews.tests.factories import ReviewFactory
from soundtracks.models import Soundtrack, TrackNote
from soundtracks.tests.factories import TrackNoteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]

NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)

PUBLIC_PAGES = [
    "/",
    "/reviews/",
    "/reviews/tron-ares-nine-inch-nails-score-review/",
    "/films/",
    "/films/tron-ares/",
    "/films/tron/",
    "/soundtracks/tron-ares-soundtrack/",
    "/people/trent-reznor/",
    "/people/nine-inch-nails/",
    "/franchises/tron/",
    "/tags/electronic/",
    "/authors/cuesheet-staff/",
    "/reviews/feed/",
    "/reviews/feed/atom/",
    "/sitemap.xml",
]

# Per-request noise: CSP nonces and CSRF tokens. Nothing else is normalised.
NOISE = [
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
]


def backup(path):
    call_command("backup", str(path), stdout=io.StringIO())
    return Path(path).read_bytes()


def restore(path, **options):
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, **options)
    return out.getvalue()


def media_files(root):
    root = Path(root)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def render(client, urls):
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = response.content.decode()
        for pattern, replacement in NOISE:
            text = pattern.sub(replacement, text)
        pages[url] = text
    return pages


def admin_pages():
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    note = TrackNote.objects.order_by("pk").first()
    film = Film.objects.get(slug="tron-ares")
    album = Soundtrack.objects.get(slug="tron-ares-soundtrack")
    versions = list(Version.objects.get_for_object(review).order_by("pk"))
    compare = admin_url(Review, "compare", review.pk)
    deleted_note = Version.objects.get_deleted(TrackNote).first()
    return [
        admin_url(TrackNote, "recover_list"),
        admin_url(TrackNote, "recover", deleted_note.pk),
        "/admin/",
        admin_url(Review, "changelist"),
        admin_url(Review, "change", review.pk),
        admin_url(Review, "history", review.pk),
        f"{compare}?a={versions[0].pk}&b={versions[-1].pk}",
        admin_url(TrackNote, "history", note.pk),
        admin_url(Film, "history", film.pk),
        admin_url(Soundtrack, "history", album.pk),
        admin_url(get_user_model(), "changelist"),
        admin_url(Group, "change", Group.objects.get(name="Editors").pk),
    ]


def build_site(demo_images, settings):
    """The demo content with its images, editors and writers, revisions, a deleted note."""
    media_root, rows = demo_images
    settings.MEDIA_ROOT = media_root
    call_command("loaddata", "tron", verbosity=0)
    restore_images(rows)
    editor = EditorFactory(username="eddie", first_name="Eddie")
    writer = WriterFactory(username="wanda")
    writer.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    with reversion.create_revision():
        reversion.set_user(writer)
        reversion.set_comment("Tightened the dek.")
        review.dek = "Hear it in a theater."
        review.save()
    gone = TrackNoteFactory(text="A note that is deleted later.", author=writer)
    with reversion.create_revision():
        reversion.set_user(writer)
        gone.text = "Revised, then deleted."
        gone.save()
    gone.delete()
    draft = ReviewFactory(
        headline="A draft shown by a share link", slug="a-shared-draft", status=Review.Status.DRAFT
    )
    shared = urlsplit(share_url(None, draft, days=SHARE_DAYS[0], user=editor))
    return editor, admin, f"{shared.path}?{shared.query}"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def shift_ids_that_migrate_makes():
    """Number content types and permissions as another database might (natural keys hold)."""
    ContentType.objects.update(id=F("id") + 1000)
    Permission.objects.update(id=F("id") + 1000, content_type_id=F("content_type_id") + 1000)
    Group.permissions.through.objects.update(permission_id=F("permission_id") + 1000)
    ContentType.objects.clear_cache()


def test_backup_restore_backup_is_byte_equal_and_the_site_renders_the_same(
    demo_images, settings, client, tmp_path, frozen
):
    before = transaction.savepoint_create()
    editor, admin, shared_draft = build_site(demo_images, settings)
    pages = [*PUBLIC_PAGES, shared_draft]
    film = Film.objects.get(slug="tron-ares")
    with reversion.create_revision():
        reversion.set_user(editor)
        film.tagline = "The grid expands."
        film.save()
    client.force_login(admin)
    post_change(
        client,
        Review.objects.get(slug="tron-ares-nine-inch-nails-score-review"),
        headline="Hear Nine Inch Nails’ Tron: Ares Score in a Theater",
    )
    assert LogEntry.objects.count() == 1
    client.logout()
    public = render(client, pages)
    client.force_login(admin)
    staff = render(client, admin_pages())
    counts = {model: model._base_manager.count() for model in database.carried_models()}
    eddie_pk = editor.pk
    first = backup(tmp_path / "first.tar.gz")

    transaction.savepoint_rollback(before)
    ContentType.objects.clear_cache()
    assert not get_user_model().objects.exists()
    assert not Review.objects.exists()
    # As on a new server, id sequences start again from 1 (PostgreSQL's outlive a rollback).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(counts)):
            cursor.execute(statement)
    empty = transaction.savepoint_create()
    settings.MEDIA_ROOT = tmp_path / "new-server-media"
    assert "Restored" in restore(tmp_path / "first.tar.gz")

    assert backup(tmp_path / "second.tar.gz") == first
    assert media_files(settings.MEDIA_ROOT) == media_files(demo_images[0])
    assert {model: model._base_manager.count() for model in counts} == counts
    client.logout()
    assert render(client, pages) == public
    client.force_login(get_user_model().objects.get(username="root"))
    assert render(client, admin_pages()) == staff
    # Restored rows keep their ids, and new rows get new ones (sequences moved past them).
    films = set(Film.objects.values_list("pk", flat=True))
    assert FilmFactory().pk > max(films)
    assert get_user_model().objects.create_user("newcomer").pk > eddie_pk
    deleted = Version.objects.get_deleted(TrackNote)
    assert [version.field_dict["text"] for version in deleted] == ["Revised, then deleted."]
    client.post(admin_url(TrackNote, "recover", deleted.first().pk))
    assert TrackNote.objects.filter(text="Revised, then deleted.").exists()
    eddie = get_user_model().objects.get(username="eddie")
    assert eddie.check_password("correct horse battery")
    assert list(eddie.groups.values_list("name", flat=True)) == ["Editors"]
    assert get_user_model().objects.get(username="wanda").has_perm("admin.view_logentry")
    assert Revision.objects.filter(user__username="wanda").count() == 2
    assert Version.objects.get_for_object(film).filter(revision__user=eddie).count() == 1

    # A new server numbers content types and permissions its own way: the archive names
    # them by natural key, so it restores there to the same bytes.
    transaction.savepoint_rollback(empty)
    shift_ids_that_migrate_makes()
    restore(tmp_path / "first.tar.gz")
    assert backup(tmp_path / "third.tar.gz") == first
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    assert Version.objects.get_for_object(review).count() == 2
    client.force_login(get_user_model().objects.get(username="root"))
    history = client.get(admin_url(Review, "history", review.pk))
    assert "Tightened the dek." in history.content.decode()


def test_rows_come_back_exactly_times_to_the_microsecond(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    joined = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    before = transaction.savepoint_create()
    user = EditorFactory(username="eddie", date_joined=joined, first_name="Zoë ✓ 🎬")
    note = TrackNoteFactory(text='Line one\nline two "quoted" \\ and \u2028.', author=user)
    stored = get_user_model().objects.values().get(), TrackNote.objects.values().get()
    backup(tmp_path / "site.tar.gz")
    transaction.savepoint_rollback(before)
    restore(tmp_path / "site.tar.gz")
    assert (get_user_model().objects.values().get(), TrackNote.objects.values().get()) == stored
    assert get_user_model().objects.get().date_joined == joined
    assert note.uid == TrackNote.objects.get().uid


def test_media_travel_through_any_storage_not_only_a_folder(db, settings, tmp_path):
    """The storage API alone (as S3 offers it): listing, reading and saving, no local paths."""
    in_memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = {**settings.STORAGES, "default": in_memory}
    before = transaction.savepoint_create()
    EditorFactory(username="eddie")
    default_storage.save("posters/a.png", ContentFile(b"a" * 300_000))
    default_storage.save("posters/renditions/a-320w.webp", ContentFile(b"b" * 1000))
    first = backup(tmp_path / "first.tar.gz")
    transaction.savepoint_rollback(before)
    settings.STORAGES = {**settings.STORAGES, "default": {**in_memory, "OPTIONS": {}}}
    assert not default_storage.exists("posters/a.png")
    restore(tmp_path / "first.tar.gz")
    assert default_storage.open("posters/a.png").read() == b"a" * 300_000
    assert backup(tmp_path / "second.tar.gz") == first


def test_a_new_database_holds_only_rows_that_migrations_make(db):
    with_rows = {
        model._meta.label_lower
        for model in database.carried_models()
        if model._base_manager.exists()
    }
    assert with_rows <= database.MADE_BY_MIGRATIONS
    assert database.holds_content() == {}


def test_what_travels_follows_the_installed_models():
    labels = [model._meta.label_lower for model in database.carried_models()]
    for label in (
        "auth.user",
        "auth.group",
        "admin.logentry",
        "reversion.revision",
        "reversion.version",
        "films.film",
        "reviews.review",
    ):
        assert label in labels
    for label in database.NOT_CARRIED:
        assert label not in labels
    every = {
        m._meta.label_lower for m in apps.get_models() if m._meta.managed and not m._meta.proxy
    }
    assert every - set(labels) == set(database.NOT_CARRIED) & every
    # Each model comes after every model it points at (this schema has no cycles).
    for model in database.carried_models():
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            target = field.related_model._meta.label_lower if field.is_relation else None
            if target in labels and target != model._meta.label_lower:
                assert labels.index(target) < labels.index(model._meta.label_lower), field


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


def read_members(path):
    with tarfile.open(path, "r:gz") as tar:
        return [
            (member, tar.extractfile(member).read() if member.isfile() else b"")
            for member in tar.getmembers()
        ]


def write_members(path, members, *, trailer=b""):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
    Path(path).write_bytes(gzip.compress(buffer.getvalue() + trailer, mtime=0))
    return path


def regular(name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def rewrite(path, change, *, fix_manifest=True):
    """Rewrite the archive with ``change(manifest, members)`` applied.

    Unless told otherwise, the manifest then declares the changed members' sizes and checksums,
    so that each case shows one defect; a change made by ``edit_manifest`` comes after that.
    """
    members = read_members(path)
    manifest = json.loads(members[0][1])
    members = members[1:]
    edits = getattr(change, "edits_manifest", False)
    if not edits:
        change(manifest, members)
    if fix_manifest:
        declare(manifest, members)
    if edits:
        change(manifest, members)
    for info, data in members:
        if info.isfile():
            info.size = len(data)
    return write_members(path, [regular(MANIFEST_NAME, json.dumps(manifest).encode()), *members])


def declare(manifest, members):
    by_name = {info.name: data for info, data in members}
    items = [(f"db/{item['model']}.jsonl", item) for item in manifest["database"]]
    items += [(f"media/{item['name']}", item) for item in manifest["media"]]
    for name, item in items:
        if (data := by_name.get(name)) is not None:
            item["size"], item["sha256"] = len(data), hashlib.sha256(data).hexdigest()


def replace_member(name, new):
    def change(manifest, members):
        for index, (info, data) in enumerate(members):
            if info.name == name:
                members[index] = (info, new(data))

    return change


def edit_manifest(edit):
    def change(manifest, members):
        edit(manifest)

    change.edits_manifest = True
    return change


def add_member(info, data=b"", at=None):
    def change(manifest, members):
        members.insert(len(members) if at is None else at, (info, data))

    return change


def special(name, kind, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def first_line_with(field, value):
    def new(data):
        lines = data.decode().splitlines()
        row = json.loads(lines[0])
        row[field] = value
        lines[0] = json.dumps(row)
        return ("\n".join(lines) + "\n").encode()

    return new


def media_name(manifest, index=0):
    return manifest["media"][index]["name"]


def list_media_as(name):
    return edit_manifest(lambda m: m["media"][0].update(name=name))


def swap_media(manifest, members):
    first = next(i for i, (info, _) in enumerate(members) if info.name.startswith("media/"))
    members[first], members[first + 1] = members[first + 1], members[first]


def rename_media(manifest, members):
    for info, _ in members:
        if info.name.startswith("media/"):
            info.name = "media/elsewhere/" + info.name.rsplit("/", 1)[1]
            return


def grow_member(manifest, members):
    # The header says 8 MB, the manifest still says a few bytes.
    for index, (info, data) in enumerate(members):
        if info.name == "media/notes/readme.txt":
            members[index] = (info, data + b"\0" * 8_000_000)


def bump_format(manifest):
    manifest["version"] = 2


def from_the_future(manifest):
    manifest["migrations"]["films"].append("9999_from_the_future")


def from_the_past(manifest):
    manifest["migrations"]["films"].pop()


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


# Backups that cannot be written ----------------------------------------------------------------


def test_backup_never_replaces_an_existing_file(db, tmp_path):
    path = tmp_path / "cuesheet.tar.gz"
    path.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="already exists"):
        backup(path)
    assert path.read_bytes() == b"yesterday's backup"


def test_backup_of_a_database_with_migrations_to_apply_is_refused(db, tmp_path):
    MigrationRecorder(connection).record_unapplied("reviews", "0005_editorial_roles")
    with pytest.raises(CommandError, match="migrations to apply .*reviews.0005.*migrate"):
        backup(tmp_path / "cuesheet.tar.gz")
    assert list(tmp_path.iterdir()) == []


def test_backup_on_a_filesystem_without_hard_links_is_renamed_into_place(db, tmp_path, monkeypatch):
    EditorFactory(username="eddie")
    expected = backup(tmp_path / "linked.tar.gz")

    def no_links(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("backups.archive.os.link", no_links)
    assert backup(tmp_path / "renamed.tar.gz") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linked.tar.gz", "renamed.tar.gz"]


def test_backup_inside_the_media_folder_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    with pytest.raises(CommandError, match="inside the media folder"):
        backup(tmp_path / "media" / "cuesheet.tar.gz")
    assert list((tmp_path / "media").iterdir()) == []


def test_backup_into_a_missing_folder_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        backup(tmp_path / "nowhere" / "cuesheet.tar.gz")


def test_a_failed_backup_leaves_no_file_behind(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("posters/a.png", ContentFile(b"a" * 5000))
    default_storage.save("posters/b.png", ContentFile(b"b" * 5000))
    opened = default_storage.open
    calls = []

    def changes_under_the_backup(name, mode="rb"):
        calls.append(name)
        file = opened(name, mode)
        if len(calls) > 2:  # the copy, after both were hashed
            return io.BytesIO(b"c" * 5000)
        return file

    monkeypatch.setattr(default_storage, "open", changes_under_the_backup)
    folder = tmp_path / "backups"
    folder.mkdir()
    with pytest.raises(CommandError, match="posters/a.png changed while the backup ran"):
        backup(folder / "cuesheet.tar.gz")
    assert list(folder.iterdir()) == []


def test_the_archive_is_deterministic_and_private(db, tmp_path):
    EditorFactory(username="eddie")
    first = backup(tmp_path / "a.tar.gz")
    assert backup(tmp_path / "b.tar.gz") == first
    assert (tmp_path / "a.tar.gz").stat().st_mode & 0o077 == 0
    assert first[4:8] == b"\0\0\0\0"  # gzip mtime 0
    members = read_members(tmp_path / "a.tar.gz")
    assert members[0][0].name == MANIFEST_NAME
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m, _ in members} == {(0, 0, 0, "", "")}
    manifest = json.loads(members[0][1])
    assert (manifest["format"], manifest["version"]) == ("cuesheet-backup", 1)
    assert "0005_editorial_roles" in manifest["migrations"]["reviews"]


def test_media_are_copied_in_chunks_not_held_in_memory(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    size = 32 * 1024 * 1024
    default_storage.save(
        "video/large.bin", ContentFile(hashlib.sha256(b"x").digest() * (size // 32))
    )
    before = transaction.savepoint_create()
    tracemalloc.start()
    try:
        backup(tmp_path / "large.tar.gz")
        _, backup_peak = tracemalloc.get_traced_memory()
        transaction.savepoint_rollback(before)
        settings.MEDIA_ROOT = tmp_path / "restored"
        tracemalloc.reset_peak()
        restore(tmp_path / "large.tar.gz")
        _, restore_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "restored" / "video" / "large.bin").stat().st_size == size
    assert backup_peak < size / 4, backup_peak
    assert restore_peak < size / 4, restore_peak
