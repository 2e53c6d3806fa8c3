import pytest
from django.contrib.contenttypes.models import ContentType


@pytest.fixture(autouse=True)
def _forget_content_types_after_each_test():
    """These tests renumber content types and restore them; the rollback after each test puts the
    old numbers back, but ContentType's cache (one per process) would keep the restored ones and
    hand them to whichever test runs next in this process (under xdist, any module's)."""
    yield
    ContentType.objects.clear_cache()
