#!/usr/bin/env python
"""A byte-for-byte guard for work on the public pages' speed: the pages must not change at all.

``python bench/pages_guard.py save`` renders several objects of every public page type (review,
film, album, person, franchise, the film's music page, home, the review list, a tag and an
author) from bench/instructions.py's database (var/bench/instructions/: the Tron fixtures and a
generated publication; prepared by that script, or by this one when it is missing) and keeps
their bytes in var/bench/guard/. ``python bench/pages_guard.py check`` renders them again and
fails, with a diff of the first page that differs, unless every byte is the same. Each page is
rendered twice, the second time from whatever the first left in the cache (fragments), and
both renderings must match what was saved.

Run ``save`` on the code before a change and ``check`` after each one. Under bench.settings
with the page cache off, Redis database 8 (flushed first) as the cache.
"""

import argparse
import difflib
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.environment import PYTHON, VAR, redis_flush, say  # noqa: E402

GUARD = VAR / "guard"
PER_TYPE = 4


def urls():
    """Several URLs per page type: the Tron pages and the richest and plainest generated ones."""
    from django.db.models import Count
    from django.urls import reverse

    from films.models import Film, Franchise, Person
    from reviews.models import Author, Review, Tag
    from soundtracks.models import Soundtrack

    def spread(queryset, *relations):
        """The objects with the most and the fewest related rows, and some between."""
        rows = list(
            queryset.annotate(
                richness=sum(Count(relation, distinct=True) for relation in relations)
            ).order_by("-richness", "pk")
        )
        if len(rows) <= PER_TYPE:
            return rows
        step = (len(rows) - 1) / (PER_TYPE - 1)
        return [rows[round(i * step)] for i in range(PER_TYPE)]

    reviews = spread(Review.objects.published(), "tags", "soundtracks", "other_films", "authors")
    films = spread(Film.objects.all(), "credits", "reviews", "soundtracks")
    albums = spread(Soundtrack.objects.all(), "tracks", "reviews")
    people = spread(Person.objects.all(), "credits", "albums")
    franchises = spread(Franchise.objects.all(), "films")
    scored = spread(Film.objects.filter(cues__isnull=False).distinct(), "cues")
    result = {}
    for name, objects in (
        ("review", reviews),
        ("film", films),
        ("album", albums),
        ("person", people),
        ("franchise", franchises),
    ):
        for obj in objects:
            result[f"{name}-{obj.slug}"] = obj.get_absolute_url()
    for film in scored:
        result[f"music-{film.slug}"] = reverse("soundtracks:film_music", args=[film.slug])
    result["home"] = reverse("sitewide:home")
    for page in (1, 2):
        result[f"reviews-page-{page}"] = reverse("reviews:review_list") + f"?page={page}"
    published = Review.objects.published()
    for tag in Tag.objects.filter(reviews__in=published).distinct().order_by("pk")[:2]:
        result[f"tag-{tag.slug}"] = tag.get_absolute_url()
    for author in Author.objects.filter(reviews__in=published).distinct().order_by("pk")[:2]:
        result[f"author-{author.slug}"] = author.get_absolute_url()
    return result


def render():
    """Every guarded page, twice: {name: (url, first bytes, second bytes)}."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.test import Client

    client = Client()
    pages = {}
    for name, url in urls().items():
        bodies = []
        for _ in range(2):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            bodies.append(response.content)
        pages[name] = (url, *bodies)
    return pages


def child(command):
    pages = render()
    failures = []
    if command == "save":
        GUARD.mkdir(parents=True, exist_ok=True)
        for old in GUARD.glob("*.html"):
            old.unlink()
        manifest = {}
        for name, (url, first, second) in pages.items():
            (GUARD / f"{name}.html").write_bytes(first)
            manifest[name] = {"url": url, "sha256": hashlib.sha256(first).hexdigest()}
            if second != first:
                failures.append((name, url, first, second, "the second rendering"))
        (GUARD / "manifest.json").write_text(json.dumps(manifest, indent=2))
        say(f"guard: saved {len(pages)} pages in {GUARD}")
    else:
        manifest = json.loads((GUARD / "manifest.json").read_text())
        if set(manifest) != set(pages):
            raise SystemExit(
                f"guard: the pages guarded differ from the saved ones: "
                f"{sorted(set(manifest) ^ set(pages))}"
            )
        for name, (url, first, second) in pages.items():
            saved = (GUARD / f"{name}.html").read_bytes()
            for body, which in ((first, "a first rendering"), (second, "a rendering from cache")):
                if body != saved:
                    failures.append((name, url, saved, body, which))
                    break
    for _name, url, expected, got, which in failures[:1]:
        diff = difflib.unified_diff(
            expected.decode().splitlines(),
            got.decode().splitlines(),
            "saved",
            which,
            lineterm="",
        )
        print(f"{url}:", *list(diff)[:60], sep="\n", file=sys.stderr)
    if failures:
        raise SystemExit(
            f"guard: {len(failures)} of {len(pages)} pages differ: "
            + ", ".join(name for name, *_ in failures)
        )
    if command == "check":
        say(f"guard: all {len(pages)} pages the same, byte for byte")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("save", "check"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.command)
        return
    from bench.instructions import DATABASE_URL, arguments, environment
    from bench.instructions import prepare as prepare_database

    instructions = arguments([])
    if not Path(DATABASE_URL.removeprefix("sqlite:///")).exists():
        prepare_database(instructions)
    redis_flush(instructions.redis_db)
    result = subprocess.run(
        [PYTHON, __file__, options.command, "--child"],
        env=environment(instructions),
        capture_output=True,
        text=True,
    )
    # Without the request log's lines.
    for line in result.stderr.splitlines():
        if not line.startswith('{"method"'):
            print(line, file=sys.stderr)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
