"""The timeline picture of a film's music: where each timed cue plays in the running time.

``build_timeline`` lays out the cues the music page has already fetched (no queries of its own,
one pass over the cues and their album links) and ``templates/includes/timeline.html`` draws it
as inline SVG. The picture is one lane per album the cues became, one for the cues on no album
and, when the film's cues carry themes, one per theme. Lanes say in words what the colour says,
so colour is never the only carrier, and every colour has at least 4.5:1 contrast on the page's
paper. Cues without both timecodes are not drawn; the picture's description says how many.

Coordinates are in viewBox units: the SVG scales to the width of a phone or of a desktop column,
and the stylesheet sets a larger type size on narrow screens so the labels stay legible.
"""

from dataclasses import dataclass, field

from soundtracks.durations import format_duration

WIDTH = 1000
LABEL_HEIGHT = 48
BAR_HEIGHT = 28
LANE_GAP = 20
LANE_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + LANE_GAP
AXIS_HEIGHT = 68
LABEL_LENGTH = 40
#: Tick spacings in minutes; the first that gives at most five ticks is used, so that labels
#: of the phone's larger type (about 160 units for "1:00:00") never meet.
TICK_MINUTES = (1, 2, 5, 10, 15, 20, 30, 60)
MAX_TICKS = 5
#: No tick closer to the end than this, in units: its label would run into the end's.
END_CLEARANCE = 250

# Dark enough for 4.5:1 on the paper (#f8f5ef) and on the surface (#fffdf8).
ALBUM_COLOURS = ("#9f2f17", "#1d4ed8", "#15803d", "#7c3aed", "#0f766e", "#be185d", "#4338ca")
THEME_COLOURS = ("#0e7490", "#9d174d", "#3f6212", "#c2410c", "#a16207", "#1d4ed8")
UNRELEASED_COLOUR = "#57534e"
ALL_MUSIC_COLOUR = "#1c1a17"


@dataclass
class Bar:
    x: float
    width: float
    label: str


@dataclass
class Lane:
    name: str
    colour: str
    bars: list = field(default_factory=list)
    y: int = 0

    @property
    def label(self):
        name = self.name
        if len(name) > LABEL_LENGTH:
            name = name[: LABEL_LENGTH - 1].rstrip() + "…"
        count = len(self.bars)
        return f"{name} · {count} cue{'' if count == 1 else 's'}"

    @property
    def label_y(self):
        return self.y + LABEL_HEIGHT - 14

    @property
    def bar_y(self):
        return self.y + LABEL_HEIGHT


@dataclass
class Tick:
    x: float
    label: str
    anchor: str


@dataclass
class Timeline:
    lanes: list
    ticks: list
    runtime: int
    drawn: int
    not_drawn: int
    height: int
    axis_y: int

    width = WIDTH
    bar_height = BAR_HEIGHT

    @property
    def runtime_display(self):
        return format_duration(self.runtime)

    @property
    def description(self):
        lanes = "; ".join(f"{lane.name}, {len(lane.bars)}" for lane in self.lanes)
        text = (
            f"The film's running time, {self.runtime_display}, from left to right, with "
            f"{self.drawn} timed cue{'' if self.drawn == 1 else 's'} drawn where "
            f"{'it plays' if self.drawn == 1 else 'they play'}, one lane for each: {lanes}."
        )
        if self.not_drawn:
            text += (
                f" {self.not_drawn} cue{'' if self.not_drawn == 1 else 's'} without timecodes "
                f"{'is' if self.not_drawn == 1 else 'are'} not drawn."
            )
        return text + " The cue sheet table holds the same times."


def is_timed(cue):
    return cue.start is not None and cue.end is not None


def _ticks(runtime):
    minutes = runtime / 60
    step = next((s for s in TICK_MINUTES if minutes / s <= MAX_TICKS), None)
    if step is None:  # longer than five hours: whole hours, doubled until few enough
        step = TICK_MINUTES[-1]
        while minutes / step > MAX_TICKS:
            step *= 2
    ticks = [Tick(0, "0:00", "start")]
    at = step * 60
    while at / runtime * WIDTH < WIDTH - END_CLEARANCE:
        ticks.append(Tick(round(at / runtime * WIDTH, 1), format_duration(at), "middle"))
        at += step * 60
    ticks.append(Tick(WIDTH, format_duration(runtime), "end"))
    return ticks


def build_timeline(film, cues, albums=()):
    """The picture's lanes, bars and ticks, or None when no cue has both timecodes.

    ``cues`` are in film order with their ``track_links`` (and each link's track) and their
    ``theme_appearances`` (and each theme) prefetched; ``albums`` are the film's albums, whose
    order fixes the lanes' order and colours.
    """
    timed = [cue for cue in cues if is_timed(cue)]
    if not timed:
        return None
    runtime = max([film.runtime * 60 if film.runtime else 0, *(cue.end for cue in timed)])

    def bar(cue):
        width = max((cue.end - cue.start) / runtime * WIDTH, 2)
        title = f"{cue}: {format_duration(cue.start)}–{format_duration(cue.end)}"
        return Bar(round(cue.start / runtime * WIDTH, 1), round(width, 1), title)

    album_lanes = {
        album.pk: Lane(album.title, ALBUM_COLOURS[n % len(ALBUM_COLOURS)])
        for n, album in enumerate(albums)
    }
    unreleased = Lane("Not on an album", UNRELEASED_COLOUR)
    theme_lanes = {}
    everything = Lane("All music", ALL_MUSIC_COLOUR)
    for cue in timed:
        drawn = bar(cue)
        everything.bars.append(drawn)
        album_ids = {link.track.soundtrack_id for link in cue.track_links.all()}
        for album_id in album_ids:
            lane = album_lanes.get(album_id)
            if lane is None:  # an album of another film: CueTrack.clean() refuses it
                continue
            lane.bars.append(drawn)
        if not album_ids:
            unreleased.bars.append(drawn)
        for appearance in cue.theme_appearances.all():
            theme = appearance.theme
            if theme.pk not in theme_lanes:
                colour = THEME_COLOURS[len(theme_lanes) % len(THEME_COLOURS)]
                theme_lanes[theme.pk] = Lane(theme.name, colour)
            theme_lanes[theme.pk].bars.append(drawn)

    lanes = [lane for lane in [*album_lanes.values(), unreleased] if lane.bars]
    lanes += list(theme_lanes.values())
    if len(lanes) > 1:
        lanes.insert(0, everything)
    elif not lanes:
        lanes = [everything]
    for n, lane in enumerate(lanes):
        lane.y = n * LANE_HEIGHT
    axis_y = len(lanes) * LANE_HEIGHT
    return Timeline(
        lanes=lanes,
        ticks=_ticks(runtime),
        runtime=runtime,
        drawn=len(timed),
        not_drawn=len(cues) - len(timed),
        height=axis_y + AXIS_HEIGHT,
        axis_y=axis_y,
    )
