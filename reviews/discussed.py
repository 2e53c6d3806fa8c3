"""Which published reviews discuss a person, a group or a franchise.

A review discusses the films it covers (its film and its other films) and the albums it covers.
So it discusses everyone credited on those films, in any role, and the artists of those albums
and of the films' albums; and a person through the groups they belong to (the Tron: Ares review
is on Trent Reznor's page because Nine Inch Nails scored the film), but not a group through its
members' other work. A franchise's reviews are those of its films and their albums.

Each is one query whatever the number of credits, groups or albums: the films and albums are
subqueries, and the many-to-many rows are matched with ``pk IN`` rather than joins, so a review
covering several of them is listed once without ``DISTINCT``.
"""

from django.db.models import Q

from films.models import Credit, Film, Person
from reviews.models import Review
from soundtracks.models import Soundtrack


def discussing(films, albums=None):
    """Published reviews covering any of ``films`` or ``albums`` (querysets of their pks), or
    the albums of those films."""
    of_films = Q(film__in=films)
    albums = Soundtrack.objects.filter(of_films if albums is None else Q(pk__in=albums) | of_films)
    albums = albums.values("pk")
    other_films = Review.other_films.through.objects.filter(film__in=films).values("review")
    covering = Review.soundtracks.through.objects.filter(soundtrack__in=albums).values("review")
    return Review.objects.published().filter(
        Q(film__in=films) | Q(pk__in=other_films) | Q(pk__in=covering)
    )


def discussing_person(person):
    """Published reviews of the films and albums of ``person`` or of a group they are in."""
    people = Person.objects.filter(Q(pk=person.pk) | Q(members=person.pk)).values("pk")
    films = Credit.objects.filter(person__in=people).values("film")
    albums = Soundtrack.artists.through.objects.filter(person__in=people).values("soundtrack")
    return discussing(films, albums)


def discussing_franchise(franchise):
    """Published reviews of the films of ``franchise`` and of their albums."""
    films = Film.objects.filter(franchise=franchise.pk).values("pk")
    return discussing(films)
