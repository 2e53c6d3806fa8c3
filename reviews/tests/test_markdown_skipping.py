"""``reviews.markdown_skipping``: the review parser's own token skipping changes no output.

The review parser is compared with a parser made as it is made but with markdown-it-py's own
``skipToken`` and ``parseLinkLabel``, token by token, on the hostile bodies' shapes, on labels
nested around ``maxNesting`` deep, and on shuffled Markdown punctuation.
"""

import random

import pytest
from markdown_it import MarkdownIt

from reviews.markdown import _PARSER
from reviews.markdown_skipping import skip_tokens_faster
from reviews.tests.test_markdown_pathology import HOSTILE_BODIES


def stock_parser():
    parser = MarkdownIt("commonmark", {"html": True})
    parser.validateLink = lambda url: True
    return parser


STOCK = stock_parser()


def tokens(parser, text):
    return [token.as_dict() for token in parser.parse(text, {})]


def assert_same(text):
    assert tokens(_PARSER, text) == tokens(STOCK, text), text[:200]


def test_the_review_parser_skips_with_its_own_functions():
    assert _PARSER.inline.skipToken is not STOCK.inline.skipToken
    assert _PARSER.helpers.parseLinkLabel is not STOCK.helpers.parseLinkLabel
    # Nothing else of markdown-it's is changed, for this parser or for any other.
    assert _PARSER.helpers.parseLinkDestination is STOCK.helpers.parseLinkDestination
    assert _PARSER.helpers.parseLinkTitle is STOCK.helpers.parseLinkTitle
    assert stock_parser().inline.skipToken.__func__ is type(STOCK.inline).skipToken


def test_every_hostile_bodys_shape_parses_as_markdown_it_parses_it():
    for body in HOSTILE_BODIES.values():
        assert_same(body[:3000].encode("utf-8", "replace").decode("utf-8"))


@pytest.mark.parametrize(
    "tail", ["", "()", "(/u)", "[]", "[ref]", "(<a>)", "(a(b)c)", " x](/u)", "\n\n[ref]: /u"]
)
def test_labels_nested_around_the_nesting_limit_parse_as_markdown_it_parses_them(tail):
    for depth in (0, 1, 19, 20, 21, 22, 40):
        for closing in (0, 1, depth // 2, depth, depth + 1):
            assert_same("[" * depth + "foo" + "]" * closing + tail)
            assert_same("![" * depth + "a" + "]" * closing + tail)
            assert_same("[a *b " * depth + "`c]` d" + "]" * closing + tail)


ALPHABETS = [
    "[]()!*_`~<>&#;:/\\\"'-+=|.1a \n\n\t",
    "[]()!<>a \n\\",
    "[]!()a<>`*_\\&#;x\n ",
]


def test_shuffled_punctuation_parses_as_markdown_it_parses_it():
    rng = random.Random(2026)
    for _ in range(480):
        alphabet = rng.choice(ALPHABETS)
        assert_same("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))))


def test_an_own_parser_made_faster_renders_as_before():
    parser = stock_parser()
    text = "[a [b] c](/u) ![x [y]](/i.png) [[[z]]] [ref]\n\n[ref]: /r"
    before = parser.render(text)
    skip_tokens_faster(parser)

    assert parser.render(text) == before
    assert '<a href="/u">a [b] c</a>' in before
