import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from demo.management.commands.draw_demo_images import DEMO_IMAGES
from editorial.tests.factories import UserFactory
from images.models import Image
from images.tests.factories import restore_images


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
def tron_with_images(db, settings, demo_images):
    """The Tron demo content with its illustrations attached, as ``make run`` serves it."""
    media_root, rows = demo_images
    settings.MEDIA_ROOT = media_root
    call_command("loaddata", "tron", verbosity=0)
    restore_images(rows)
