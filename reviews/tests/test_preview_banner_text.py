"""The preview banner reads as one sentence: no double full stop after a time."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize("hour", [9, 21])  # "a.m." and "p.m." ended in a full stop of their own
def test_a_scheduled_reviews_banner_has_no_double_full_stop(editor_client, hour):
    goes_live = timezone.now().replace(hour=hour) + datetime.timedelta(days=1)
    review = ReviewFactory(publish_at=goes_live)
    html = editor_client.get(review.get_absolute_url()).content.decode()
    banner = re.search(r'<div class="preview-banner".*?</div>', html, re.DOTALL)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", banner).split())
    assert f"scheduled to go live on 4 Dec 2026, {hour:02}:00 UTC. Readers" in text
    assert ".." not in text
