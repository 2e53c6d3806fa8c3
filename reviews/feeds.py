"""The review feeds, RSS 2.0 and Atom: the latest reviews, and those of a film, a person or group
and a tag. Each item carries the standfirst as its summary and the whole body as its content
(RSS ``content:encoded``, Atom ``<content type="html">``), its links made absolute, followed by
its corrections and updates; the latest of those moves the entry's updated time.

The body is stored rendered and sanitised (``Review.body_html``, ``reviews.markdown``): a feed
reads it as it is, and each feed runs a fixed number of queries however long its reviews are.
"""

import re
from html import escape, unescape
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from films.models import Credit, Film, Person
from pagecache import keys
from pagemeta import fragments
from pagemeta.seo import absolute_url
from reviews import discussed
from reviews.models import Review, Tag
from soundtracks.models import Soundtrack

FEED_LENGTH = 20

CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"


class FullTextRssFeed(Rss201rev2Feed):
    """RSS 2.0 with each item's whole body in ``content:encoded`` (the RSS content module)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            # Escaped as any text is: a reader unescapes it into the HTML it was.
            handler.addQuickElement("content:encoded", item["content"])


class FullTextAtomFeed(Atom1Feed):
    """Atom with each entry's whole body in ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


# The sanitiser's output (reviews.markdown.sanitise_html) is the only HTML a body holds: its
# attributes are double-quoted, with any quote inside escaped, and only <a> carries a URL.
_LINK_TAG = re.compile(r'<a((?:\s+[-\w:]+(?:="[^"]*")?)*)\s*>')
_ATTRIBUTE = re.compile(r'(\s+)([-\w:]+)(?:="([^"]*)")?')


def absolute_links(html, base):
    """``html`` with every link's ``href`` absolute: resolved against ``base`` (the page the
    body is shown on), as a browser on that page would. A feed reader has no page to resolve
    a relative link against."""

    def attribute(match):
        space, name, value = match.groups()
        if name.lower() != "href" or value is None:
            return match[0]
        return f'{space}{name}="{escape(urljoin(base, unescape(value)))}"'

    def tag(match):
        return f"<a{_ATTRIBUTE.sub(attribute, match[1])}>"

    return _LINK_TAG.sub(tag, html)


def corrections_html(corrections):
    """The corrections and updates under a review's body, as its page shows them at its foot
    ("Correction, 3 Dec 2026: …"); the notes are sanitised (``reviews.corrections``)."""
    return format_html_join(
        "",
        '<p class="correction"><strong>{}, {}:</strong> {}</p>',
        (
            (
                note.get_kind_display(),
                date_format(timezone.localtime(note.published_at), "j M Y"),
                mark_safe(note.note_html),  # noqa: S308 (sanitised: reviews.corrections)
            )
            for note in corrections
        ),
    )


class LatestReviewsFeed(Feed):
    """Every link in the feed is on ``SITE_URL``: syndication would take the request's host."""

    feed_type = FullTextRssFeed
    title = f"{settings.SITE_NAME}: latest reviews"
    description = "New reviews of film scores and soundtracks on Cuesheet."
    url_name = "reviews:feed"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed generator writes the XML piece by piece, some 700 pieces, and a WSGI server
        # sends each as a packet of its own: joined, the feed serves ten times faster.
        response.content = response.content
        return response

    def link(self):
        return absolute_url(reverse("reviews:review_list"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def items(self):
        keys.add_list(Review)  # the latest reviews, whichever they are
        return self.with_bodies(Review.objects.published())

    def with_bodies(self, reviews):
        """The newest ``FEED_LENGTH`` of ``reviews`` with what an item shows: its rendered body
        (not the Markdown), its film, its bylines and its corrections; three queries."""
        return (
            reviews.select_related("film")
            .prefetch_related("authors", "corrections")
            .defer("body")[:FEED_LENGTH]
        )

    def item_link(self, review):
        return absolute_url(review.get_absolute_url())

    def item_title(self, review):
        return review.headline

    def item_description(self, review):
        return review.dek

    def item_extra_kwargs(self, review):
        html = review.body_html + corrections_html(review.corrections.all())
        return {"content": absolute_links(html, self.item_link(review))}

    def item_author_name(self, review):
        return ", ".join(author.name for author in review.authors.all())

    def item_pubdate(self, review):
        return review.first_published_at or review.publish_at

    def item_updateddate(self, review):
        # A correction moves it: readers' feed readers show the entry as changed.
        return review.modified_at

    def item_categories(self, review):
        return [review.film.title] if review.film else []


class LatestReviewsAtomFeed(LatestReviewsFeed):
    feed_type = FullTextAtomFeed
    subtitle = LatestReviewsFeed.description
    url_name = "reviews:atom_feed"


class ReviewsOfFeed(LatestReviewsFeed):
    """The latest published reviews of one object (a film, a person or group, a tag), at
    ``<its page>feed/``. An unknown slug, or an object no published review is of, is a 404, as
    its page of reviews is: three queries (the object, its reviews, their bylines), two for a
    404."""

    model = None

    def get_object(self, request, slug):
        if len(slug) > self.model._meta.get_field("slug").max_length:
            raise Http404("No such slug.")  # longer than any slug: nothing to look up
        return get_object_or_404(self.model, slug=slug)

    def items(self, obj):
        # Any review joining or leaving the list need not be one this object's page shows (a
        # new review of another of a person's films): any change to the list purges it.
        keys.add_list(Review)
        reviews = list(self.with_bodies(self.reviews_of(obj)))
        if not reviews:
            raise Http404("No published review is of this.")
        return reviews

    def reviews_of(self, obj):
        raise NotImplementedError

    def announces(self, obj):
        """Whether ``obj`` has feeds, for its page's head, and the keys of what would change
        the answer: the review found (withdrawn, it is purged), or else what a review newly
        discussing ``obj`` would purge (``watch``)."""
        found = next(iter(self.reviews_of(obj).order_by().only("pk")[:1]), None)  # tagged
        if found is None:
            self.watch(obj)
        return found is not None

    def watch(self, obj):
        """Add the keys a review that comes to be of ``obj`` purges, besides ``obj``'s own."""

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, args=[obj.slug]))

    def subtitle(self, obj):
        return self.description(obj)  # Atom's name for it


