"""The text of a correction or update note: a paragraph of limited Markdown, sanitised.

A note is a sentence or two, not a body: emphasis, code and links are all it may carry, in one
paragraph. It is rendered with markdown-it's inline rules only (no headings, lists, images or
raw HTML: a tag typed is shown as the text it is) and sanitised with nh3 to those few tags, so
no note can put anything else on a page, in a feed or in the structured data.
"""

from html import unescape

import nh3
from markdown_it import MarkdownIt

#: The longest note: a paragraph. The form refuses a longer one.
NOTE_MAX_LENGTH = 2000

NOTE_SYNTAX_HELP = (
    f"One paragraph, at most {NOTE_MAX_LENGTH:,} characters: *emphasis*, `code` and "
    "[links](https://example.com) work; HTML is shown as text."
)

_ALLOWED_TAGS = {"a", "code", "em", "strong"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# CommonMark with raw HTML off (escaped, never passed through); only inline rules are run.
_PARSER = MarkdownIt("commonmark", {"html": False}).disable("image")


def render_note(text, *, plain=False):
    """``text`` as safe inline HTML, or as plain text with ``plain``; newlines become spaces."""
    text = " ".join((text or "")[:NOTE_MAX_LENGTH].split())
    html = nh3.clean(
        _PARSER.renderInline(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_ALLOWED_URL_SCHEMES,
        link_rel="nofollow",
    )
    if plain:
        return unescape(nh3.clean(html, tags=set()))
    return html
