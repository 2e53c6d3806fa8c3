"""The review's infobox shows what the film's change form promises: its composers too."""

import pytest

from editorial.tests.html import parse_html
from films.admin import FilmAdmin
from films.models import Film
from reviews.models import Review

pytestmark = pytest.mark.django_db


def infobox(client, review):
    html = client.get(review.get_absolute_url()).content.decode()
    rows = parse_html(html).find(".infobox").find("dl").find_all("div")
    return {row.text_of("dt"): row.text_of("dd") for row in rows}


def test_the_tron_ares_review_names_the_films_composer(client, tron):
    review = Review.objects.get(slug="tron-ares-nine-inch-nails-score-review")
    facts = infobox(client, review)
    assert facts["Composer"] == "Nine Inch Nails"
    # The same people the film's change form shows under "infobox (as readers see it)".
    preview = FilmAdmin(Film, None).infobox(review.film)
    assert "<dt>Composers</dt><dd>Nine Inch Nails</dd>" in preview
