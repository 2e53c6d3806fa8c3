"""Every URL answers hostile input with a 4xx or a page, never a 500 (issue 9, class 12).

The sweep walks the URL configuration itself (``get_resolver()``, the admin included), so a view
someone adds later is swept without anyone listing it. Each path parameter gets hostile values
while the others hold real ones; the views that read the query string get hostile values there
(the changelists' own filters are read from their pages). It runs as an editor, a writer and a
stranger; a failure lists every URL that broke, with the exception's last line.
"""

import re
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.forms import ModelChoiceField
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from reversion.models import Version

from editorial import revisions
from editorial.admin_input import InputSafeAdminMixin, InputSafeInlineMixin
from editorial.tests.admin_forms import form_data
from editorial.tests.factories import EditorFactory, WriterFactory
from reviews.models import Review

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent
#: The project's own code: settings and every installed app that lives in this repository.
PROJECT_FOLDERS = [ROOT / "config"] + [
    Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == ROOT
]

#: What a path parameter is given: out of range, negative, not a number, escapes, long, unicode.
HOSTILE = [
    "0",
    "-1",
    str(2**63),
    str(10**30),
    "abc",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 2000,
    "%C3%A9%E2%98%83",
]
#: What a query parameter is given.
HOSTILE_QUERY = ["-1", str(10**30), "abc", "%00", "x" * 2000]
#: Fewer, for the changelists' many parameters: their parsing is the same for everyone, so only
#: the editor's sweep gives them every value.
HOSTILE_FILTER = [str(10**30), "abc", "%00"]

#: Query parameters of the admin's changelists, whatever their filters.
CHANGELIST_PARAMETERS = ["p", "o", "q", "e", "all", "_to_field", "_popup", "_changelist_filters"]
#: Query parameters each of these views reads, by URL name.
QUERY_PARAMETERS = {
    "sitewide:search": ["q", "page", "kind"],
    "reviews:review_detail": ["share"],
    "admin:autocomplete": [
        *("term", "app_label", "model_name", "field_name", "page"),
        *("film", "franchise"),  # a scoped chooser's scope (soundtracks/admin_cues.py)
    ],
    "api:review_list": ["limit", "offset", "film", "person", "updated_since"],
    "api:film_list": ["limit", "offset", "updated_since"],
    "api:person_list": ["limit", "offset"],
    "api:soundtrack_list": ["limit", "offset", "updated_since"],
    # The editorial calendar's author filter, the page a move goes back to, the feed's key.
    "planning:month_today": ["author"],
    "planning:month": ["author"],
    "planning:week_today": ["author"],
    "planning:week": ["author"],
    "planning:reschedule": ["back"],
    "planning:feed": ["key"],
    # A form restored from the person's unsaved draft (editorial/autosave.py): a review autosaves,
    # and every locked admin's merged conflict form is restored the same way (a film's here).
    "admin:reviews_review_add": ["_restore"],
    "admin:reviews_review_change": ["_restore"],
    "admin:films_film_change": ["_restore"],
    # The citation picker's films and albums as the form has them (reviews/admin_citations.py).
    "admin:reviews_review_citations": ["film", "other_film", "soundtrack"],
}
#: Every public listing paginates by ``page``.
PUBLIC_QUERY_PARAMETERS = ["page", "q"]

