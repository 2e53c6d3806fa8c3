"""manage.py backup / restore: one archive gives back the same site in an empty database.

"Empty database" here is the state a new server has after ``migrate``: the test database as
each test starts (content types, permissions, the groups a data migration makes). A test
builds the site in a savepoint, backs it up, rolls the savepoint back and restores. Refusals of
damaged or hostile archives are in test_restore_refusals.py.
"""

import datetime
import hashlib
import io
import json
import re
import tracemalloc
from urllib.parse import urlsplit

import pytest
import reversion
import time_machine
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
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
from backups.tests.commands import backup, media_files, restore
from backups.tests.tampering import read_members
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
        # A relation through a model of its own (a cue's tracks) is that model's rows.
        many_to_many = [
            field
            for field in model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        for field in [*model._meta.concrete_fields, *many_to_many]:
            target = field.related_model._meta.label_lower if field.is_relation else None
            if target in labels and target != model._meta.label_lower:
                assert labels.index(target) < labels.index(model._meta.label_lower), field


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
