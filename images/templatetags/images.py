"""``{% responsive_image %}``: an ``images.Image``'s WebP renditions as one ``<img>`` element.

::

    {% load images %}
    {% responsive_image film.poster sizes="(min-width: 60rem) 20rem, 45vw" %}
    {% responsive_image review.hero_image sizes="100vw" loading="eager" %}
    {% responsive_image person.photo "" %}            {# decorative here: alt="" #}

The alt text is the image's own (empty when it is marked decorative) unless given as the
second argument. Select the image with its row (``select_related("poster")``): the tag reads
only the Image's columns, never storage. ``sizes`` tells the browser how wide the image is laid
out, so it can pick a rendition before the CSS loads; ``loading="eager"`` is for the one image
above the fold, everything else loads lazily. ``width`` and ``height`` are always printed, so
the page keeps the image's place while it loads.
"""

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html

from images.models import Image

register = template.Library()

LOADING = {"lazy", "eager"}


@register.simple_tag
def responsive_image(
    image, alt=None, *, sizes="100vw", loading="lazy", css_class="", fetchpriority=""
):
    if not image:
        return ""
    if not isinstance(image, Image):
        raise TypeError(f"responsive_image needs an images.Image, not {type(image).__name__}.")
    if loading not in LOADING:
        raise ValueError(f"loading must be 'lazy' or 'eager', not {loading!r}.")
    if alt is None:
        alt = image.alt
    renditions = image.renditions
    largest = renditions[-1]
    attributes = {
        "src": largest.url,
        "srcset": ", ".join(f"{rendition.url} {rendition.width}w" for rendition in renditions),
        "sizes": sizes,
        "width": largest.width,
        "height": largest.height,
        "alt": alt,
        "loading": loading,
        "decoding": "async",
    }
    if css_class:
        attributes["class"] = css_class
    if fetchpriority:
        attributes["fetchpriority"] = fetchpriority
    if image.object_position:
        attributes["style"] = f"object-position: {image.object_position}"
    return format_html("<img{}>", flatatt(attributes))
