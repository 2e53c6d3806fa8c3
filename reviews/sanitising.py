"""What the body's renderer leaves out, in words an editor reads after saving.

``reviews.markdown`` never emits HTML a writer types, and drops a link whose scheme is not
allowed; it does so silently, so a writer who pasted ``<script>`` or ``onclick`` learns it only
by reading the page. ``removed_markup(body)`` names each thing left out, once ("The script tag
was removed."), for the admin to show as a warning after a save (``InputSafeAdminMixin``'s
``sanitised_fields``). The body itself is saved as typed.

The body is parsed as the renderer parses it (CommonMark, raw HTML recognised), so markup in a
code span or a code block, which readers see as code, is not reported.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from reviews.markdown import ALLOWED_URL_SCHEMES, CUE_SCHEME, MAX_LENGTH, TRACK_SCHEME

_PARSER = MarkdownIt("commonmark", {"html": True})
_PARSER.validateLink = lambda url: True
#: Schemes a link keeps: the web's, and the body's own references to tracks and cues.
_KEPT_SCHEMES = ALLOWED_URL_SCHEMES | {TRACK_SCHEME.rstrip(":"), CUE_SCHEME.rstrip(":")}
#: At most this many things are named: a pasted web page would otherwise fill the screen.
MAX_NAMED = 10


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _value in attrs if name.startswith("on")]

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        self.tags.append("comment")


def _raw_html(tokens):
    for token in tokens:
        if token.type == "html_block":
            yield token.content
        for child in token.children or ():
            if child.type == "html_inline":
                yield child.content


def _dropped_schemes(tokens):
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                href = (child.attrGet("href") or "").strip()
                scheme = urlsplit(href).scheme.lower() if ":" in href else ""
                if scheme and scheme not in _KEPT_SCHEMES:
                    yield scheme


def removed_markup(text):
    """Sentences naming what rendering ``text`` leaves out, each once, in order of appearance."""
    tokens = _PARSER.parse((text or "")[:MAX_LENGTH])
    found = _Tags()
    for html in _raw_html(tokens):
        found.feed(html)
    found.close()
    sentences = []
    for tag in dict.fromkeys(found.tags):
        if tag == "comment":
            sentences.append("An HTML comment was removed.")
        else:
            sentences.append(f"The {tag} tag was removed.")
    sentences += [f"The {name} attribute was removed." for name in dict.fromkeys(found.handlers)]
    sentences += [
        f"A {scheme}: link lost its address." for scheme in dict.fromkeys(_dropped_schemes(tokens))
    ]
    if len(sentences) > MAX_NAMED:
        sentences = [*sentences[:MAX_NAMED], f"And {len(sentences) - MAX_NAMED} more."]
    return sentences
