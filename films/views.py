"""The catalogue's pages. Reviews and soundtracks sit above this app and are never imported here.

These views render a film, a person and a franchise from films' own data: credits, cast, the
franchise's order. The layers above extend them with what they know (``soundtracks.catalogue``
adds the albums, the cue sheet's link and the themes; ``reviews.catalogue`` the reviews), and the
URLs route to the most extended views (``reviews.urls``). The templates read that context where
it is given and leave its sections out where it is not.
"""

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView

from films import structured_data
from films.models import Credit, Film, Franchise, Person
from pagecache import keys
from pagemeta import fragments, seo
from pagemeta.pages import PageMixin

# How the film page heads each role's credits; the cast has its own table.
FILM_CREDIT_HEADINGS = {
    Credit.Role.DIRECTOR: "Directed by",
    Credit.Role.PRODUCER: "Produced by",
    Credit.Role.SCREENPLAY: "Screenplay by",
    Credit.Role.STORY: "Story by",
    Credit.Role.COMPOSER: "Music by",
}


def group_by_role(credits, headings=None):
    """``[(heading, [credit, ...]), ...]`` in the order of ``Credit.Role``, keeping each role's
    credits in the order given. Roles missing from ``headings`` are left out when it is given."""
    grouped = {role: [] for role in Credit.Role if headings is None or role in headings}
    for credit in credits:
        if credit.role in grouped:
            grouped[credit.role].append(credit)
    return [
        ((headings or {}).get(role, role.label), items) for role, items in grouped.items() if items
    ]


class FilmListView(PageMixin, ListView):
    paginate_by = 50

    def get_queryset(self):
        keys.add_list(Film)  # a film added anywhere joins it
        return Film.objects.with_credits()

    def get_meta(self):
        return {
            "title": "Films",
            "description": "The films Cuesheet covers, with their directors, composers and "
            "soundtracks.",
        }

    def get_breadcrumbs(self):
        return [("Films", reverse("films:film_list"))]


class PersonListView(PageMixin, ListView):
    """Everyone in the catalogue, people and groups alike, people by surname and groups by name
    (``Person.sort_key``); each with how many films they are credited on."""

    paginate_by = 50
    template_name = "films/person_list.html"

    def get_queryset(self):
        keys.add_list(Person)  # a person added anywhere joins it
        # Ordered explicitly: a query with an aggregate ignores Meta.ordering.
        return (
            Person.objects.select_related("photo")
            .annotate(film_count=Count("credits__film", distinct=True))
            .order_by("sort_key", "name", "pk")
        )

    def get_meta(self):
        return {
            "title": "People and groups",
            "description": "The composers, directors, cast and bands of the films Cuesheet "
            "covers, from A to Z.",
        }

    def get_breadcrumbs(self):
        return [("People", reverse("films:person_list"))]


class ComposerListView(PageMixin, ListView):
    """The people and groups credited with a film's music, as the people index sorts them, each
    with the films they scored in release order."""

    paginate_by = 50
    template_name = "films/composer_list.html"

    def get_queryset(self):
        keys.add_list(Person)  # a composer renamed or added
        keys.add_list(Credit)  # a composer credit given or taken away anywhere
        composing = Credit.objects.filter(role=Credit.Role.COMPOSER)
        scored = composing.select_related("film").order_by(
            "film__release_date", "film__title", "pk"
        )
        return (
            Person.objects.filter(pk__in=composing.values("person"))
            .select_related("photo")
            .prefetch_related(Prefetch("credits", queryset=scored, to_attr="composer_credits"))
            .order_by("sort_key", "name", "pk")
        )

    def get_meta(self):
        return {
            "title": "Composers",
            "description": "Everyone who wrote music for the films Cuesheet covers, people and "
            "groups, from A to Z, with the films they scored.",
        }

    def get_breadcrumbs(self):
        return [
            ("People", reverse("films:person_list")),
            ("Composers", reverse("films:composer_list")),
        ]