#: The files that read ``request.GET``; each one's parameters are swept above (or, for the page
#: cache and the canonical-URL tag, by every public page the sweep requests).
READS_THE_QUERY_STRING = {
    "editorial/admin_history.py",  # compare: a, b (swept through every "compare" URL)
    "editorial/admin_recovery.py",  # the recover list's page: p (swept on every recover list)
    "pagecache/middleware.py",
    "pagemeta/templatetags/pagemeta.py",
    "soundtracks/admin_cues.py",  # a scoped chooser's film or franchise (admin:autocomplete)
    "reviews/preview.py",
    "sitewide/views.py",
    "api/api.py",  # the lists' next links (their parameters are swept above)
    "planning/views.py",  # the calendar (its parameters are swept above)
    "editorial/autosave.py",  # ?_restore=draft on add and change forms (swept above)
    "reviews/admin_citations.py",  # the citation picker's ids (swept above)
}

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def _walk(resolver, parts=(), namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, (*parts, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield (*parts, entry.pattern), f"{namespace}{entry.name}" if entry.name else None


def _parameters(parts):
    names = []
    for part in parts:
        if isinstance(part, RoutePattern):
            names += [match["name"] for match in _ROUTE_PARAMETER.finditer(str(part))]
        else:
            names += [match["name"] for match in _REGEX_GROUP.finditer(str(part))]
    return names


def _render(parts, values):
    url = ""
    for part in parts:
        text = str(part)
        if isinstance(part, RoutePattern):
            url += _ROUTE_PARAMETER.sub(lambda match: values[match["name"]], text)
        else:
            text = _REGEX_GROUP.sub(lambda match: values[match["name"]], text)
            text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
            url += re.sub(r"\\(.)", r"\1", text)
    return "/" + url


def patterns():
    return list(_walk(get_resolver()))


def _admin_model(name):
    """The model an admin URL name such as ``admin:reviews_review_change`` belongs to."""
    if not name or not name.startswith("admin:"):
        return None
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def real_values(name, parameters):
    """Values that name real rows, so that the hostile one reaches as deep as it can."""
    model = _admin_model(name)
    obj = model._default_manager.order_by("pk").first() if model else None
    review = Review.objects.order_by("pk").first()
    values = dict.fromkeys(parameters, "1")
    if obj is not None:
        values["object_id"] = str(obj.pk)
        version = revisions.versions_of(obj).first() if name.endswith("_revert") else None
        if version is not None:
            values["version_id"] = str(version.pk)
    if "slug" in values and name and name.startswith(("reviews:", "films:", "soundtracks:")):
        values["slug"] = review.slug if name == "reviews:review_detail" else "tron"
    if "content_type_id" in values:
        values["content_type_id"] = str(ContentType.objects.get_for_model(Review).pk)
        values["object_id"] = str(review.pk)
    if "app_label" in values:
        values["app_label"] = "reviews"
    return values


@pytest.fixture
def content(tron):
    # Two revisions of every review, so that compare and revert have something to work on.
    for review in Review.objects.all():
        review.dek += " Revised."
        review.save()
    assert Version.objects.exists()


def _clients():
    stranger = Client(raise_request_exception=False)
    writer = Client(raise_request_exception=False)
    writer.force_login(WriterFactory(username="sweep-writer"))
    editor = Client(raise_request_exception=False)
    editor.force_login(EditorFactory(username="sweep-editor"))
    return {"stranger": stranger, "writer": writer, "editor": editor}


def _check(client, url, failures, data=None):
    response = client.get(url, data) if data else client.get(url)
    body = b"" if response.streaming else response.content
    if response.status_code >= 500 or b"Traceback" in body:
        exception = getattr(response, "exc_info", None)
        reason = repr(exception[1])[:200] if exception else response.status_code
        failures.append(f"{url[:150]} {str(data)[:150] if data else ''} -> {reason}")
    return response


def sweep_paths(client):
    failures = []
    for parts, name in patterns():
        parameters = _parameters(parts)
        if not parameters:
            _check(client, _render(parts, {}), failures)
            continue
        real = real_values(name, parameters)
        _check(client, _render(parts, real), failures)
        for parameter in parameters:
            for value in HOSTILE:
                _check(client, _render(parts, {**real, parameter: value}), failures)
    return failures


def sweep_queries(client, *, every_filter):
    failures = []
    for parts, name in patterns():
        parameters = _parameters(parts)
        url = _render(parts, real_values(name, parameters))
        query = list(QUERY_PARAMETERS.get(name, []))
        if name and name.endswith("_changelist"):
            page = _check(client, url, failures)
            filters = CHANGELIST_PARAMETERS + _changelist_filters(page)
            for parameter in filters if every_filter else ["p", "q"]:
                for value in HOSTILE_FILTER:
                    _check(client, url, failures, {parameter: value})
        elif name and name.endswith("_compare"):
            query += ["a", "b"]
        elif name and name.endswith("_recover_list"):
            query += ["p"]
        elif name and name.endswith("_add"):
            page = _check(client, url, failures)
            fields = list(page.context["adminform"].form.fields) if page.context else []
            # The add form takes initial values from the query string, all at once.
            for value in HOSTILE_QUERY:
                _check(client, url, failures, dict.fromkeys(fields, value))
        elif name and not name.startswith("admin:") and not parameters:
            query += PUBLIC_QUERY_PARAMETERS
        for parameter in query:
            for value in HOSTILE_QUERY:
                _check(client, url, failures, {parameter: value})
        if name and name.endswith("_compare"):
            version = Version.objects.order_by("pk").first().pk
            for value in HOSTILE_QUERY:
                _check(client, url, failures, {"a": version, "b": value})
    return failures


def _changelist_filters(page):
    if not page.context or "cl" not in page.context:
        return []
    changelist = page.context["cl"]
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if changelist.date_hierarchy:
        names += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


# The paths and the query strings are two tests, so that under xdist the editor's long sweep
# is two halves that two workers can take.
@pytest.mark.parametrize("who", ["editor", "writer", "stranger"])
def test_no_url_answers_500_to_hostile_path_parameters(content, who):
    client = _clients()[who]
    started = time.perf_counter()
    failures = sweep_paths(client)
    assert not failures, f"{len(failures)} requests answered 500:\n" + "\n".join(failures)
    print(f"sweep of the paths as {who}: {time.perf_counter() - started:.1f}s")


@pytest.mark.parametrize("who", ["editor", "writer", "stranger"])
def test_no_url_answers_500_to_hostile_query_strings(content, who):
    client = _clients()[who]
    started = time.perf_counter()
    failures = sweep_queries(client, every_filter=who == "editor")
    assert not failures, f"{len(failures)} requests answered 500:\n" + "\n".join(failures)
    print(f"sweep of the query strings as {who}: {time.perf_counter() - started:.1f}s")


def test_the_sweep_reaches_the_admin_and_the_public_site():
    urls = {name: parts for parts, name in patterns()}
    assert {"admin:reviews_review_compare", "admin:reviews_review_revert", "view_on_site"} <= set(
        urls
    )
    assert {"reviews:review_detail", "sitewide:search", "admin:autocomplete"} <= set(urls)
    revert = urls["admin:reviews_review_revert"]
    assert _parameters(revert) == ["object_id", "version_id"]
    assert _render(revert, {"object_id": "7", "version_id": "-1"}) == (
        "/admin/reviews/review/7/history/-1/revert/"
    )


def test_every_view_reading_the_query_string_is_swept():
    readers = {
        str(path.relative_to(ROOT))
        for folder in PROJECT_FOLDERS
        for path in folder.rglob("*.py")
        if "request.GET" in path.read_text()
    }
    assert readers <= READS_THE_QUERY_STRING, (
        "These read request.GET: add their parameters to the sweep (QUERY_PARAMETERS), then to "
        f"READS_THE_QUERY_STRING: {sorted(readers - READS_THE_QUERY_STRING)}"
    )


OUR_APPS = ("films", "soundtracks", "reviews")


def our_admins():
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in OUR_APPS
        ),
        key=lambda pair: pair[0]._meta.label,
    )


