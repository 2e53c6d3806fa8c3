"""Template tags every public page's <head> uses: canonical and absolute URLs, JSON-LD."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from pagemeta import fragments, seo

register = template.Library()

# Query parameters that make a different page; anything else (tracking, typos) is not canonical.
CANONICAL_PARAMETERS = ("q", "kind", "page")

# As django.utils.html.json_script: JSON that cannot close its <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """A schema.org data block; a data block is not script, so a strict CSP allows it. A
    ``fragments.JsonLd`` is one rendered once per content version."""
    if isinstance(data, fragments.JsonLd):
        return data.html(_json_ld)
    return _json_ld(data)


def _json_ld(data):
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def absolute_url(url):
    """``url`` on the site's address (``SITE_URL``), whatever host the request named."""
    return seo.absolute_url(url)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's absolute URL, on ``SITE_URL``, with only the parameters that change it."""
    request = context.get("request")
    if request is None:
        return ""
    query = request.GET.copy()
    for key in list(query):
        if key not in CANONICAL_PARAMETERS or not query.get(key):
            del query[key]
    if query.get("page") == "1":
        del query["page"]
    url = seo.absolute_url(request.path)
    return f"{url}?{query.urlencode()}" if query else url


@register.tag
def fragment(parser, token):
    """``{% fragment "film-infobox" film.pk [prepare=callable] [unless=condition] %}…
    {% endfragment %}``: the block rendered once per content version and reused
    (``pagemeta.fragments``). The name is its first argument and the values after it, joined;
    ``prepare`` names a callable in the context, called before a rendering (to fetch what
    only a rendering needs); ``unless`` true (a preview) renders it every time, storing
    nothing."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("fragment needs a name")
    names, options = [], {}
    for bit in bits:
        key, equals, value = bit.partition("=")
        if equals and key == "prepare":
            options[key] = value  # a context variable's name: read, never called, there
        elif equals and key == "unless":
            options[key] = parser.compile_filter(value)
        elif equals:
            raise template.TemplateSyntaxError(f"fragment has no option {key!r}")
        else:
            names.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, names, options.get("prepare"), options.get("unless"))


class FragmentNode(template.Node):
    def __init__(self, nodelist, names, prepare, unless):
        self.nodelist, self.names, self.prepare, self.unless = nodelist, names, prepare, unless

    def render(self, context):
        if self.unless is not None and self.unless.resolve(context):
            return self.nodelist.render(context)
        name = ":".join(str(part.resolve(context)) for part in self.names)
        prepare = context.get(self.prepare) if self.prepare is not None else None
        request = context.get("request")
        return fragments.cached(name, lambda: self.nodelist.render(context), prepare, request)
