import pytest
from django.core.management import call_command
from django.db import transaction


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
