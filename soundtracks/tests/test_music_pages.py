"""The readers' pages of the cue sheet: the film's music page, the cue page and the theme page."""

import json

import pytest

from editorial.tests.html import parse_html
from films.models import Film
from films.tests.factories import FilmFactory, FranchiseFactory, PersonFactory
from soundtracks.models import Cue, CueTrack
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    SoundtrackFactory,
    ThemeAppearanceFactory,
    ThemeFactory,
    TrackFactory,
)

MUSIC_URL = "/films/tron-ares/music/"
INIT_URL = "/films/tron-ares/music/init/"


def page(response):
    assert response.status_code == 200
    return parse_html(response.content.decode())


def json_ld(html):
    return [json.loads(s.text) for s in html.find_all("script", type="application/ld+json")]


def rows(html):
    return html.find_all("tr.cue-row")


# The film's music page


def test_music_page_lists_the_cue_sheet_in_film_order(client, tron):
    html = page(client.get(MUSIC_URL))

    titles = [row.find("th").find("a").text for row in rows(html)]
    assert titles == ["Init", "I Know You Can Feel It", "Who Wants to Live Forever?"]
    init = html.find(id="cue-init")
    assert "Main title" in init.text
    assert "Opening credits: the creation of the Ares AI program" in init.text
    assert init.find("a", href="/people/nine-inch-nails/").text == "Nine Inch Nails"


def test_each_cue_links_to_the_album_track_it_became_with_its_extent(client, tron):
    html = page(client.get(MUSIC_URL))

    escape = html.find(id="cue-i-know-you-can-feel-it")
    link = escape.find("a", href="/soundtracks/tron-ares-soundtrack/#track-1-7")
    assert link.text == "I Know You Can Feel It"
    assert "in part" in escape.text
    # The link lands on the album page's track, whose anchor the album page gives it.
    album = client.get("/soundtracks/tron-ares-soundtrack/").content.decode()
    assert 'id="track-1-7"' in album


def test_a_spoiler_scene_is_behind_a_disclosure_that_needs_no_script(client, tron):
    html = page(client.get(MUSIC_URL))

    row = html.find(id="cue-who-wants-to-live-forever")
    details = row.find("details")
    assert details.find("summary").text == "Scene (spoiler)"
    assert "live outside the Grid" in details.text
    assert "open" not in details
    # Scenes that spoil nothing are shown plainly.
    assert html.find(id="cue-init").find("details") is None


def test_a_cue_on_no_album_is_unreleased(client, db):
    cue = CueFactory(title="Source music")

    html = page(client.get(f"/films/{cue.film.slug}/music/"))

    assert "Unreleased" in html.find(id=cue.anchor).text
    assert "0 cues on an album, 1 unreleased" in html.text_of(".cue-summary")


def test_summary_counts_music_the_share_scored_and_the_album_tracks_not_in_the_film(client, db):
    film = FilmFactory(runtime=100)
    album = SoundtrackFactory(film=film, title="The Score")
    played, unplayed = TrackFactory(soundtrack=album), TrackFactory(soundtrack=album, title="Bonus")
    # 0:00–10:00 and 5:00–15:00 overlap: 20 minutes of cues, 15 of them scored; then 20:00–25:00.
    CueTrackFactory(track=played, cue__film=film, cue__start=0, cue__end=600)
    CueFactory(film=film, start=300, end=900)
    CueFactory(film=film, start=1200, end=1500)
    CueFactory(film=film)

    html = page(client.get(f"/films/{film.slug}/music/"))

    summary = html.text_of(".cue-summary")
    assert "Cues 4" in summary
    assert "25:00 (25 minutes), from the 3 of 4 cues with both timecodes" in summary
    assert "Music plays during 20% of the 100-minute running time" in summary
    assert "counting the 3 timed cues only" in summary
    assert "1 cue on an album, 3 unreleased" in summary
    # Four cues are not known to be the whole cue sheet.
    assert "Album tracks in no cue yet 1 of 2" in summary
    not_in_film = html.find("section", **{"aria-labelledby": "not-in-film-title"})
    assert [a.text for a in not_in_film.find_all("a")] == [unplayed.title]
    assert not_in_film.find("a")["href"] == unplayed.get_absolute_url()
    assert html.find(id=Cue.objects.get(start=300).anchor).find("time").text == "10:00"
    assert "whether it plays is not known" in not_in_film.text

    Film.objects.filter(pk=film.pk).update(cue_sheet_complete=True)
    html = page(client.get(f"/films/{film.slug}/music/"))
    assert "Album tracks not in the film 1 of 2" in html.text_of(".cue-summary")
    not_in_film = html.find("section", **{"aria-labelledby": "not-in-film-title"})
    assert "the cue sheet is complete, so it is not in the film" in not_in_film.text


