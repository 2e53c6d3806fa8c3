"""People sorted by surname: a sort name an editor may give, else one derived from the name,
stored as an indexed sort key on every write that goes through Django."""

import datetime

import pytest
from django.core import serializers
from django.utils import timezone

from editorial.tests.admin_forms import admin_url, form_errors, post_change
from films.models import Person
from films.sorting import SORT_KEY_LENGTH, derived_sort_name, sort_key
from films.tests.factories import PersonFactory


@pytest.mark.parametrize(
    ("name", "is_group", "derived"),
    [
        ("Trent Reznor", False, "Reznor, Trent"),
        ("Ludwig van Beethoven", False, "Beethoven, Ludwig van"),
        ("Harry Gregson-Williams", False, "Gregson-Williams, Harry"),
        ("Sammy Davis Jr.", False, "Davis Jr., Sammy"),
        ("Sammy Davis, Jr.", False, "Davis, Jr., Sammy"),
        ("Vangelis", False, "Vangelis"),
        ("  Wendy   Carlos  ", False, "Carlos, Wendy"),
        ("Nine Inch Nails", True, "Nine Inch Nails"),
        ("Daft Punk", True, "Daft Punk"),
        ("", False, ""),
    ],
)
def test_a_person_sorts_by_surname_and_a_group_by_its_whole_name(name, is_group, derived):
    assert derived_sort_name(name, is_group) == derived


def test_the_key_is_the_sort_name_when_given_folded():
    assert sort_key("Trent Reznor", "", False) == "reznor, trent"
    assert sort_key("The Null Corporation", "Null  Corporation, The", True) == (
        "null corporation, the"
    )
    assert sort_key("Jóhann Jóhannsson", "", False) == "johannsson, johann"
    assert sort_key("Joachim Rønning", "", False) == "ronning, joachim"
    assert sort_key("Trent Reznor", "   ", False) == "reznor, trent"
    assert len(sort_key("x " * 300, "", False)) == SORT_KEY_LENGTH


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_saving_stores_the_key_and_an_edit_keeps_it_current():
    person = PersonFactory(name="Trent Reznor")
    assert Person.objects.get(pk=person.pk).sort_key == "reznor, trent"

    person.sort_name = "Trent"
    person.save()
    assert Person.objects.get(pk=person.pk).sort_key == "trent"

    person.sort_name = ""
    person.name = "Atticus Ross"
    person.save(update_fields=["name"])
    assert Person.objects.get(pk=person.pk).sort_key == "ross, atticus"

    person.is_group = True
    person.save(update_fields=["is_group"])
    assert Person.objects.get(pk=person.pk).sort_key == "atticus ross"


@pytestmark_db
def test_bulk_created_people_get_their_keys():
    Person.objects.bulk_create(
        [Person(name="Wendy Carlos", slug="wendy-carlos"), Person(name="Daft Punk", slug="dp")]
    )
    assert dict(Person.objects.values_list("name", "sort_key")) == {
        "Wendy Carlos": "carlos, wendy",
        "Daft Punk": "punk, daft",  # not marked a group: an editor ticks it, the key follows
    }


@pytestmark_db
def test_loaded_people_get_their_keys_whatever_the_fixture_says():
    fixture = (
        '[{"model": "films.person", "fields": {"name": "Trent Reznor", "slug": "trent-reznor", '
        '"sort_key": "aaa invented", "uid": "5a7c9d8e-1b2c-4d3e-8f90-a1b2c3d4e5f6"}}]'
    )
    for obj in serializers.deserialize("json", fixture):
        obj.save()

    assert Person.objects.get(slug="trent-reznor").sort_key == "reznor, trent"


@pytestmark_db
def test_the_admin_edits_the_sort_name_with_its_help_and_the_index_follows(editor_client, client):
    reznor = PersonFactory(name="Trent Reznor")
    PersonFactory(name="Atticus Ross")
    page = editor_client.get(admin_url(Person, "change", reznor.pk)).content.decode()
    assert 'name="sort_name"' in page
    assert "Reznor, Trent" in page
    assert "Nine Inch Nails" in page  # the help says how groups sort

    response = post_change(editor_client, reznor, sort_name="Zed, Trent")

    assert response.status_code == 302, form_errors(response)
    reznor.refresh_from_db()
    assert (reznor.sort_name, reznor.sort_key) == ("Zed, Trent", "zed, trent")
    listed = client.get("/people/").content.decode()
    assert listed.index("Atticus Ross") < listed.index("Trent Reznor")


@pytestmark_db
@pytest.mark.parametrize("value", ["x" * 201, "\x00"])
def test_a_hostile_sort_name_is_a_form_error_and_nothing_changes(editor_client, value):
    person = PersonFactory(name="Trent Reznor")

    response = post_change(editor_client, person, sort_name=value)

    assert response.status_code == 200
    assert "sort_name" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.sort_name, person.sort_key) == ("", "reznor, trent")


@pytestmark_db
def test_a_save_stamps_the_change_time():
    before = timezone.now()
    person = PersonFactory(name="Trent Reznor")
    assert person.updated_at >= before

    Person.objects.filter(pk=person.pk).update(updated_at=before - datetime.timedelta(days=1))
    person.refresh_from_db()
    person.bio = "Composer."
    person.save()
    person.refresh_from_db()
    assert person.updated_at >= before
