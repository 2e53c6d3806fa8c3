from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from films.models import Credit, Film, Person
from pagecache.middleware import reads
from pagemeta import seo
from pagemeta.pages import PageMixin, page_context
from reviews.forms import SearchForm
from reviews.models import Author, Review, Tag
from reviews.preview import SHARE_PARAMETER, PreviewMixin
from soundtracks.models import Soundtrack, Track

LATEST_ON_HOME = 7
RELATED_REVIEWS = 3


class HomeView(PageMixin, TemplateView):
    template_name = "reviews/home.html"

    def get_context_data(self, **kwargs):
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
        return [seo.website(self.request)]


class ReviewListView(PageMixin, ListView):
    paginate_by = 20

    def get_queryset(self):
        return Review.objects.published().for_listing()

    def get_meta(self):
        return {
            "title": "Reviews",
            "description": "Every review on Cuesheet, newest first: film scores and "
            "soundtracks weighed track by track.",
        }

    def get_breadcrumbs(self):
        return [("Reviews", reverse("reviews:review_list"))]


class ReviewDetailView(PreviewMixin, PageMixin, DetailView):
    # A share link's preview is rendered for its token and never stored.
    page_cache_parameters = {SHARE_PARAMETER: None}

    def get_queryset(self):
        return (
            Review.objects.published()
            .select_related("film__franchise", "film__poster", "hero_image")
            .prefetch_related(
                "authors",
                "tags",
                "other_films",
                Prefetch("soundtracks", queryset=Soundtrack.objects.select_related("cover")),
                Prefetch("film__credits", queryset=Credit.objects.select_related("person")),
            )
        )

    def get_context_data(self, **kwargs):
        related = Review.objects.published().related_to(self.object).for_listing()
        return super().get_context_data(related=related[:RELATED_REVIEWS], **kwargs)

    def get_meta(self):
        review = self.object
        return {
            "title": review.seo_title or review.headline,
            "description": seo.describe(review.seo_description, review.dek, review.headline),
            "og_type": "article",
            # Without a hero image of its own, a review's link preview shows its film's poster.
            "image": seo.preview_image(self.request, review.hero_image)
            or seo.preview_image(self.request, review.film and review.film.poster),
        }

    def get_breadcrumbs(self):
        return [
            ("Reviews", reverse("reviews:review_list")),
            (self.object.headline, self.object.get_absolute_url()),
        ]

    def get_structured_data(self):
        return [seo.review(self.request, self.object)]


class ReviewsOfMixin(PageMixin, SingleObjectMixin):
    """A tag's or author's page: the object, and its published reviews paginated.

    Tags and bylines that carry no published review are 404s: a reader never learns of them.
    """

    paginate_by = 20
    # The name of the relation from Review to the object, for the published reviews carrying it.
    review_relation = None

    def get(self, request, *args, **kwargs):
        visible = Review.objects.published().values(self.review_relation)
        self.object = self.get_object(queryset=self.model.objects.filter(pk__in=visible))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Review.objects.published().filter(**{self.review_relation: self.object}).for_listing()
        )

    def get_breadcrumbs(self):
        return [(str(self.object), self.object.get_absolute_url())]


class TagDetailView(ReviewsOfMixin, ListView):
    model = Tag
    review_relation = "tags"
    template_name = "reviews/tag_detail.html"

    def get_meta(self):
        return {
            "title": f"Reviews tagged “{self.object.name}”",
            "description": f"Cuesheet reviews about {self.object.name}, newest first.",
        }


class AuthorDetailView(ReviewsOfMixin, ListView):
    model = Author
    review_relation = "authors"
    template_name = "reviews/author_detail.html"

    def get_meta(self):
        return {
            "title": f"Reviews by {self.object.name}",
            "description": seo.describe(self.object.bio, f"Reviews by {self.object.name}."),
            "og_type": "profile",
        }


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
    context |= page_context(request, meta, [("Search", reverse("reviews:search"))])
    return render(request, "reviews/search.html", context)
