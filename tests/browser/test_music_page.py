"""A reader on a film's music page in Chromium: the timeline, the cue sheet, a spoiler opened,
with axe-core finding nothing, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from films.tests.factories import FilmFactory, PersonFactory
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    SoundtrackFactory,
    ThemeAppearanceFactory,
    TrackFactory,
)

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def film(transactional_db, live_server):
    """A made-up film with a timed cue sheet: two albums, unreleased cues, a theme, a spoiler,
    a cue without timecodes, and a review citing a cue."""
    film = FilmFactory(title="Gridlock", slug="gridlock", runtime=110)
    composer = PersonFactory(name="Ada Composer", slug="ada-composer")
    score = SoundtrackFactory(film=film, title="Gridlock (Original Score)", slug="gridlock-score")
    songs = SoundtrackFactory(film=film, title="Gridlock: The Songs", slug="gridlock-songs")
    cues = [
        CueTrackFactory(
            track=TrackFactory(soundtrack=score, title="Main Title"),
            cue__film=film,
            cue__order=1,
            cue__code="1M1",
            cue__title="Main Title",
            cue__start=0,
            cue__end=150,
            cue__usage="main_title",
            cue__scene="Opening credits over the city",
        ).cue,
        CueTrackFactory(
            track=TrackFactory(soundtrack=songs, title="Neon"),
            cue__film=film,
            cue__order=2,
            cue__title="Neon",
            cue__start=900,
            cue__end=1080,
            cue__usage="vv",
            cue__scene="The club",
            extent="part",
        ).cue,
        CueFactory(
            film=film,
            order=3,
            code="3M2",
            title="The Fall",
            start=3000,
            end=3300,
            usage="bi",
            scene="The hero dies on the bridge",
            scene_is_spoiler=True,
        ),
        CueFactory(film=film, order=4, title="Radio", usage="vi", scene="A car radio"),
        CueTrackFactory(
            track=TrackFactory(soundtrack=score, title="End Titles"),
            cue__film=film,
            cue__order=5,
            cue__code="6M9",
            cue__title="End Titles",
            cue__start=6300,
            cue__end=6600,
            cue__usage="end_title",
        ).cue,
    ]
    for cue in cues:
        cue.composers.add(composer)
    ThemeAppearanceFactory(theme__film=film, theme__name="The City", cue=cues[0], note="brass")
    ThemeAppearanceFactory(theme=cues[0].theme_appearances.get().theme, cue=cues[4], note="choir")
    ReviewFactory(film=film, headline="Gridlock, scored", body=f"[x](cue:gridlock/{cues[1].slug})")
    return film


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_music_page_with_its_timeline_has_no_axe_violations(
    page, page_problems, assert_accessible, film, viewport
):
    if viewport:
        page.set_viewport_size(viewport)

    response = page.goto("/films/gridlock/music/")

    assert response.status == 200
    timeline = page.get_by_role("img", name="Timeline of the music in Gridlock (2020)")
    expect(timeline).to_be_visible()
    # One bar per timed cue in "All music", and each in its album's, the unreleased or the
    # theme's lane: 4 + 3 + 1 + 2; the cue without timecodes is not drawn.
    expect(page.locator("svg.timeline-svg rect[fill]")).to_have_count(10)
    expect(page.locator("figcaption")).to_contain_text("1 cue without both timecodes")
    box = timeline.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    # The page itself never scrolls sideways; only the cue sheet's own region may.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_role("region", name="The cue sheet table")).to_be_visible()
    page_problems.assert_clean()
    assert_accessible(page)


def test_spoiler_scene_opens_without_script_and_the_cue_page_follows(
    page, page_problems, assert_accessible, film
):
    page.goto("/films/gridlock/music/")
    scene = page.get_by_text("The hero dies on the bridge")
    expect(scene).to_be_hidden()

    page.get_by_text("Scene (spoiler)").click()

    expect(scene).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Neon", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neon")
    expect(page.get_by_role("link", name="Gridlock, scored")).to_be_visible()
    page_problems.assert_clean()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="The City").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The City")
    expect(page.get_by_text("choir")).to_be_visible()
    page_problems.assert_clean()
    assert_accessible(page)


@pytest.fixture
def page_without_script(browser, live_server, page_problems):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page_problems.watch(page)
    yield page
    context.close()


def test_spoiler_opens_with_javascript_off(page_without_script, film):
    page = page_without_script
    page.goto("/films/gridlock/music/")
    scene = page.get_by_text("The hero dies on the bridge")
    expect(scene).to_be_hidden()

    page.get_by_text("Scene (spoiler)").click()

    expect(scene).to_be_visible()