def test_themes_of_the_cues_are_listed_and_linked(client, db):
    appearance = ThemeAppearanceFactory(theme__name="The Grid", note="on strings")

    html = page(client.get(f"/films/{appearance.cue.film.slug}/music/"))

    row = html.find(id=appearance.cue.anchor)
    assert row.find("a", href=appearance.theme.get_absolute_url()).text == "The Grid"
    themes = html.find("section", **{"aria-labelledby": "themes-title"})
    assert themes.find("a").text == "The Grid"


def test_film_without_cues_has_a_page_saying_so_kept_out_of_search_engines(client, db):
    film = FilmFactory()
    SoundtrackFactory(film=film, title="The Album")

    html = page(client.get(f"/films/{film.slug}/music/"))

    assert "There is no cue sheet for" in html.text
    assert html.find("a", href=film.soundtracks.get().get_absolute_url()).text == "The Album"
    assert html.meta["robots"] == "noindex"
    assert html.find("table") is None
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/films/{film.slug}/music/" not in sitemap


def test_music_page_with_cues_is_indexed(client, tron):
    html = page(client.get(MUSIC_URL))

    assert "robots" not in html.meta


def test_sitemap_lists_the_music_pages_of_films_with_cues_and_the_theme_pages(client, tron):
    theme = ThemeFactory(film=Cue.objects.get(slug="init").film, slug="ares")

    sitemap = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://testserver{MUSIC_URL}</loc>" in sitemap
    assert f"<loc>http://testserver{theme.get_absolute_url()}</loc>" in sitemap
    assert "<loc>http://testserver/films/tron/music/</loc>" not in sitemap


def test_music_page_meta_and_breadcrumbs(client, tron):
    html = page(client.get(MUSIC_URL))

    assert (
        html.text_of("title") == "The music of Tron: Ares (2025): cue sheet and timeline · Cuesheet"
    )
    assert "3 cues in film order" in html.meta["description"]
    assert html.find("link", rel="canonical")["href"] == f"http://testserver{MUSIC_URL}"
    trail = [a.text for a in html.find("nav", **{"aria-label": "Breadcrumb"}).find_all("a")]
    assert trail == ["Home", "Films", "Tron: Ares (2025)", "Music"]
    assert [h.tag for h in html.find_all("h1")] == ["h1"]


# The cue page


def test_cue_page_tells_everything_about_the_cue(client, tron):
    html = page(client.get("/films/tron-ares/music/i-know-you-can-feel-it/"))

    assert html.text_of("h1") == "I Know You Can Feel It"
    facts = html.text_of(".cue-facts")
    assert "Ares and Eve escape the Grid" in facts
    assert "Nine Inch Nails" in facts
    assert "An article or review" in facts
    assert html.find("a", href="/soundtracks/tron-ares-soundtrack/#track-1-7")
    assert "Cue 2 of 3" in html.text_of(".kicker")
    nav = html.find("nav", **{"aria-label": "Other cues"})
    assert nav.find("a", rel="prev")["href"] == INIT_URL
    assert nav.find("a", rel="next")["href"] == "/films/tron-ares/music/who-wants-to-live-forever/"


