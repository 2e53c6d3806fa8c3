"""Markdown for review bodies: rendered once with the ``markdown`` package, sanitised with nh3.

A body may mention a track with a link in the ``track:`` scheme::

    [Init](track:tron-ares-soundtrack/1)        disc 1, track 1
    [Init](track:tron-ares-soundtrack/1/1)      disc 1, track 1, disc given

The caller resolves references to tracks (this module knows no models); a resolved reference
becomes a link to the track, an unknown one is reported and rendered as plain text, never as a
broken link.
"""

import re
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

TRACK_SCHEME = "track:"
TRACK_SYNTAX_HELP = (
    "Mention a track with a link: [Init](track:tron-ares-soundtrack/1) for track 1 of the "
    "album whose slug is tron-ares-soundtrack, or track:<album>/<disc>/<track> on a "
    "multi-disc album."
)

_TRACK_REFERENCE = re.compile(r"^(?P<album>[-\w]+)/(?:(?P<disc>\d+)/)?(?P<position>\d+)$")

# What Markdown produces, nothing else: raw HTML in a body is stripped, not trusted.
ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class TrackReference:
    album: str
    disc: int
    position: int

    def __str__(self):
        return f"{TRACK_SCHEME}{self.album}/{self.disc}/{self.position}"

    @classmethod
    def parse(cls, href):
        """``"track:album/1/7"`` or ``"track:album/7"`` → a reference; ``None`` if malformed."""
        match = _TRACK_REFERENCE.match(href.removeprefix(TRACK_SCHEME))
        if not match:
            return None
        return cls(match["album"], int(match["disc"] or 1), int(match["position"]))


@dataclass
class Rendered:
    html: str
    tracks: list = field(default_factory=list)
    """The tracks the body links to, in order of first mention."""
    unknown: list = field(default_factory=list)
    """``track:`` references as written that name no track (or are malformed)."""


class _TrackLinks(Treeprocessor):
    """Point ``track:`` links at their tracks, unwrap the ones that name none."""

    def __init__(self, md, find_tracks, result):
        super().__init__(md)
        self.find_tracks = find_tracks
        self.result = result

    def run(self, root):
        links = [
            (link, TrackReference.parse(link.get("href", "")))
            for link in root.iter("a")
            if link.get("href", "").startswith(TRACK_SCHEME)
        ]
        references = {reference for _, reference in links if reference}
        found = self.find_tracks(references) if references and self.find_tracks else {}
        for link, reference in links:
            track = found.get(reference)
            if track is None:
                self.result.unknown.append(link.get("href"))
                # Not an allowed tag: the sanitiser keeps its text and drops the element.
                link.tag = "span"
                del link.attrib["href"]
                continue
            link.set("href", track.get_absolute_url())
            if track not in self.result.tracks:
                self.result.tracks.append(track)
        # The page's own headline is the one <h1>; a body's top level starts at <h2>.
        for heading in root.iter("h1"):
            heading.tag = "h2"


class _TrackLinkExtension(Extension):
    def __init__(self, find_tracks, result):
        super().__init__()
        self.find_tracks = find_tracks
        self.result = result

    def extendMarkdown(self, md):  # noqa: N802 - the markdown package's API
        # After "inline" (20), which turns [text](href) into <a> elements.
        md.treeprocessors.register(_TrackLinks(md, self.find_tracks, self.result), "track", 15)


def render_markdown(text, find_tracks=None):
    """Render Markdown to sanitised HTML.

    ``find_tracks(references)`` takes a set of ``TrackReference`` and returns a dict from each
    reference it knows to an object with ``get_absolute_url()``; it is called once per body.
    """
    result = Rendered(html="")
    converter = markdown.Markdown(
        extensions=[_TrackLinkExtension(find_tracks, result)], output_format="html"
    )
    result.html = sanitise_html(converter.convert(text or ""))
    return result


def sanitise_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    )
