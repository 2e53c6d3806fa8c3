"""Users as the admin knows them: anyone, writers and editors (groups a migration makes)."""

import factory
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery")


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
