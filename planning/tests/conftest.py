"""People and reviews for the calendar's tests: an editor, two writers, their reviews."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from editorial.tests.factories import EditorFactory, WriterFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

#: The tests' today: a Thursday, in a month whose grid runs from 30 November to 3 January.
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen_today():
    """The calendar's today is TODAY, at noon in the site's time zone (UTC in tests)."""
    moment = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.fixture
def editor(db):
    return EditorFactory(username="eddie", first_name="Eddie", last_name="Editor")


@pytest.fixture
def writer(db):
    return WriterFactory(username="wren")


@pytest.fixture
def other_writer(db):
    return WriterFactory(username="otto")


def draft(**kwargs):
    kwargs.setdefault("status", Review.Status.DRAFT)
    kwargs.setdefault("publish_at", None)
    return ReviewFactory(**kwargs)


def scheduled(when, **kwargs):
    return ReviewFactory(status=Review.Status.PUBLISHED, publish_at=when, **kwargs)


def at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
