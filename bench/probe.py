"""In-process measurements for ``bench/run.py``: ``python bench/probe.py COMMAND``.

It runs under the same settings and ``DATABASE_URL`` as the server being measured, with the
code of the directory it is started in (an older commit's checkout, too), and prints one JSON
document on stdout. Commands:

``status``            how much generated content the database holds
``urls SET``          one URL per page type, for the ``tron`` fixtures or the ``gen``erated data
``admin-urls SET``    the admin pages measured: the change page of the film with the longest
                      cue sheet (200 cues in generated data)
``queries SET``       queries per public page (page cache off), per admin page and changelist
``loaddata``          seconds ``loaddata tron`` takes in-process
``profile URL N``     where the time of N requests for URL goes (cProfile), by part
``time URL...``       milliseconds per request for each URL: the best of 7 batches of 10
``time-admin URL...`` the same, logged in as an editor (superuser): best of 3 batches of 3,
                      as an admin page with 200 inline cues takes far longer than a page
"""

import cProfile
import json
import os
import pstats
import sys
import time

import django

# The code measured is the checkout this runs in, not necessarily the one this file is in.
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_production")
django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from films.models import Credit, Film, Person  # noqa: E402
from reviews.models import Review  # noqa: E402
from soundtracks.models import Soundtrack, Theme  # noqa: E402

TRON = {
    "review": "tron-ares-nine-inch-nails-score-review",
    "film": "tron-ares",
    "soundtrack": "tron-ares-soundtrack",
    "person": "trent-reznor",
    "franchise": "tron",
}


def richest(queryset, *relations):
    richness = sum(Count(relation, distinct=True) for relation in relations)
    return queryset.annotate(richness=richness).order_by("-richness", "pk").first()


def longest_cue_sheet(which):
    """The film whose music page and admin are measured: Tron: Ares, or the generated film
    with the most cues (generate_content gives the first film 200)."""
    if which == "tron":
        return Film.objects.get(slug=TRON["film"])
    films = Film.objects.filter(slug__startswith="gen-").annotate(cues_count=Count("cues"))
    return films.order_by("-cues_count", "pk").first()


