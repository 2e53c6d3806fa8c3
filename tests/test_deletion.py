"""Nothing a published page relies on is deleted: the admin refuses and names it; code is refused.

Per model: an album a published review covers, a track or a cue one cites, a film one
discusses, a byline or a tag on one, a person a group or an album lists, are refused. The rest
may go, because it comes back from "Recover deleted …" (tests/test_recovery.py).
"""

from unittest import mock

import pytest
from django.contrib.admin.utils import quote
from django.db import transaction
from django.db.models import ProtectedError

from editorial.tests.admin_forms import admin_url, form_data
from films.models import Film, Person
from films.tests.factories import FilmFactory, PersonFactory
from reviews.models import Author, Review, Tag
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory
from soundtracks.models import Cue, Soundtrack, Track, TrackNote
from soundtracks.tests.factories import (
    CueFactory,
    SoundtrackFactory,
    TrackFactory,
    TrackNoteFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = Review.Status.DRAFT


def cited_album(status=Review.Status.PUBLISHED):
    """An album, one track with a note, and a review (of ``status``) citing the track."""
    track = TrackFactory(soundtrack__slug="the-album", position=1)
    TrackNoteFactory(track=track)
    review = ReviewFactory(body="Hear [it](track:the-album/1).", status=status)
    assert list(review.cited_tracks.all()) == [track]
    return track.soundtrack, track, review


def covered_album(status=Review.Status.PUBLISHED):
    album = SoundtrackFactory()
    TrackFactory(soundtrack=album)
    review = ReviewFactory(status=status)
    review.soundtracks.add(album)
    return album, review


def discussed_film(status=Review.Status.PUBLISHED):
    film = FilmFactory()
    review = ReviewFactory(status=status)
    review.other_films.add(film)
    return film, review


def byline(status=Review.Status.PUBLISHED):
    author = AuthorFactory()
    review = ReviewFactory(status=status, authors=[author])
    return author, review


def tagged(status=Review.Status.PUBLISHED):
    tag = TagFactory()
    review = ReviewFactory(status=status)
    review.tags.add(tag)
    return tag, review


def group_member(status=None):
    member = PersonFactory()
    group = PersonFactory(is_group=True)
    group.members.add(member)
    return member, group


def album_artist(status=None):
    person = PersonFactory()
    album = SoundtrackFactory()
    album.artists.add(person)
    return person, album


def cited_track(status=Review.Status.PUBLISHED):
    album, track, review = cited_album(status)
    return track, review


def cited_cue(status=Review.Status.PUBLISHED):
    cue = CueFactory(film__slug="the-film", slug="the-cue")
    review = ReviewFactory(body="Hear [the escape](cue:the-film/the-cue).", status=status)
    assert list(review.cited_cues.all()) == [cue]
    return cue, review


def cited_album_only(status=Review.Status.PUBLISHED):
    album, track, review = cited_album(status)
    return album, review


RELIED_ON = {
    "album covered": (covered_album, "covered by the published review"),
    "album with a cited track": (cited_album_only, "cited by the published review"),
    "track cited": (cited_track, "cited by the published review"),
    "cue cited": (cited_cue, "cited by the published review"),
    "film discussed": (discussed_film, "discussed in the published review"),
    "author's byline": (byline, "the byline of the published review"),
    "tag": (tagged, "a tag of the published review"),
    "group member": (group_member, "a member of the group"),
    "album artist": (album_artist, "an artist of the album"),
}


@pytest.mark.parametrize("case", list(RELIED_ON))
def test_the_delete_page_refuses_and_links_what_relies_on_it(editor_client, case):
    make, reason = RELIED_ON[case]
    obj, dependent = make()
    url = admin_url(type(obj), "delete", quote(obj.pk))

    page = editor_client.get(url)
    posted = editor_client.post(url, {"post": "yes"})

    for response in (page, posted):
        assert response.status_code == 200
        html = response.content.decode()
        assert reason in html
        link = admin_url(type(dependent), "change", dependent.pk)
        assert f'<a href="{link}">“{dependent}”</a>' in html
        assert "Yes, I’m sure" not in html
        assert "Nothing has been deleted." in html
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("case", list(RELIED_ON))
def test_delete_selected_refuses_the_whole_selection(editor_client, case):
    make, reason = RELIED_ON[case]
    obj, dependent = make()
    model = type(obj)
    free = {
        Soundtrack: SoundtrackFactory,
        Track: TrackFactory,
        Cue: CueFactory,
        Film: FilmFactory,
        Author: AuthorFactory,
        Tag: TagFactory,
        Person: PersonFactory,
    }[model]()
    response = editor_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk, free.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert model.objects.filter(pk__in=[obj.pk, free.pk]).count() == 2


@pytest.mark.parametrize("case", list(RELIED_ON))
def test_deleting_from_code_is_refused_too(case):
    make, reason = RELIED_ON[case]
    obj, dependent = make()
    model = type(obj)
    for delete in (obj.delete, model.objects.filter(pk=obj.pk).delete):
        with pytest.raises(ProtectedError, match=reason) as refused, transaction.atomic():
            delete()
        assert dependent in refused.value.protected_objects
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_cited_track_removed_from_the_albums_inline_is_refused_on_that_row(editor_client):
    album, track, review = cited_album()
    url = admin_url(Soundtrack, "change", album.pk)
    data = form_data(editor_client.get(url))

    response = editor_client.post(url, {**data, "tracks-0-DELETE": "on"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Not deleted:" in html
    assert "cited by the published review" in html
    assert admin_url(Review, "change", review.pk) in html
    assert Track.objects.filter(pk=track.pk).exists()
    assert list(review.cited_tracks.all()) == [track]


def test_an_uncited_track_still_goes_from_the_inline(editor_client):
    album, track, review = cited_album()
    spare = TrackFactory(soundtrack=album, position=2)
    url = admin_url(Soundtrack, "change", album.pk)
    data = form_data(editor_client.get(url))
    (row,) = [key for key, value in data.items() if key.endswith("-id") and value == str(spare.pk)]

    response = editor_client.post(url, {**data, row.replace("-id", "-DELETE"): "on"})

    assert response.status_code == 302
    assert not Track.objects.filter(pk=spare.pk).exists()


MAKERS = {
    "album covered": covered_album,
    "album with a cited track": cited_album_only,
    "track cited": cited_track,
    "cue cited": cited_cue,
    "film discussed": discussed_film,
    "author's byline": byline,
    "tag": tagged,
}


@pytest.mark.parametrize("status", [Review.Status.DRAFT, Review.Status.WITHDRAWN])
@pytest.mark.parametrize("case", list(MAKERS))
def test_what_only_unpublished_reviews_use_may_be_deleted(editor_client, case, status):
    obj, review = MAKERS[case](status)
    response = editor_client.post(admin_url(type(obj), "delete", quote(obj.pk)), {"post": "yes"})
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    assert Review.objects.filter(pk=review.pk).exists()


def test_deleting_an_uncited_album_takes_its_tracks_and_notes(editor_client):
    album, track, review = cited_album(DRAFT)
    response = editor_client.post(admin_url(Soundtrack, "delete", album.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Track.objects.exists()
    assert not TrackNote.objects.exists()


def test_a_delete_that_races_past_the_page_is_refused_with_a_message(editor_client):
    album, review = covered_album()
    with mock.patch("editorial.admin_deletion.reliances", return_value=[]):
        response = editor_client.post(admin_url(Soundtrack, "delete", album.pk), {"post": "yes"})
    assert response.status_code == 302
    assert Soundtrack.objects.filter(pk=album.pk).exists()
    page = editor_client.get(response.url)
    messages = [str(message) for message in page.context["messages"]]
    assert any("covered by the published review" in message for message in messages)


def test_a_bulk_delete_that_races_past_the_page_is_refused_with_a_message(editor_client):
    album, review = covered_album()
    with mock.patch("editorial.admin_deletion.reliances", return_value=[]):
        response = editor_client.post(
            admin_url(Soundtrack, "changelist"),
            {"action": "delete_selected", "_selected_action": [album.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert Soundtrack.objects.filter(pk=album.pk).exists()


def test_a_group_and_its_members_may_go_together(editor_client):
    member, group = group_member()
    people = Person.objects.filter(pk__in=[member.pk, group.pk])
    response = editor_client.post(
        admin_url(Person, "changelist"),
        {"action": "delete_selected", "_selected_action": [member.pk, group.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not people.exists()


def test_a_group_and_its_members_may_go_together_from_code():
    member, group = group_member()
    Person.objects.filter(pk__in=[member.pk, group.pk]).delete()
    assert not Person.objects.exists()
