from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from films.models import Credit, Franchise, Person
from pagecache import keys
from pagemeta import fragments, seo
from pagemeta.pages import PageMixin
from reviews import discussed, feeds, structured_data
from reviews.models import Author, Review, Tag
from reviews.preview import SHARE_PARAMETER, PreviewMixin
from soundtracks.models import Cue, Soundtrack

RELATED_REVIEWS = 3
# Under the article, beside its bylines' bios.
MORE_BY_THE_AUTHORS = 3

# What the review page's fragments show beyond the review's own row: fetched only to render them.
FRAGMENT_PREFETCHES = (
    "authors",
    "tags",
    "other_films",
    Prefetch("soundtracks", queryset=Soundtrack.objects.select_related("cover")),
    Prefetch("film__credits", queryset=Credit.objects.select_related("person")),
    # Its verdict under the headline (album ratings, badges), its corrections at its foot.
    *Review.objects.verdict_prefetches(),
    "corrections",
)


class ReviewListView(PageMixin, ListView):
    paginate_by = 20

    def get_queryset(self):
        keys.add_list(Review)  # a review published anywhere joins it
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
            # The infobox links to the film's music page only when it has a cue sheet; asked in
            # the review's own query, not one of its own.
            .annotate(film_has_cues=Exists(Cue.objects.filter(film=OuterRef("film"))))
        )

    def prepare_fragments(self):
        """What only a rendering of the page's fragments reads (pagemeta.fragments): served
        from the cache, the page runs none of these queries."""
        if self._prepared:
            return
        self._prepared = True
        prefetch_related_objects([self.object], *FRAGMENT_PREFETCHES)

    _prepared = False

    def get_context_data(self, **kwargs):
        pk = self.object.pk
        if not self.preview_mode:
            fragments.preload(
                self.request,
                *(
                    f"review-{part}:{pk}"
                    for part in ("head", "corrections", "aside", "authors", "related", "json-ld")
                ),
            )
        published = Review.objects.published()
        related = published.related_to(self.object).for_listing()
        more = published.by_the_authors_of(self.object).only("slug", "headline", "publish_at")
        return super().get_context_data(
            related=related[:RELATED_REVIEWS],
            more_by_the_authors=more[:MORE_BY_THE_AUTHORS],
            prepare_fragments=self.prepare_fragments,
            **kwargs,
        )

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
        return [
            fragments.JsonLd(
                f"review-json-ld:{self.object.pk}",
                lambda: structured_data.review(self.request, self.object),
                self.prepare_fragments,
                self.request,
                # A preview shows a draft: never stored.
                cached=not self.preview_mode,
            )
        ]


class ReviewsOfMixin(PageMixin, SingleObjectMixin):
    """A tag's or author's page: the object, and its published reviews paginated.

    Tags and bylines that carry no published review are 404s: a reader never learns of them.
    """

    paginate_by = 20
    # The name of the relation from Review to the object, for the published reviews carrying it.
    review_relation = None

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=self.get_visible_objects())
        return super().get(request, *args, **kwargs)

    def get_visible_objects(self):
        visible = Review.objects.published().values(self.review_relation)
        return self.model.objects.filter(pk__in=visible)

    def get_reviews(self):
        return Review.objects.published().filter(**{self.review_relation: self.object})

    def get_queryset(self):
        return self.get_reviews().for_listing()

    def get_breadcrumbs(self):
        return [(str(self.object), self.object.get_absolute_url())]


class TagDetailView(ReviewsOfMixin, ListView):
    model = Tag
    review_relation = "tags"
    template_name = "reviews/tag_detail.html"

    def get_context_data(self, **kwargs):
        # The tag's page is a 404 without a published review: so would its feeds be.
        alternates = feeds.alternates(
            feeds.TagReviewsFeed, feeds.TagReviewsAtomFeed, self.object, checked=True
        )
        return super().get_context_data(feeds=alternates, **kwargs)

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


class DiscussedInMixin(ReviewsOfMixin):
    """All the published reviews that discuss a person or a franchise (``reviews.discussed``),
    paginated; the person's or franchise's own page shows the newest few. Without any, a 404:
    no page links here then."""

    def get_visible_objects(self):
        return self.model.objects.all()

    def get_queryset(self):
        # A review joining or leaving the list need not be of any film or album the page
        # shows (a new review of another of the person's films): any list change purges it.
        keys.add_list(Review)
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Counted already by the paginator: no query of its own.
        if not context["paginator"].count:
            raise Http404("No published review discusses this.")
        return context

    def get_breadcrumbs(self):
        return [
            *self.get_parent_breadcrumbs(),
            (str(self.object), self.object.get_absolute_url()),
            ("Reviews", reverse(self.url_name, args=[self.object.slug])),
        ]


class PersonReviewsView(DiscussedInMixin, ListView):
    model = Person
    template_name = "reviews/person_reviews.html"
    url_name = "reviews:person_reviews"

    def get_reviews(self):
        return discussed.discussing_person(self.object)

    def get_parent_breadcrumbs(self):
        return [("People", reverse("films:person_list"))]

    def get_meta(self):
        name = self.object.name
        return {
            "title": f"Reviews discussing {name}",
            "description": f"Cuesheet reviews of the films and albums of {name}, newest first.",
        }


class FranchiseReviewsView(DiscussedInMixin, ListView):
    model = Franchise
    template_name = "reviews/franchise_reviews.html"
    url_name = "reviews:franchise_reviews"

    def get_reviews(self):
        return discussed.discussing_franchise(self.object)

    def get_parent_breadcrumbs(self):
        return [("Films", reverse("films:film_list"))]

    def get_meta(self):
        name = self.object.name
        return {
            "title": f"Reviews of the {name} films",
            "description": f"Cuesheet reviews of the {name} films and their albums, newest first.",
        }