class FilmReviewsFeed(ReviewsOfFeed):
    """The reviews discussing a film: of it, of it among others, or of its albums."""

    model = Film
    url_name = "reviews:film_feed"

    def title(self, film):
        return f"{settings.SITE_NAME}: reviews of {film.title}"

    def description(self, film):
        return f"New Cuesheet reviews of {film.title} and its music."

    def reviews_of(self, film):
        return discussed.discussing(Film.objects.filter(pk=film.pk).values("pk"))

    def watch(self, film):
        keys.add_rows(Film, [film.pk])  # a review of it, or of it among others
        albums = Soundtrack.objects.filter(film=film.pk).values_list("pk", flat=True)
        keys.add_rows(Soundtrack, albums)  # a review of one of its albums


class PersonReviewsFeed(ReviewsOfFeed):
    """The reviews discussing a person or a group (``reviews.discussed``)."""

    model = Person
    url_name = "reviews:person_feed"

    def title(self, person):
        return f"{settings.SITE_NAME}: reviews discussing {person.name}"

    def description(self, person):
        return f"New Cuesheet reviews of the films and albums of {person.name}."

    def reviews_of(self, person):
        return discussed.discussing_person(person)

    def watch(self, person):
        # Their films and albums and their groups': a credit or an album's artist added is a
        # change of the person's row (pagecache.keys), a membership one of the group's.
        people = Person.objects.filter(Q(pk=person.pk) | Q(members=person.pk)).values("pk")
        films = set(Credit.objects.filter(person__in=people).values_list("film", flat=True))
        albums = Soundtrack.objects.filter(Q(film__in=films) | Q(artists__in=people))
        keys.add_rows(Person, [person.pk])
        keys.add_rows(Film, films)
        keys.add_rows(Soundtrack, set(albums.values_list("pk", flat=True)))


class TagReviewsFeed(ReviewsOfFeed):
    model = Tag
    url_name = "reviews:tag_feed"

    def title(self, tag):
        return f"{settings.SITE_NAME}: reviews tagged “{tag.name}”"

    def description(self, tag):
        return f"New Cuesheet reviews about {tag.name}."

    def reviews_of(self, tag):
        return Review.objects.published().filter(tags=tag)


class FilmReviewsAtomFeed(FilmReviewsFeed):
    feed_type = FullTextAtomFeed
    url_name = "reviews:film_atom_feed"


class PersonReviewsAtomFeed(PersonReviewsFeed):
    feed_type = FullTextAtomFeed
    url_name = "reviews:person_atom_feed"


class TagReviewsAtomFeed(TagReviewsFeed):
    feed_type = FullTextAtomFeed
    url_name = "reviews:tag_atom_feed"


# Autodiscovery: the <link rel="alternate"> a page puts in its head (templates/base.html renders
# a page's ``feeds``, then the site's own).


def alternates(rss, atom, obj, request=None, checked=False):
    """The ``<link rel="alternate">`` elements of ``obj``'s feeds (``rss`` and ``atom``, feed
    classes), as a callable the page's template calls when it renders its head; none when no
    published review is of ``obj``, whose feeds are then 404s. Whether there is one is asked
    in a fragment of its own (``pagemeta.fragments``): a page served from its fragments asks
    nothing. ``checked``: the page has made sure already (a tag's page is a 404 otherwise)."""

    def render():
        if not checked and not rss().announces(obj):
            return ""
        title = rss().title(obj)
        editions = [(rss, "RSS", "application/rss+xml"), (atom, "Atom", "application/atom+xml")]
        # Each on a line of its own, and before the site's (templates/base.html).
        return format_html_join(
            "",
            '<link rel="alternate" type="{}" title="{} ({})" href="{}">\n  ',
            (
                (content_type, title, name, reverse(feed.url_name, args=[obj.slug]))
                for feed, name, content_type in editions
            ),
        )

    def links():
        if checked:
            return render()
        name = f"feed-links:{obj._meta.model_name}:{obj.pk}"
        return fragments.cached(name, render, request=request)

    return links