def urls(which, search=None):
    """One URL per page type: the Tron pages, or generated objects of the same shape."""
    scored = longest_cue_sheet(which)
    generated = Theme.objects.filter(slug__startswith="gen-")
    themes = Theme.objects.exclude(pk__in=generated) if which == "tron" else generated
    theme = richest(themes, "appearances")
    if which == "tron":
        slugs = TRON
        archive = reverse("reviews:review_list")
        query = "tron"
    else:
        review = richest(
            Review.objects.published().filter(
                slug__startswith="gen-", film__franchise__isnull=False
            ),
            "tags",
            "cited_tracks",
            "other_films",
            "soundtracks",
        )
        film = review.film
        album = richest(
            Soundtrack.objects.filter(slug__startswith="gen-", reviews=review),
            "tracks",
            "tracks__notes",
        )
        person = richest(
            Person.objects.filter(
                slug__startswith="gen-",
                is_group=False,
                groups__isnull=False,
                credits__role=Credit.Role.COMPOSER,
            ),
            "credits",
            "albums",
        )
        slugs = {
            "review": review.slug,
            "film": film.slug,
            "soundtrack": album.slug,
            "person": person.slug,
            "franchise": film.franchise.slug,
        }
        # Page 50 of the archive, or its last page when there are fewer.
        pages = -(-Review.objects.published().count() // 20)
        archive = reverse("reviews:review_list") + f"?page={min(50, pages)}"
        query = "labyrinth"
    pages = {
        "home": reverse("sitewide:home"),
        "review": reverse("reviews:review_detail", args=[slugs["review"]]),
        "film": reverse("films:film_detail", args=[slugs["film"]]),
        "soundtrack": reverse("soundtracks:soundtrack_detail", args=[slugs["soundtrack"]]),
        "person": reverse("films:person_detail", args=[slugs["person"]]),
        "franchise": reverse("films:franchise_detail", args=[slugs["franchise"]]),
        "archive": archive,
        "search": reverse("sitewide:search") + f"?q={search or query}",
        "feed": reverse("reviews:feed"),
        "music": reverse("soundtracks:film_music", args=[scored.slug]),
    }
    if theme is not None:  # The Tron fixtures have no theme.
        pages["theme"] = reverse("soundtracks:theme_detail", args=[theme.slug])
    return pages


def admin_urls(which):
    film = longest_cue_sheet(which)
    return {"film admin": reverse("admin:films_film_change", args=[film.pk])}


def editor_client():
    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(editor)
    return client


def count_queries(client, url):
    executed = []

    def record(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return len(executed)


def queries(which):
    # "score" finds reviews and albums at any size, on both databases (a stopword such as "a"
    # finds nothing on PostgreSQL's full-text search and everything on SQLite's).
    public = {page: count_queries(Client(), url) for page, url in urls(which, "score").items()}
    client = editor_client()
    admin_pages = {page: count_queries(client, url) for page, url in admin_urls(which).items()}
    changelists = {}
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        changelists[meta.label] = {
            "queries": count_queries(client, url),
            "rows": model.objects.count(),
        }
    return {"pages": public, "admin_pages": admin_pages, "changelists": changelists}


def status():
    return {
        "generated_reviews": Review.objects.filter(slug__startswith="gen-").count(),
        "generated_films": Film.objects.filter(slug__startswith="gen-").count(),
        "tron": Review.objects.filter(slug=TRON["review"]).exists(),
    }


def loaddata():
    started = time.perf_counter()
    call_command("loaddata", "tron", verbosity=0)
    return {"seconds": time.perf_counter() - started}


# Where a page's time goes: cumulative time of the functions that stand for each part. Parts
# nest (SQL runs inside template rendering when a template touches a queryset), so they are
# reported each against the whole request, not summed.
PARTS = {
    "whole request": ("django/test/client.py", "request"),
    "middleware and view (Django handler)": ("django/core/handlers/base.py", "get_response"),
    "view function": ("django/views/generic/base.py", "view"),
    "template rendering": ("django/template/response.py", "rendered_content"),
    "SQL: ORM compiling and running": ("django/db/models/sql/compiler.py", "execute_sql"),
    "SQL: database driver": ("django/db/backends/utils.py", "_execute"),
    "model instances": ("django/db/models/base.py", "from_db"),
    "prefetching": ("django/db/models/query.py", "prefetch_related_objects"),
    "URL reversing": ("django/urls/base.py", "reverse"),
    "structured data (pagemeta.seo)": ("core/seo.py", None),
}


def profile(url, count):
    client = Client()
    for _ in range(5):
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    per_request = {}
    for part, (path, function) in PARTS.items():
        total = 0.0
        for (filename, _line, name), (_cc, _nc, _tt, cumulative, callers) in stats.items():
            if not filename.endswith(path) and path not in filename:
                continue
            if function is None:
                # A module: its functions called from outside it.
                if not any(path not in caller[0] for caller in callers):
                    continue
            elif name != function:
                continue
            total += cumulative
        per_request[part] = total / count * 1000
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
    return {
        "ms_per_request": per_request,
        "top_own_time": [
            {
                "function": f"{os.path.relpath(filename, os.getcwd())}:{line}({name})"
                if filename.startswith("/")
                else f"{filename}({name})",
                "ms_per_request": own / count * 1000,
            }
            for (filename, line, name), (_cc, _nc, own, _cum, _callers) in top
        ],
    }


def timings(urls, client=None, batches=7, size=10):
    """CPU cost per request, steadier than throughput on a shared machine: the best batch."""
    client = client or Client()
    result = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        measured = []
        for _ in range(batches):
            started = time.perf_counter()
            for _ in range(size):
                client.get(url)
            measured.append((time.perf_counter() - started) / size * 1000)
        result[url] = min(measured)
    return result


def main(argv):
    command, *args = argv
    if command == "status":
        result = status()
    elif command == "urls":
        result = urls(args[0])
    elif command == "queries":
        result = queries(args[0])
    elif command == "loaddata":
        result = loaddata()
    elif command == "profile":
        result = profile(args[0], int(args[1]))
    elif command == "admin-urls":
        result = admin_urls(args[0])
    elif command == "time":
        result = timings(args)
    elif command == "time-admin":
        result = timings(args, editor_client(), batches=3, size=3)
    else:
        raise SystemExit(f"unknown command {command!r}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