def test_every_admin_and_inline_takes_hostile_input():
    for model, model_admin in our_admins():
        assert isinstance(model_admin, InputSafeAdminMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, InputSafeInlineMixin), inline


#: What the forms below are sent for every relation and inline row id.
HOSTILE_IDS = ["abc", str(10**30), "%00"]


@pytest.mark.parametrize("view", ["add", "change"])
def test_forms_answer_hostile_related_ids_with_a_form_error(content, view):
    """A form sent back with ids that are none (the sweep sends GETs; this, POSTs): every
    relation of the form and of its inlines, and the inline rows' own ids. Each hostile value
    is posted from one load of the form: a refused form changes nothing."""
    client = _clients()["editor"]
    failures = []
    for model, _ in our_admins():
        obj = model._default_manager.order_by("pk").first()
        if obj is None and view == "change":
            continue  # none in the demo content (themes): their own tests feed their forms
        args = [obj.pk] if view == "change" else []
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
        page = client.get(url)
        data = form_data(page)
        forms = [page.context["adminform"].form] + [
            form for inline in page.context["inline_admin_formsets"] for form in inline.formset
        ]
        related = [
            form.add_prefix(name)
            for form in forms
            for name, field in form.fields.items()
            if isinstance(field, ModelChoiceField)
        ]
        related += [f"{form.prefix}-id" for form in forms[1:] if form.instance.pk]
        assert related or model._meta.model_name in {"tag", "franchise", "badge"}, model
        for value in HOSTILE_IDS:
            response = client.post(url, {**data, **dict.fromkeys(related, value)})
            if response.status_code >= 500 or response.status_code == 302 and related:
                failures.append(f"{url} {value!r}: {response.status_code}")
    assert not failures, failures
