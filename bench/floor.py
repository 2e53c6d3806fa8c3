"""The benchmark's floor: the least a Django page can cost here.

One query (the review, by slug, as the real page looks it up) and a response of the same bytes
as the review page, saved by the bench, through the same middleware. Routed only by the bench's
own URLconf (bench/urls.py, under bench.settings): the product's config/urls.py does not know it.
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