class FilmDetailView(PageMixin, DetailView):
    """A film's page. Its article, description and JSON-LD change only with content, so they
    are fragments (``pagemeta.fragments``): the credits and what the context computes from
    them are read only when one renders (``prepare_fragments``, lazy context)."""

    #: The page's fragments, by part; the layers above read their additions inside "article".
    fragment_parts = ("article", "description", "json-ld")

    def get_queryset(self):
        return Film.objects.select_related("franchise", "poster")

    def prepare_fragments(self):
        if not getattr(self, "_prepared", False):
            self._prepared = True
            credits = Credit.objects.select_related("person")
            prefetch_related_objects([self.object], Prefetch("credits", queryset=credits))

    def fragment_name(self, part):
        return f"film-{part}:{self.object.pk}"

    def get_context_data(self, **kwargs):
        film = self.object
        fragments.preload(self.request, *map(self.fragment_name, self.fragment_parts))
        context = {
            "credit_groups": SimpleLazyObject(
                lambda: group_by_role(film.credits.all(), FILM_CREDIT_HEADINGS)
            ),
            "prepare_fragments": self.prepare_fragments,
        }
        if film.franchise:
            nav = SimpleLazyObject(lambda: self.franchise_nav(film))
            context["franchise_films"] = SimpleLazyObject(lambda: nav["films"])
            context["franchise_place"] = SimpleLazyObject(lambda: nav["place"])
            context["previous_film"] = SimpleLazyObject(lambda: nav["previous"])
            context["next_film"] = SimpleLazyObject(lambda: nav["next"])
        return super().get_context_data(**context, **kwargs)

    @staticmethod
    def franchise_nav(film):
        films = list(film.franchise.films.in_franchise_order())
        place = films.index(film)
        return {
            "films": films,
            "place": place + 1,
            "previous": films[place - 1] if place > 0 else None,
            "next": films[place + 1] if place + 1 < len(films) else None,
        }

    def get_meta(self):
        film = self.object
        return {
            "title": str(film),
            "description": SimpleLazyObject(
                lambda: fragments.cached(
                    self.fragment_name("description"),
                    self.describe,
                    self.prepare_fragments,
                    self.request,
                )
            ),
            "og_type": "video.movie",
            "image": seo.preview_image(self.request, film.poster),
        }

    def describe(self):
        film = self.object
        directors = ", ".join(person.name for person in film.directors)
        composers = ", ".join(person.name for person in film.composers)
        facts = str(film)
        if directors:
            facts += f", directed by {directors}"
        if composers:
            facts += f", music by {composers}"
        return seo.describe(f"{facts}: credits, cast, soundtracks and reviews on Cuesheet.")

    def get_breadcrumbs(self):
        return [
            ("Films", reverse("films:film_list")),
            (str(self.object), self.object.get_absolute_url()),
        ]

    def get_structured_data(self):
        return [
            fragments.JsonLd(
                self.fragment_name("json-ld"),
                lambda: structured_data.movie(self.request, self.object),
                self.prepare_fragments,
                self.request,
            )
        ]


class PersonDetailView(PageMixin, DetailView):
    """A person's page. Its article and JSON-LD are fragments (``pagemeta.fragments``): the
    credits, members and groups are read only when one renders (``fragment_prefetches``)."""

    def get_queryset(self):
        return Person.objects.select_related("photo")

    def fragment_prefetches(self):
        credits = Credit.objects.select_related("film__franchise").order_by(
            "film__release_date", "billing_order"
        )
        # A member's page follows each group to its films.
        groups = Person.objects.prefetch_related(Prefetch("credits", queryset=credits))
        return [
            Prefetch("credits", queryset=credits),
            "members",
            Prefetch("groups", queryset=groups),
        ]

    def prepare_fragments(self):
        if not getattr(self, "_prepared", False):
            self._prepared = True
            prefetch_related_objects([self.object], *self.fragment_prefetches())

    def get_context_data(self, **kwargs):
        pk = self.object.pk
        fragments.preload(self.request, f"person-article:{pk}", f"person-json-ld:{pk}")
        return super().get_context_data(
            credit_groups=SimpleLazyObject(lambda: group_by_role(self.object.credits.all())),
            prepare_fragments=self.prepare_fragments,
            **kwargs,
        )

    def get_meta(self):
        person = self.object
        return {
            "title": person.name,
            "description": seo.describe(
                person.bio,
                f"{person.name}: film credits and soundtrack albums on Cuesheet.",
            ),
            "og_type": "profile",
            "image": seo.preview_image(self.request, person.photo),
        }

    def get_breadcrumbs(self):
        return [
            ("People", reverse("films:person_list")),
            (self.object.name, self.object.get_absolute_url()),
        ]

    def get_structured_data(self):
        return [
            fragments.JsonLd(
                f"person-json-ld:{self.object.pk}",
                lambda: structured_data.person(self.request, self.object),
                self.prepare_fragments,
                self.request,
            )
        ]


class FranchiseDetailView(PageMixin, DetailView):
    def get_queryset(self):
        composers = Credit.objects.filter(role=Credit.Role.COMPOSER).select_related("person")
        films = (
            Film.objects.in_franchise_order()
            .select_related("poster")
            .prefetch_related(Prefetch("credits", queryset=composers, to_attr="composer_credits"))
        )
        return Franchise.objects.prefetch_related(Prefetch("films", queryset=films))

    def get_meta(self):
        franchise = self.object
        return {
            "title": f"{franchise.name}: the films and their music",
            "description": seo.describe(
                franchise.description,
                f"The {franchise.name} films in order, with their scores and composers.",
            ),
        }

    def get_breadcrumbs(self):
        return [
            ("Films", reverse("films:film_list")),
            (self.object.name, self.object.get_absolute_url()),
        ]

    def get_structured_data(self):
        # The franchise's films in order (prefetched): an ItemList.
        franchise = self.object
        return [seo.item_list(self.request, list(franchise.films.all()), name=franchise.name)]