def test_cue_page_keeps_a_spoiler_out_of_its_description(client, tron):
    html = page(client.get("/films/tron-ares/music/who-wants-to-live-forever/"))

    assert "Grid" not in html.meta["description"]
    assert html.find("details").find("summary").text == "Scene (spoiler)"


def test_cue_page_lists_its_themes_with_their_notes(client, db):
    appearance = ThemeAppearanceFactory(theme__name="Ares", note="solo synth, slower")

    html = page(client.get(appearance.cue.get_absolute_url()))

    themes = html.find("section", **{"aria-labelledby": "themes-title"})
    assert themes.text == "Themes Ares: solo synth, slower"


# The theme page


def test_theme_page_lists_every_appearance_across_the_franchise_in_film_then_cue_order(client, db):
    franchise = FranchiseFactory(name="Grid")
    sequel = FilmFactory(franchise=franchise, franchise_order=2, title="Sequel")
    first = FilmFactory(franchise=franchise, franchise_order=1, title="First")
    theme = ThemeFactory(film=None, franchise=franchise, name="Flynn")
    for film in (sequel, first):
        for order in (2, 1):
            ThemeAppearanceFactory(
                theme=theme,
                cue=CueFactory(film=film, order=order, title=f"{film.title} {order}"),
                note=f"variant {order}",
            )

    html = page(client.get(theme.get_absolute_url()))

    assert [h.text for h in html.find_all("h3")] == [str(first), str(sequel)]
    lists = html.find_all("ol.theme-appearances")
    assert [[a.text for a in ol.find_all("a")][0] for ol in lists] == ["First 1", "Sequel 1"]
    assert "First 1" in lists[0].text
    assert "variant 1" in lists[0].find_all("li")[0].text
    assert "Heard in 4 cues across 2 films" in html.text_of(".dek")
    trail = [a.text for a in html.find("nav", **{"aria-label": "Breadcrumb"}).find_all("a")]
    assert trail == ["Home", "Grid", "Flynn"]


def test_theme_page_of_a_film_theme_and_of_a_theme_never_heard(client, db):
    theme = ThemeFactory(name="Unused", description="Written, never used.")

    html = page(client.get(theme.get_absolute_url()))

    assert "No cue carries it yet." in html.text
    assert html.meta["description"] == "Written, never used."
    trail = [a.text for a in html.find("nav", **{"aria-label": "Breadcrumb"}).find_all("a")]
    assert trail == ["Home", "Films", str(theme.film), "Music", "Unused"]


# Hostile addresses


@pytest.mark.parametrize(
    "path",
    [
        "/films/no-such-film/music/",
        "/films/tron-ares/music/no-such-cue/",
        "/films/no-such-film/music/init/",
        "/films/tron/music/init/",  # a cue of another film
        "/themes/no-such-theme/",
        "/films/tron-ares/music/" + "x" * 5000 + "/",
        "/themes/%00/",
        "/films/tron-ares/music/init%2F..%2F/",
    ],
)
def test_unknown_film_cue_or_theme_is_404(client, tron, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query", ["?page=2", "?page=x&q=%00", "?cue=999999&film=1", "?" + "a" * 3000]
)
def test_odd_query_parameters_are_ignored(client, tron, query):
    theme = ThemeAppearanceFactory(theme__film=Cue.objects.get(slug="init").film).theme
    for path in [MUSIC_URL, INIT_URL, theme.get_absolute_url()]:
        plain = page(client.get(path))
        odd = page(client.get(path + query))

        assert odd.text_of("main") == plain.text_of("main")
        assert odd.find("link", rel="canonical")["href"] == f"http://testserver{path}"


# Structured data


