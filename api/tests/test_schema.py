"""Schemathesis against the API's own OpenAPI document, in this process (through Django's WSGI
application, no server): every operation, valid and hostile parameters, and schemathesis's
default checks (no server error, documented status codes, bodies and headers as documented)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

# Bounded and repeatable: the same 25 examples an operation, every run.
EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Loaded at collection: the document is built from the code and reads no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def connection_kept():
    """As Django's test client does: a request must not close the connection that holds the
    test's transaction (PostgreSQL would lose it and the Tron rows with it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@EXAMPLES
def test_api_conforms_to_its_openapi_document(case, tron, connection_kept):
    case.call_and_validate()
