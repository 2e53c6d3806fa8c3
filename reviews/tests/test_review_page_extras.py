"""The review page's byline box and its columns: who wrote it, what else they wrote, and the
related reviews beside a long body."""

import datetime

import pytest
from django.utils import timezone

from editorial.tests.html import parse_html
from reviews.models import Review
from reviews.tests.factories import AuthorFactory, ReviewFactory, TagFactory

pytestmark = pytest.mark.django_db


def page(client, review):
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    return parse_html(response.content.decode())


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_the_writer_their_bio_and_their_three_newest_other_reviews(client):
    writer = AuthorFactory(name="Ada Writer", bio="Ada writes about synthesizers.")
    other = AuthorFactory(name="Someone Else")
    review = ReviewFactory(authors=[writer], publish_at=days_ago(1))
    older = [
        ReviewFactory(authors=[writer], headline=f"Older {n}", publish_at=days_ago(n + 2))
        for n in range(4)
    ]
    ReviewFactory(authors=[writer], headline="A draft", status=Review.Status.DRAFT)
    ReviewFactory(authors=[writer], headline="Scheduled", publish_at=days_ago(-3))
    ReviewFactory(authors=[other], headline="Not hers")

    html = page(client, review)
    box = html.find(".about-authors")
    assert box.find("h2").text == "About the writer"
    assert "Ada writes about synthesizers." in box.text
    assert box.find(".about-author-name").find("a")["href"] == writer.get_absolute_url()
    more = [(a.text, a["href"]) for a in box.find(".more-by").find_all("a")]
    assert more == [(r.headline, r.get_absolute_url()) for r in older[:3]]
    assert "More from Ada Writer" in box.text


def test_a_house_byline_is_introduced_as_one_and_without_others_lists_none(client):
    staff = AuthorFactory(name="House", bio="Our house byline.", is_organisation=True)
    review = ReviewFactory(authors=[staff])

    box = page(client, review).find(".about-authors")
    assert box.find("h2").text == "About this byline"
    assert box.find(".more-by") is None


def test_two_writers_each_with_a_bio_and_the_work_of_either(client):
    one, two = AuthorFactory(name="One", bio="First."), AuthorFactory(name="Two", bio="")
    review = ReviewFactory(authors=[one, two])
    by_two = ReviewFactory(authors=[two], headline="By two")
    by_both = ReviewFactory(authors=[one, two], headline="By both")

    box = page(client, review).find(".about-authors")
    assert box.find("h2").text == "About the writers"
    names = [h.find("a").text for h in box.find_all(".about-author-name")]
    assert names == ["One", "Two"]
    assert sorted(a.text for a in box.find(".more-by").find_all("a")) == sorted(
        [by_two.headline, by_both.headline]
    )  # a review of both bylines once


def test_related_reviews_sit_in_the_column_beside_the_body(client):
    tag = TagFactory(name="Synths")
    review = ReviewFactory()
    review.tags.add(tag)
    related = ReviewFactory(headline="Also synths")
    related.tags.add(tag)

    html = page(client, review)
    assert "Related reviews" in html.text_of(".review-column")
    assert "Also synths" in html.text_of(".review-column")
    assert "Related reviews" not in html.text_of(".review-main")
