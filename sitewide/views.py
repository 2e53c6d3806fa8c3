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

from films.models import Film, Person
from pagecache import keys
from pagecache.middleware import PAGE_NUMBER, reads
from pagemeta import seo
from pagemeta.pages import PageMixin, page_context
from reviews.models import Review
from sitewide import structured_data
from sitewide.forms import SearchForm
from soundtracks.models import Soundtrack, Track

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


# What search looks in, by kind: its label and the matching rows with what their results show.
SEARCHES = {
    "reviews": ("Reviews", lambda q: Review.objects.published().matching(q).for_listing()),
    "films": ("Films", lambda q: Film.objects.filter(title__icontains=q)),
    "people": ("People", lambda q: Person.objects.filter(name__icontains=q)),
    "tracks": (
        "Tracks",
        lambda q: Track.objects.filter(title__icontains=q).select_related("soundtrack"),
    ),
}
RESULTS_PER_KIND = 5
RESULTS_PER_PAGE = 20


# Results are never stored: a page per query would let anyone fill the cache (README).
@reads(q=None, kind=None, page=None)
def search(request):
    """Results grouped by kind, a few of each; one kind alone is paginated in full."""
    form = SearchForm(request.GET)
    query = kind = ""
    groups = []
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    if query:
        for name, (label, matching) in SEARCHES.items():
            if kind and kind != name:
                continue
            paginator = Paginator(matching(query), RESULTS_PER_PAGE if kind else RESULTS_PER_KIND)
            page = paginator.get_page(request.GET.get("page") if kind else 1)
            groups.append({"kind": name, "label": label, "page": page, "count": paginator.count})
    if query:
        title = f"{SEARCHES[kind][0] if kind else 'Search results'} matching “{query}”"
    else:
        title = "Search"
    meta = {
        "title": title,
        "description": seo.describe(
            f"Reviews, films, people and tracks on Cuesheet that mention “{query}”."
            if query
            else "Search Cuesheet’s reviews, films, people and tracks."
        ),
    }
    context = {"form": form, "query": query, "kind": kind, "groups": groups}
    context |= page_context(request, meta, [("Search", reverse("sitewide:search"))])
    return render(request, "sitewide/search.html", context)