def test_music_page_describes_each_released_cue_as_a_recording(client, db):
    film = FilmFactory(runtime=100)
    composer, singer = PersonFactory(name="Composer"), PersonFactory(name="Singer", is_group=True)
    album = SoundtrackFactory(film=film, title="The Album", slug="the-album")
    whole = CueTrackFactory(track=TrackFactory(soundtrack=album, duration=195), cue__film=film)
    whole.cue.composers.add(composer)
    timed = CueTrackFactory(
        track=TrackFactory(soundtrack=album),
        cue__film=film,
        cue__start=60,
        cue__end=150,
        extent=CueTrack.Extent.PART,
    )
    timed.cue.composers.add(composer)
    timed.cue.performers.add(singer)
    CueFactory(film=film, title="Unreleased")

    data = json_ld(page(client.get(f"/films/{film.slug}/music/")))

    recordings = [item for item in data if item["@type"] == "MusicRecording"]
    assert [r["name"] for r in recordings] == [whole.cue.title, timed.cue.title]
    first, second = recordings
    assert first["duration"] == "PT3M15S"  # the whole track's, the cue having no timecodes
    assert second["duration"] == "PT1M30S"  # the cue's length in the film
    assert first["inAlbum"] == [
        {
            "@type": "MusicAlbum",
            "name": "The Album",
            "url": "http://testserver/soundtracks/the-album/",
            "albumProductionType": "https://schema.org/SoundtrackAlbum",
        }
    ]
    assert first["byArtist"] == [
        {"@type": "Person", "name": "Composer", "url": f"http://testserver/people/{composer.slug}/"}
    ]
    assert second["byArtist"][0]["@type"] == "MusicGroup"
    assert first["url"] == f"http://testserver{whole.cue.get_absolute_url()}"
    assert {item["@type"] for item in data} == {"MusicRecording", "BreadcrumbList"}


def test_cue_page_and_theme_page_structured_data(client, tron):
    theme = ThemeAppearanceFactory(theme__film=Cue.objects.get(slug="init").film).theme

    cue_data = json_ld(page(client.get(INIT_URL)))
    theme_data = json_ld(page(client.get(theme.get_absolute_url())))

    assert {item["@type"] for item in cue_data} == {"MusicRecording", "BreadcrumbList"}
    assert {item["@type"] for item in theme_data} == {"MusicComposition", "BreadcrumbList"}


def test_album_is_a_soundtrack_album(client, tron):
    data = json_ld(page(client.get("/soundtracks/tron-ares-soundtrack/")))

    album = next(item for item in data if "MusicAlbum" in item["@type"])
    assert album["albumProductionType"] == "https://schema.org/SoundtrackAlbum"


# Query counts: the same at 3 cues as at 200


def build_cue_sheet(size):
    """A film with ``size`` cues, each timed, with people, an album track and a theme."""
    film = FilmFactory(runtime=240)
    albums = [SoundtrackFactory(film=film) for _ in range(2)]
    people = [PersonFactory() for _ in range(3)]
    theme = ThemeFactory(film=film)
    cues = []
    for n in range(size):
        cue = CueFactory(film=film, order=n + 1, start=n * 60, end=n * 60 + 50, code=f"1M{n}")
        cue.composers.set(people[:2])
        cue.performers.set(people[2:])
        CueTrackFactory(cue=cue, track=TrackFactory(soundtrack=albums[n % 2]))
        ThemeAppearanceFactory(theme=theme, cue=cue, note="a variant")
        cues.append(cue)
    TrackFactory(soundtrack=albums[0])  # on the album, not in the film
    return film, cues, theme


# page: (its address, the queries it runs, what it shows once per cue, or None)
PAGES = {
    "music page": (lambda film, cues, theme: f"/films/{film.slug}/music/", 9, b'class="cue-row"'),
    "cue page": (lambda film, cues, theme: cues[1].get_absolute_url(), 8, None),
    "theme page": (lambda film, cues, theme: theme.get_absolute_url(), 3, b"a variant"),
}


@pytest.mark.parametrize("size", [3, 200])
@pytest.mark.parametrize(("address", "queries", "per_cue"), PAGES.values(), ids=PAGES.keys())
def test_page_query_count_does_not_grow_with_the_cue_sheet(
    client, db, django_assert_num_queries, address, queries, per_cue, size
):
    path = address(*build_cue_sheet(size))

    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200
    if per_cue:
        assert response.content.count(per_cue) == size
