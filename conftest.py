import io

import pytest
from _pytest.nodeid import NodeId
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from demo.management.commands.draw_demo_images import DEMO_IMAGES
from editorial.tests.factories import UserFactory
from images.models import Image
from images.tests.factories import restore_images

#: Modules of tests that take seconds each. Under xdist a worker is given one test at a time,
#: in collection order (after the xdist_group units), so one of these collected last would run
#: alone at the end while the other workers idle; they are collected first instead.
SLOW_FIRST = (
    "tests/test_url_sweep.py",
    "reviews/tests/test_markdown_pathology.py",
    "soundtracks/tests/test_music_pages.py",
    "reviews/tests/test_cue_pages.py",
    "soundtracks/tests/test_cue_admin.py",
    "backups/tests/test_backup.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # A stable sort: each module's own order holds (module-scoped fixtures rely on it), and
    # tests/browser/conftest.py, which runs after this, still puts the browser tests last.
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))
    if getattr(config.option, "loadgroup", False):
        name_xdist_groups(items)


def name_xdist_groups(items):
    """Name each test of an ``xdist_group`` ``nodeid@group``, as ``--dist loadgroup`` needs.

    pytest-xdist 3.8 names them by setting ``item._nodeid``, which pytest 9.2 no longer reads
    (a node's id is ``item._id``): every group was ignored, so a group's module fixtures (the
    Varnish stack, the two gunicorn workers on Redis db 5, the generated content) were built
    on every worker that got one of its tests. This does what xdist means to.
    """
    for item in items:
        groups = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", is_staff=True, is_superuser=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(scope="session")
def demo_images(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Tron illustrations, drawn and attached once a session: ``(media_root, rows)``.

    Drawing, cleaning and making renditions of the thirteen takes seconds, so they are made
    once, in a transaction that is rolled back, into a media folder of the session's own;
    ``rows`` maps (model, slug) to the image field and the ``images.Image`` columns that
    ``tron_with_images`` writes back.
    """
    media_root = tmp_path_factory.mktemp("demo-media")
    rows = {}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        call_command("loaddata", "tron", verbosity=0)
        call_command("draw_demo_images", "--attach", stdout=io.StringIO())
        for demo in DEMO_IMAGES:
            model = apps.get_model(demo.model)
            image = getattr(model.objects.get(slug=demo.slug), demo.field)
            columns = {
                field.attname: getattr(image, field.attname)
                for field in Image._meta.concrete_fields
                if not field.primary_key
            }
            rows[model, demo.slug] = (demo.field, columns)
        transaction.set_rollback(True)
    return media_root, rows


@pytest.fixture
def tron_with_images(db, settings, demo_images, tron_rows):
    """The Tron demo content with its illustrations attached, as ``make run`` serves it."""
    media_root, rows = demo_images
    settings.MEDIA_ROOT = media_root
    if connection.in_atomic_block:
        load_tron(tron_rows)
    else:
        # transactional_db (the browser tests): every row commits as it is written, and the
        # flush between tests renumbers content types, which the session's rows point at. The
        # fixtures are loaded as an operator loads them.
        call_command("loaddata", "tron", verbosity=0)
    restore_images(rows)


# The demo content, loaded once a session and written back per test ---------------------------


def _rows(model):
    rows = model._base_manager.order_by().values_list("pk", *_columns(model))
    return {row[0]: row for row in rows}


def _columns(model):
    return [field.attname for field in model._meta.concrete_fields]


@pytest.fixture(scope="session")
def tron_rows(django_db_setup, django_db_blocker):
    """What ``loaddata tron`` writes, table by table: ``[(model, [instances])]``.

    ``loaddata`` deserialises, saves row by row and runs every receiver (revisions, citations,
    rendered bodies): a fifth of a second, each time. It runs once a session, in a transaction
    rolled back, and the rows it wrote (the derived ones included) are kept, to be written back
    in one INSERT a table by ``load_tron``; ``tests/test_fixtures.py`` tests ``loaddata`` itself.
    """
    models = apps.get_models(include_auto_created=True)
    with django_db_blocker.unblock(), transaction.atomic():
        before = {model: set(_rows(model)) for model in models}
        call_command("loaddata", "tron", verbosity=0)
        written = []
        for model in models:
            new = [row for pk, row in _rows(model).items() if pk not in before[model]]
            if new:
                columns = _columns(model)
                written.append((model, [dict(zip(columns, row[1:], strict=True)) for row in new]))
        transaction.set_rollback(True)
    return written


def load_tron(rows):
    """Write back ``tron_rows``, as ``loaddata tron`` leaves the database, sequences included."""
    for model, values in rows:
        model._base_manager.bulk_create([model(**row) for row in values])
    reset = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in rows])
    if reset:
        with connection.cursor() as cursor:
            for sql in reset:
                cursor.execute(sql)


@pytest.fixture
def tron(db, tron_rows):
    """The Tron demo content, as ``loaddata tron`` leaves it (written back from ``tron_rows``)."""
    load_tron(tron_rows)
