"""The benchmark's floor: the least a Django page can cost here.

One query (the review, by slug, as the real page looks it up) and a response of the same bytes
as the review page, saved by ``bench/run.py``, through the same middleware. Routed only when
``BENCH_FLOOR=1`` (config/urls.py), which only ``make bench`` sets.
"""

import os
from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from reviews.models import Review


@cache
def _page():
    return Path(os.environ["BENCH_FLOOR_PAGE"]).read_bytes()


def floor(request, slug):
    Review.objects.published().filter(slug=slug).values_list("pk", flat=True).get()
    return HttpResponse(_page())


urlpatterns = [path("<slug:slug>/", floor, name="bench_floor")]
