"""The timeline picture: its layout from the cues (``build_timeline``) and the SVG drawn on the
film's music page."""

import pytest

from editorial.tests.html import parse_html
from films.tests.factories import FilmFactory
from soundtracks.durations import format_duration
from soundtracks.models import Cue
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    SoundtrackFactory,
    ThemeAppearanceFactory,
    TrackFactory,
)
from soundtracks.timeline import (
    ALBUM_COLOURS,
    THEME_COLOURS,
    UNRELEASED_COLOUR,
    WIDTH,
    build_timeline,
)


def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def cues_of(film):
    return list(
        Cue.objects.filter(film=film)
        .in_film_order()
        .prefetch_related("track_links__track", "theme_appearances__theme")
    )


@pytest.fixture
def film(db):
    return FilmFactory(runtime=100)


def test_no_timeline_without_a_cue_that_has_both_timecodes(film):
    CueFactory(film=film)
    CueFactory(film=film, start=60)

    assert build_timeline(film, cues_of(film)) is None


def test_a_bar_spans_the_cue_on_the_running_time(film):
    cue = CueFactory(film=film, start=600, end=1200)  # 10:00–20:00 of 100 minutes

    timeline = build_timeline(film, cues_of(film))

    (lane,) = timeline.lanes
    (bar,) = lane.bars
    assert (bar.x, bar.width) == (WIDTH * 0.1, WIDTH * 0.1)
    assert bar.label == f"{cue}: 10:00–20:00"
    assert timeline.runtime == 6000


def test_untimed_cues_are_counted_not_drawn(film):
    CueFactory(film=film, start=0, end=30)
    CueFactory(film=film, start=40)
    CueFactory(film=film)

    timeline = build_timeline(film, cues_of(film))

    assert (timeline.drawn, timeline.not_drawn) == (1, 2)
    assert "2 cues without timecodes are not drawn" in timeline.description


def test_one_lane_per_album_one_for_unreleased_and_one_per_theme(film):
    score, songs = SoundtrackFactory(film=film), SoundtrackFactory(film=film)
    on_score = CueTrackFactory(track=TrackFactory(soundtrack=score), cue__start=0, cue__end=60)
    CueTrackFactory(track=TrackFactory(soundtrack=songs), cue__start=100, cue__end=160)
    # A suite: one cue on two tracks of the same album is drawn once in its lane.
    CueTrackFactory(track=TrackFactory(soundtrack=score), cue=on_score.cue)
    CueFactory(film=film, start=200, end=230)
    ThemeAppearanceFactory(theme__film=film, theme__name="Ares", cue=on_score.cue)

    timeline = build_timeline(film, cues_of(film), albums=[score, songs])

    names = [(lane.name, len(lane.bars)) for lane in timeline.lanes]
    assert names == [
        ("All music", 3),
        (score.title, 1),
        (songs.title, 1),
        ("Not on an album", 1),
        ("Ares", 1),
    ]
    assert [lane.colour for lane in timeline.lanes[1:]] == [
        ALBUM_COLOURS[0],
        ALBUM_COLOURS[1],
        UNRELEASED_COLOUR,
        THEME_COLOURS[0],
    ]
    # Lanes stack without overlapping, the axis below them all.
    ys = [lane.y for lane in timeline.lanes]
    assert ys == sorted(set(ys))
    assert timeline.axis_y > ys[-1]


def test_a_single_lane_is_not_repeated_as_all_music(film):
    CueFactory(film=film, start=0, end=60)

    timeline = build_timeline(film, cues_of(film))

    assert [lane.name for lane in timeline.lanes] == ["Not on an album"]


def test_cues_past_an_unknown_or_short_runtime_stretch_the_scale(db):
    film = FilmFactory(runtime=None)
    CueFactory(film=film, start=0, end=90)

    timeline = build_timeline(film, cues_of(film))

    assert timeline.runtime == 90
    assert timeline.lanes[0].bars[0].width == WIDTH


def test_ticks_are_few_and_end_at_the_running_time(film):
    CueFactory(film=film, start=0, end=60)

    ticks = build_timeline(film, cues_of(film)).ticks

    assert [tick.label for tick in ticks] == [
        "0:00",
        "20:00",
        "40:00",
        "1:00:00",
        "1:40:00",  # 1:20:00 would run into the end's label
    ]
    assert ticks[0].anchor == "start"
    assert ticks[-1].anchor == "end"
    assert ticks[-1].x == WIDTH


@pytest.mark.parametrize("minutes", [1, 7, 45, 100, 119, 180, 300, 301, 900, 6000])
def test_tick_labels_never_meet_whatever_the_running_time(db, minutes):
    film = FilmFactory(runtime=minutes)
    CueFactory(film=film, start=0, end=30)

    ticks = build_timeline(film, cues_of(film)).ticks

    assert len(ticks) <= 6
    gaps = [after.x - before.x for before, after in zip(ticks, ticks[1:], strict=False)]
    assert min(gaps) >= 200
    assert ticks[-1].label == format_duration(minutes * 60)


def test_a_very_short_cue_is_still_visible(film):
    CueFactory(film=film, start=10, end=11)

    bar = build_timeline(film, cues_of(film)).lanes[0].bars[0]

    assert bar.width >= 2


def test_long_lane_names_are_shortened(film):
    album = SoundtrackFactory(film=film, title="A" * 80)
    CueTrackFactory(track=TrackFactory(soundtrack=album), cue__start=0, cue__end=10)

    timeline = build_timeline(film, cues_of(film), albums=[album])

    assert timeline.lanes[0].label == "A" * 39 + "… · 1 cue"


@pytest.mark.parametrize("colour", [*ALBUM_COLOURS, *THEME_COLOURS, UNRELEASED_COLOUR])
def test_every_colour_stands_out_from_the_paper_and_the_lane(colour):
    assert contrast(colour, "#f8f5ef") >= 4.5
    assert contrast(colour, "#efe8dc") >= 3


def test_the_music_page_draws_the_svg_with_a_text_alternative(client, film):
    CueFactory(film=film, title="Opening", start=0, end=120)
    CueFactory(film=film, title="Untimed")

    html = parse_html(client.get(f"/films/{film.slug}/music/").content.decode())

    svg = html.find("svg")
    assert svg["role"] == "img"
    assert svg["viewbox"].startswith(f"0 0 {WIDTH} ")  # the parser lowercases names
    title_id, desc_id = svg["aria-labelledby"].split()
    assert "Timeline of the music in" in html.find(id=title_id).text
    assert "1 cue without timecodes is not drawn" in html.find(id=desc_id).text
    bars = [rect for rect in svg.find_all("rect") if rect.get("fill")]
    assert len(bars) == 1
    assert bars[0]["width"] == "20.0"  # 2 of 100 minutes
    assert "1 cue without both timecodes is not drawn" in html.text_of("figcaption")
    # No script: the only <script> elements are JSON-LD data blocks.
    assert {script.get("type") for script in html.find_all("script")} == {"application/ld+json"}


def test_the_music_page_says_why_there_is_no_timeline(client, film):
    CueFactory(film=film)

    html = parse_html(client.get(f"/films/{film.slug}/music/").content.decode())

    assert html.find("svg") is None
    assert "no timeline to draw" in html.text
