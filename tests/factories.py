"""factory_boy factories for test data. Fixtures are demo content; tests build their own."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from films.models import Credit, Film, Franchise, Person
from reviews.models import Author, Review, Tag
from soundtracks.models import Soundtrack, Track, TrackNote


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery")


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


class SoundtrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Soundtrack

    film = factory.SubFactory(FilmFactory)
    title = factory.Sequence(lambda n: f"Album {n}")
    slug = factory.Sequence(lambda n: f"album-{n}")
    artist_credit = "Some Composer"


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    soundtrack = factory.SubFactory(SoundtrackFactory)
    disc = 1
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Track {n}")
    duration = 180


class TrackNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackNote

    track = factory.SubFactory(TrackFactory)
    scene = "Opening credits"
    usage = TrackNote.Usage.WHOLE
    text = "A note."


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Review {n}")
    slug = factory.Sequence(lambda n: f"review-{n}")
    dek = "A standfirst."
    body = "A paragraph.\n\n## A subhead\n\nAnother paragraph."
    film = factory.SubFactory(FilmFactory)
    status = Review.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            self.authors.set(extracted if extracted is not None else [AuthorFactory()])


def _member_of(group_name):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            self.groups.add(Group.objects.get(name=group_name))

    return groups


class WriterFactory(UserFactory):
    """A writer: staff in the Writers group that a migration makes."""

    is_staff = True
    groups = _member_of("Writers")

    class Meta:
        skip_postgeneration_save = True


class EditorFactory(UserFactory):
    """An editor: staff in the Editors group, without superuser powers."""

    is_staff = True
    groups = _member_of("Editors")

    class Meta:
        skip_postgeneration_save = True
