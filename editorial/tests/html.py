"""HTML as tests read it: ``parse_html(markup)`` gives a tree of elements to query.

One helper for every test that looks inside a page, a template tag's output or a rendered body,
built on the standard library's parser (no dependency) and beside ``admin_forms``, where the other
shared test helpers live, so that app tests and the cross-app tests in ``tests/`` both reach it.

    doc = parse_html(response.content.decode())
    doc.find_all("img.cuesheet-thumbnail")      # elements by tag, .class and #id
    doc.find("link", rel="canonical")["href"]   # ...and by attribute value
    doc.text_of(".prose")                       # the text inside, whitespace collapsed
    doc.meta["og:image"]                        # <meta name|property=... content=...>

A selector is one compound of a tag, ``.class`` and ``#id`` parts (``"a"``, ``"li.track"``,
``"#track-1-3"``), or several separated by commas, matched in document order; there is no
descendant combinator: call ``find_all`` on the element found instead.
"""

import re
from html.parser import HTMLParser

# Elements that never have content: no end tag closes them.
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Elements whose edges separate words in the text a reader sees.
BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
}  # fmt: skip
# Their content is code, not text: left out of an ancestor's text, kept as the element's own.
RAW_TEXT = {"script", "style", "template"}

SIMPLE_SELECTOR = re.compile(r"[.#]?[^.#\s]+")


class Element:
    """One element: ``tag``, ``attrs`` (a dict) and ``children`` (elements and strings).

    It reads like its attributes, as a dict does: ``img["src"]``, ``img.get("loading")``,
    ``"fetchpriority" in img``.
    """

    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children = []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    def __getitem__(self, name):
        return self.attrs[name]

    def __contains__(self, name):
        return name in self.attrs

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    @property
    def text(self):
        """The text inside, whitespace collapsed; block edges separate words, as on screen."""
        return " ".join("".join(self._text_parts(top=True)).split())

    def _text_parts(self, top=False):
        if self.tag in RAW_TEXT and not top:
            return
        if self.tag in BLOCKS:
            yield " "
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child._text_parts()
        if self.tag in BLOCKS:
            yield " "

    def iter(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, selector=None, **attrs):
        """The elements below that match ``selector`` (any, if None) and every ``attrs`` value."""
        matchers = [_compile(part) for part in selector.split(",")] if selector else []
        return [
            element
            for element in self.iter()
            if (not matchers or any(match(element) for match in matchers))
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, selector=None, **attrs):
        """The first element that ``find_all`` would give, or None."""
        return next(iter(self.find_all(selector, **attrs)), None)

    def text_of(self, selector):
        """The text of every element ``selector`` matches, joined; "" when there is none."""
        return " ".join(element.text for element in self.find_all(selector)).strip()

    @property
    def meta(self):
        """The ``<meta>`` elements' contents by ``name`` or ``property`` (Open Graph)."""
        return {
            element.get("name") or element.get("property"): element.get("content")
            for element in self.find_all("meta")
            if element.get("name") or element.get("property")
        }


def _compile(selector):
    tag, classes, element_id = None, set(), None
    for part in SIMPLE_SELECTOR.findall(selector.strip()):
        if part[0] == ".":
            classes.add(part[1:])
        elif part[0] == "#":
            element_id = part[1:]
        else:
            tag = part.lower()
    if not (tag or classes or element_id):
        raise ValueError(f"Not a selector: {selector!r}")

    def match(element):
        return (
            (tag is None or element.tag == tag)
            and classes <= set(element.classes)
            and (element_id is None or element.get("id") == element_id)
        )

    return match


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element(None, {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        # A repeated attribute keeps its first value, as a browser's parser does.
        values = {}
        for name, value in attrs:
            values.setdefault(name, value)
        element = Element(tag, values, parent=self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        # Close up to the matching open element (closing any left open inside it); an end tag
        # that matches nothing open is ignored rather than closing the whole document.
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse_html(markup):
    """The root of ``markup``'s tree: an element with no tag, whose children are the top level."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root
