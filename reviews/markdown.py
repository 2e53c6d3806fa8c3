"""Markdown for review bodies: CommonMark rendered with markdown-it-py, sanitised with nh3.

A body may mention an album track with a link in the ``track:`` scheme, and a cue of a film's
cue sheet with one in the ``cue:`` scheme::

    [Init](track:tron-ares-soundtrack/1)        disc 1, track 1
    [Init](track:tron-ares-soundtrack/1/1)      disc 1, track 1, disc given
    [the escape](cue:tron-ares/i-know-you-can-feel-it)   the cue whose slug that is
    [the escape](cue:tron-ares/1M05)            the cue whose code that is (any case)

Schemes are matched in any case (``Cue:``), as URL schemes are. A reference is a film's (or an
album's) slug and what names the thing in it, in ASCII letters, digits, ``-`` and ``_`` (a cue
code may hold a ``/``: ``cue:film/5M1/6M2``), no longer than the fields they name; anything
else (``cue:``, ``cue:film/``, ``cue:../../etc``, a slug of 10,000 letters, letters outside
ASCII, which markdown-it percent-encodes) is malformed, reported like an unknown one.

The caller resolves references (this module knows no models), once per body and kind, with
every reference of that kind at once: a resolved reference becomes a link to the track or cue,
an unknown one is reported and rendered as plain text, never as a broken link.

The parser is markdown-it-py's CommonMark preset, whose rules run in time linear in the input
(the ``markdown`` package used before took 30 seconds over 12,000 ``[``). Raw HTML is never
trusted and never emitted: a tag a writer types is left out, with the words of a script or a
style sheet, and the words of a block of HTML are kept as plain text (as the sanitiser did
before). So nh3, which keeps only the tags and attributes below, sees only what this renderer
makes, nested no deeper than markdown-it's limit; fed a writer's own deeply nested HTML, it
takes time growing with the square of the depth (3 s for 20,000 ``<div>``).
Bodies longer than ``MAX_LENGTH`` characters are refused by the review's form and, reaching
the renderer any other way, rendered only up to that length.
"""

import re
from dataclasses import dataclass, field
from html import escape

import nh3
from markdown_it import MarkdownIt

from reviews.markdown_skipping import skip_tokens_faster

#: The longest body, in characters, that is rendered: some 15,000 words, ten times a long
#: review. Rendering is linear in the length; the cap bounds the time a hostile body can take.
MAX_LENGTH = 100_000

TRACK_SCHEME = "track:"
TRACK_SYNTAX_HELP = (
    "Mention a track with a link: [Init](track:tron-ares-soundtrack/1) for track 1 of the "
    "album whose slug is tron-ares-soundtrack, or track:<album>/<disc>/<track> on a "
    "multi-disc album."
)
CUE_SCHEME = "cue:"
CUE_SYNTAX_HELP = (
    "Mention a cue of a film’s cue sheet with cue:<film>/<cue>: "
    "[the escape](cue:tron-ares/i-know-you-can-feel-it) for the cue whose slug is "
    "i-know-you-can-feel-it in the film whose slug is tron-ares, or by its cue code, in any "
    "case: cue:tron-ares/1M05."
)

_TRACK_REFERENCE = re.compile(r"^(?P<album>[-\w]+)/(?:(?P<disc>\d+)/)?(?P<position>\d+)$")
# ASCII only: slugs are, and a cue code is matched ignoring case, which SQLite and PostgreSQL
# agree on only for ASCII letters. No "." anywhere, so no "..".
_CUE_REFERENCE = re.compile(
    r"(?P<film>[-A-Za-z0-9_]{1,200})/(?P<cue>[-A-Za-z0-9_]{1,100}(?:/[-A-Za-z0-9_]{1,100})*)"
)
# A film's slug (200), a slash, a cue's slug (100) or code (20): anything longer names nothing,
# and is refused before any pattern looks at it.
_CUE_REFERENCE_LENGTH = 200 + 1 + 100

