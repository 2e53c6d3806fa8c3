"""The pages that span apps: the front page, search and the health check."""

from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from pagecache import keys
from pagecache.middleware import PAGE_NUMBER, reads
from pagemeta import seo
from pagemeta.pages import PageMixin, page_context
from reviews.models import Review
from sitewide import search as search_engine
from sitewide import structured_data
from sitewide.forms import SearchForm
from soundtracks.models import Soundtrack

LATEST_ON_HOME = 7


@never_cache
@require_safe
def healthz(request):
    """Report whether the database and the cache answer; 503 when either does not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, reported by name
        checks["database"] = f"error: {type(error).__name__}"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


@reads(p=PAGE_NUMBER)
def sitemap(request, sitemaps):
    """Django's sitemap, tagged as listing every model: whatever is added, changed or withdrawn
    anywhere changes some part of it."""
    keys.add_every_list()
    return sitemap_views.sitemap(request, sitemaps)


class HomeView(PageMixin, TemplateView):
    template_name = "sitewide/home.html"

    def get_context_data(self, **kwargs):
        keys.add_list(Review)  # the latest reviews, whichever they are
        reviews = list(Review.objects.published().for_listing()[:LATEST_ON_HOME])
        lead = reviews[0] if reviews else None
        # The newest album the lead review covers.
        focus = (
            Soundtrack.objects.filter(reviews=lead)
            .select_related("film", "cover")
            .with_running_time()
            .order_by("-release_date")
            .first()
            if lead
            else None
        )
        return super().get_context_data(lead=lead, latest=reviews[1:], focus=focus, **kwargs)

    def get_meta(self):
        return {
            "title": "Film music, cue by cue",
            "description": "Reviews of film scores and soundtracks, with the films, the people "
            "and the tracks behind them: what plays where, and why it matters.",
        }

    def get_structured_data(self):
        return [structured_data.website(self.request)]


RESULTS_PER_KIND = 5
RESULTS_PER_PAGE = 20
SUGGESTIONS = 3


class SearchResults:
    """One kind's results as a Paginator reads them: its count, then the slice of a page,
    each asked of the database once (the first page of "everything" comes fetched already)."""

    def __init__(self, engine, kind, query, total=None, first=None):
        self.engine, self.kind, self.query = engine, kind, query
        self.total, self.first = total, first

    def count(self):
        if self.total is None:
            self.total = self.engine.count(self.kind, self.query)
        return self.total

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if page.start == 0 and self.first is not None:
            return self.first[: page.stop]
        return self.engine.results(
            self.kind, self.query, page.start, page.stop - page.start, total=self.count()
        )[1]


# Results are never stored: a page per query would let anyone fill the cache (README).
@reads(q=None, kind=None, page=None)
def search(request):
    """Ranked results grouped by kind with their counts, a few of each; one kind alone is
    paginated in full. When nothing is found, the nearest names are suggested."""
    form = SearchForm(request.GET)
    text = kind = ""
    groups, suggestions = [], []
    if form.is_valid():
        text, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    query = search_engine.parse(text)
    engine = search_engine.backend()
    if text:
        firsts = engine.first_pages(query, RESULTS_PER_KIND) if query and not kind else {}
        for name, searched in search_engine.KINDS.items():
            if kind and kind != name:
                continue
            if kind:
                results = SearchResults(engine, searched, query) if query else []
                page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            else:
                total, first = firsts.get(name, (0, []))
                results = SearchResults(engine, searched, query, total, first)
                page = Paginator(results, RESULTS_PER_KIND).page(1)
            count = page.paginator.count
            groups.append({"kind": name, "label": searched.label, "page": page, "count": count})
        if query and not any(group["count"] for group in groups):
            suggestions = engine.suggestions(query, SUGGESTIONS)
    if text:
        label = search_engine.KINDS[kind].label if kind else "Search results"
        title = f"{label} matching “{text}”"
    else:
        title = "Search"
    meta = {
        "title": title,
        "description": seo.describe(
            f"Reviews, films, people, albums, tracks and cues on Cuesheet that mention “{text}”."
            if text
            else "Search Cuesheet’s reviews, films, people, albums, tracks and cues."
        ),
    }
    context = {
        "form": form,
        "query": text,
        "kind": kind,
        "groups": groups,
        "suggestions": suggestions,
    }
    context |= page_context(request, meta, [("Search", reverse("sitewide:search"))])
    return render(request, "sitewide/search.html", context)
