"""Track links in stored review HTML follow their tracks when albums and tracks change."""

import pytest

from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.tests.factories import SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def citing_review():
    album = SoundtrackFactory(slug="tron-ares-soundtrack")
    track = TrackFactory(soundtrack=album, disc=1, position=1, title="Init")
    review = ReviewFactory(body="Set to “[Init](track:tron-ares-soundtrack/1)”.")
    assert list(review.cited_tracks.all()) == [track]
    return review, album, track


def stored_html(review):
    return Review.objects.values_list("body_html", flat=True).get(pk=review.pk)


def test_a_track_moved_on_its_disc_takes_the_link_with_it(citing_review):
    review, album, track = citing_review
    # The body names position 1; once no track is there, the link goes rather than mislead.
    track.position = 2
    track.save()
    assert 'href="/soundtracks/tron-ares-soundtrack/#track-1-1"' not in stored_html(review)
    assert "Init" in stored_html(review)
    assert "<a" not in stored_html(review)


def test_a_renamed_album_leaves_no_link_to_its_old_address(citing_review):
    review, album, track = citing_review
    album.slug = "tron-ares-score"
    album.save()
    assert "/soundtracks/tron-ares-soundtrack/" not in stored_html(review)
    assert not review.cited_tracks.exists()


def test_a_deleted_track_leaves_plain_text_not_a_broken_link(citing_review):
    review, album, track = citing_review
    # A published review's cited track cannot be deleted (tests/test_deletion.py); a draft's can.
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    track.delete()
    html = stored_html(review)
    assert "Init" in html
    assert "<a" not in html
    assert not review.cited_tracks.exists()


def test_rerendering_is_not_an_edit(citing_review):
    review, album, track = citing_review
    version = Review.objects.values_list("lock_version", flat=True).get(pk=review.pk)
    track.title = "Init (Remastered)"
    track.save()
    assert Review.objects.values_list("lock_version", flat=True).get(pk=review.pk) == version
    assert 'href="/soundtracks/tron-ares-soundtrack/#track-1-1"' in stored_html(review)
