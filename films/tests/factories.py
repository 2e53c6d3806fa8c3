"""factory_boy factories for the catalogue: franchises, people, films and credits."""

import datetime

import factory

from films.models import Credit, Film, Franchise, Person


class FranchiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Franchise

    name = factory.Sequence(lambda n: f"Franchise {n}")
    slug = factory.Sequence(lambda n: f"franchise-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class FilmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Film

    title = factory.Sequence(lambda n: f"Film {n}")
    slug = factory.Sequence(lambda n: f"film-{n}")
    release_date = datetime.date(2020, 1, 1)
    runtime = 100


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    film = factory.SubFactory(FilmFactory)
    person = factory.SubFactory(PersonFactory)
    role = Credit.Role.PRODUCER
    billing_order = factory.Sequence(int)