# What the renderer produces, nothing else: the sanitiser drops any other tag or attribute.
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
        text = href[len(TRACK_SCHEME) :] if _has_scheme(href, TRACK_SCHEME) else href
        match = _TRACK_REFERENCE.match(text)
        if not match:
            return None
        return cls(match["album"], int(match["disc"] or 1), int(match["position"]))


@dataclass(frozen=True)
class CueReference:
    """``cue:<film slug>/<cue slug or cue code>``, as written (a code in any case)."""

    film: str
    cue: str

    def __str__(self):
        return f"{CUE_SCHEME}{self.film}/{self.cue}"

    @classmethod
    def parse(cls, href):
        """``"cue:film/slug"`` or ``"cue:film/1M05"`` → a reference; ``None`` if malformed."""
        text = href[len(CUE_SCHEME) :] if _has_scheme(href, CUE_SCHEME) else href
        if len(text) > _CUE_REFERENCE_LENGTH:
            return None
        match = _CUE_REFERENCE.fullmatch(text)
        if not match or len(match["cue"]) > 100:
            return None
        return cls(match["film"], match["cue"])


def _has_scheme(href, scheme):
    return href[: len(scheme)].lower() == scheme


@dataclass
class Rendered:
    html: str
    tracks: list = field(default_factory=list)
    """The tracks the body links to, in order of first mention."""
    cues: list = field(default_factory=list)
    """The cues the body links to, in order of first mention."""
    unknown: list = field(default_factory=list)
    """``track:`` and ``cue:`` references as written that name nothing (or are malformed),
    in the order of the body."""
    truncated: bool = False
    """Whether the body was longer than ``MAX_LENGTH`` and only its start was rendered."""


def _parser():
    # Raw HTML is parsed only so that it can be left out: no tag a writer types is ever
    # emitted (_drop_raw_html, _raw_html_block), and nh3 sees only what this renderer makes.
    parser = MarkdownIt("commonmark", {"html": True})
    # Every link is made, whatever its scheme; the sanitiser's URL schemes then decide which
    # keep their href. markdown-it would otherwise print [x](javascript:…) as typed.
    parser.validateLink = lambda url: True
    renders = parser.renderer.renderToken

    def link(self, tokens, index, options, env):
        # An unknown track's link is left out; its text stays, as plain text.
        if tokens[index].meta.get("unlinked"):
            return ""
        return renders(tokens, index, options, env)

    parser.add_render_rule("link_open", link)
    parser.add_render_rule("link_close", link)
    parser.add_render_rule("html_inline", lambda self, tokens, index, options, env: "")
    parser.add_render_rule("html_block", _raw_html_block)
    skip_tokens_faster(parser)
    return parser


# Where raw HTML's words go: a block of it keeps its text, without its tags, comments, scripts
# and style sheets; a block that opens with a script or a style sheet goes whole. Every
# search starts where the last one ended, so a body of 100,000 "<" is scanned once.
_RAW_HTML = re.compile(r"<!--|<(script|style|textarea)\b|<[a-z/!?][^<>]*>?", re.IGNORECASE)
_HIDDEN_BLOCK = re.compile(r"\s*<(?:script|style|textarea)\b", re.IGNORECASE)
_HIDDEN_INLINE = re.compile(r"<(script|style|textarea)\b", re.IGNORECASE)
_CLOSING = {
    name: re.compile(rf"</{name}\b[^>]*>?", re.IGNORECASE)
    for name in ("script", "style", "textarea")
}


def _raw_html_block(self, tokens, index, options, env):
    content = tokens[index].content
    text = "" if _HIDDEN_BLOCK.match(content) else _words_of(content).strip()
    return f"<p>{escape(text)}</p>\n" if text else ""


def _words_of(html):
    """The text of raw HTML: its tags, comments, scripts and style sheets left out."""
    words, position = [], 0
    while (found := _RAW_HTML.search(html, position)) is not None:
        words.append(html[position : found.start()])
        if found[0] == "<!--":
            end = html.find("-->", found.end())
            position = len(html) if end == -1 else end + 3
        elif found[1]:
            closing = _CLOSING[found[1].lower()].search(html, found.end())
            position = len(html) if closing is None else closing.end()
        else:
            position = found.end()
    words.append(html[position:])
    return "".join(words)


