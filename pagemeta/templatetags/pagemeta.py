"""Template tags every public page's <head> uses: canonical and absolute URLs, JSON-LD."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from pagemeta import seo

register = template.Library()

# Query parameters that make a different page; anything else (tracking, typos) is not canonical.
CANONICAL_PARAMETERS = ("q", "kind", "page")

# As django.utils.html.json_script: JSON that cannot close its <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """A schema.org data block; a data block is not script, so a strict CSP allows it."""
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
