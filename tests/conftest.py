import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, models, transaction
from django.test.utils import isolate_apps

from images.fields import (
    CleanImageField,
    alt_text_field,
    decorative_field,
    image_dimension_field,
    require_alt_text,
)


@pytest.fixture(scope="module")
def tron_for_module(django_db_setup, django_db_blocker):
    """The Tron demo content, loaded once for a module, in a transaction rolled back after it.

    Each test still runs in a savepoint of its own (``db``), so what one test writes is gone
    before the next; only the demo rows stay. The transaction opens at the first test that
    asks for this and lasts to the module's end, so a module asks for it in its last tests
    only, or in all of them: a test after that point sees the demo content whether it asked.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "tron", verbosity=0)
        yield
        transaction.set_rollback(True)


# The image tests' own model, and a media folder of each test's own.


@pytest.fixture(scope="module")
def poster_model(django_db_setup, django_db_blocker):
    with isolate_apps("images"):

        class Poster(models.Model):
            title = models.CharField(max_length=100, default="Tron")
            image = CleanImageField(
                upload_to="posters/", width_field="image_width", height_field="image_height"
            )
            image_width = image_dimension_field()
            image_height = image_dimension_field()
            image_alt = alt_text_field()
            image_decorative = decorative_field()

            class Meta:
                app_label = "images"

            def __str__(self):
                return self.title

            def clean(self):
                super().clean()
                require_alt_text(self, "image")

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Poster)
    yield Poster
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Poster)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def page_cache_on(settings):
    """The in-process page cache on (off in the test settings), empty before and after."""
    settings.PAGE_CACHE_TIMEOUT = 600
    cache.clear()
    yield
    cache.clear()
