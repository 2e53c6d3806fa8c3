"""The soundtracks layer composes the catalogue's pages with their music (``catalogue.py``).

films renders a film, a person and a franchise without albums (films/tests/test_pages_alone.py);
the pages readers reach add the albums, the link to the film's cue sheet and the franchise's
themes, and the reviews layer extends these views in turn.
"""

import pytest
from django.urls import resolve

from editorial.tests.html import parse_html
from films.models import Credit
from films.tests.factories import CreditFactory, FilmFactory, FranchiseFactory, PersonFactory
from soundtracks import catalogue
from soundtracks.tests.factories import CueFactory, SoundtrackFactory, ThemeFactory


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return parse_html(response.content.decode())


def hrefs(element):
    return [a["href"] for a in element.find_all("a")]


def test_the_catalogue_urls_route_to_views_that_extend_the_music_ones(db):
    film = resolve("/films/a-film/").func.view_class
    person = resolve("/people/someone/").func.view_class
    franchise = resolve("/franchises/a-franchise/").func.view_class

    # The film page adds reviews above its music; the others have no reviews to add.
    assert issubclass(film, catalogue.FilmWithMusicView)
    assert film is not catalogue.FilmWithMusicView
    assert issubclass(person, catalogue.PersonWithAlbumsView)
    assert issubclass(franchise, catalogue.FranchiseWithMusicView)


def test_film_page_lists_its_albums_and_links_to_its_cue_sheet(client, db):
    film = FilmFactory(title="Grid")
    album = SoundtrackFactory(film=film, title="Grid (Original Score)")
    for _ in range(3):
        CueFactory(film=film)

    html = page(client, film.get_absolute_url())

    assert hrefs(html.find("#music-title").parent) == [f"/films/{film.slug}/music/"]
    assert "The cue sheet of Grid 3 cues in film order" in html.text_of(".music-link")
    soundtracks = html.find("#soundtracks-title").parent
    assert album.get_absolute_url() in hrefs(soundtracks)


def test_film_page_without_cues_has_no_cue_sheet_link(client, db):
    film = FilmFactory()
    SoundtrackFactory(film=film)
    # Another film's cues are not this one's.
    CueFactory()

    html = page(client, film.get_absolute_url())

    assert html.find("#music-title") is None
    assert f"/films/{film.slug}/music/" not in hrefs(html)
    assert html.find("#soundtracks-title") is not None


def test_person_page_lists_their_albums_and_their_groups_albums(client, db):
    person = PersonFactory()
    group = PersonFactory(is_group=True)
    group.members.add(person)
    own = SoundtrackFactory(title="Solo")
    own.artists.add(person)
    together = SoundtrackFactory(title="Together")
    together.artists.add(group)
    CreditFactory(person=group, role=Credit.Role.COMPOSER, film=together.film)

    html = page(client, person.get_absolute_url())

    assert own.get_absolute_url() in hrefs(html.find("#albums-title").parent)
    with_group = html.find("section", **{"aria-labelledby": f"with-{group.slug}"})
    assert together.get_absolute_url() in hrefs(with_group)
    assert "Album: Together for" in with_group.text


def test_franchise_page_lists_each_films_albums_and_the_themes_in_order(client, db):
    franchise = FranchiseFactory()
    first = FilmFactory(franchise=franchise, franchise_order=1, title="One")
    second = FilmFactory(franchise=franchise, franchise_order=2, title="Two")
    album = SoundtrackFactory(film=second)
    album.artists.add(PersonFactory(name="The Composer"))
    late = ThemeFactory(film=second, name="A Late Theme")
    early = ThemeFactory(film=first, name="Z Early Theme")
    across = ThemeFactory(film=None, franchise=franchise, name="The Grid")
    ThemeFactory(name="Another franchise's theme")

    html = page(client, franchise.get_absolute_url())

    themes = html.find("#themes-title").parent
    assert hrefs(themes) == [
        across.get_absolute_url(),
        early.get_absolute_url(),
        late.get_absolute_url(),
    ]
    assert across.get_absolute_url() == f"/themes/{across.slug}/"
    assert "The Grid across the films" in themes.text
    assert "Z Early Theme in One" in themes.text
    timeline = html.find("ol.timeline")
    assert album.get_absolute_url() in hrefs(timeline)
    assert "by The Composer" in timeline.text


@pytest.mark.parametrize("path", ["/films/no-such-film/", "/franchises/nope/", "/people/nobody/"])
def test_unknown_catalogue_pages_are_404(client, db, path):
    assert client.get(path).status_code == 404