def _drop_raw_html(tokens):
    """Leave out inline raw HTML, and the words of an inline script or style with it."""
    for index, token in enumerate(tokens):
        if not token.children:
            continue
        kept, hiding = [], None
        for child in token.children:
            if hiding is not None:
                if child.type == "html_inline" and child.content.lower().startswith(hiding):
                    hiding = None
                continue
            if child.type == "html_inline":
                opened = _HIDDEN_INLINE.match(child.content)
                if opened:
                    hiding = f"</{opened[1].lower()}"
                continue
            kept.append(child)
        if not kept and index and tokens[index - 1].type == "paragraph_open":
            # A paragraph of nothing but raw HTML leaves no empty <p> behind.
            tokens[index - 1].hidden = tokens[index + 1].hidden = True
        token.children = kept


_PARSER = _parser()


def render_markdown(text, find_tracks=None, find_cues=None):
    """Render Markdown to sanitised HTML, in time linear in the length of ``text``.

    ``find_tracks(references)`` takes a set of ``TrackReference`` and returns a dict from each
    reference it knows to an object with ``get_absolute_url()``; ``find_cues`` the same for a
    set of ``CueReference``. Each is called at most once per body, and not at all when the body
    has no reference of its kind. Only the first ``MAX_LENGTH`` characters are rendered
    (``Rendered.truncated`` says so).
    """
    text = text or ""
    result = Rendered(html="", truncated=len(text) > MAX_LENGTH)
    # A lone surrogate (never sent by a browser, but possible from code) cannot be encoded.
    text = text[:MAX_LENGTH].encode("utf-8", "replace").decode("utf-8")
    env = {}
    tokens = _PARSER.parse(text, env)
    _drop_raw_html(tokens)
    _resolve_links(
        tokens,
        {
            TRACK_SCHEME: (TrackReference.parse, find_tracks, result.tracks),
            CUE_SCHEME: (CueReference.parse, find_cues, result.cues),
        },
        result,
    )
    for token in tokens:
        # The page's own headline is the one <h1>; a body's top level starts at <h2>.
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
    html = _PARSER.renderer.render(tokens, _PARSER.options, env)
    # markdown-it ends each block with a newline; the page needs none after the last.
    result.html = sanitise_html(html).rstrip()
    return result


def _resolve_links(tokens, schemes, result):
    """Point ``track:`` and ``cue:`` links at what they name, unlink the ones that name nothing.

    ``schemes``: scheme → (parse, find, the list of what was found). One pass over the tokens,
    then one ``find`` per scheme with every reference of it: linear in the number of links.
    """
    links = []  # (link_open, link_close, scheme, reference)
    for token in tokens:
        opened = None
        for child in token.children or ():
            if child.type == "link_open":
                href = child.attrGet("href") or ""
                opened = next((scheme for scheme in schemes if _has_scheme(href, scheme)), None)
                link_open = child
            elif child.type == "link_close" and opened is not None:
                parse = schemes[opened][0]
                links.append((link_open, child, opened, parse(link_open.attrGet("href"))))
                opened = None
    found = {}
    for scheme, (_parse, find, _found) in schemes.items():
        references = {ref for _, _, kind, ref in links if kind == scheme and ref is not None}
        found[scheme] = find(references) if references and find else {}
    # By id: the rows of a bulk path are not saved yet, and an unsaved row has no hash.
    urls = {}
    for link_open, link_close, scheme, reference in links:
        target = found[scheme].get(reference) if reference is not None else None
        if target is None:
            result.unknown.append(_PARSER.normalizeLinkText(link_open.attrGet("href")))
            link_open.meta["unlinked"] = link_close.meta["unlinked"] = True
            continue
        if id(target) not in urls:
            urls[id(target)] = target.get_absolute_url()
            schemes[scheme][2].append(target)
        link_open.attrSet("href", urls[id(target)])


def sanitise_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    )
