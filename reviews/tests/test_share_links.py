"""Share links (reviews.preview, ShareLink): made, listed and revoked by editors; ended by a
withdrawal; a link that no longer works is the same 404 as a review that does not exist."""

import datetime
import re

import pytest
import time_machine
from django.contrib.admin import helpers
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.tests.admin_forms import admin_url, post_change
from editorial.tests.factories import EditorFactory, WriterFactory
from reviews import services
from reviews.models import Review, ShareLink
from reviews.preview import SHARE_SALT, link_token, link_uid, share_token, share_url
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

DRAFT = Review.Status.DRAFT
WITHDRAWN = Review.Status.WITHDRAWN


@pytest.fixture
def editor():
    return EditorFactory(username="eddie")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def draft():
    return ReviewFactory(
        headline="For your eyes", slug="for-your-eyes", status=DRAFT, publish_at=None
    )


def share_page(review):
    return reverse("admin:reviews_review_share", args=[review.pk])


def shared(review, token):
    return f"{review.get_absolute_url()}?share={token}"


def read(url):
    """A reader who is not logged in, fresh each time."""
    return Client(raise_request_exception=False).get(url)


def not_found_page(response):
    """A 404 page with what differs between any two requests (the CSP nonce) taken out."""
    assert response.status_code == 404
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def assert_like_a_missing_review(response):
    missing = read(f"{reverse('reviews:review_detail', args=['no-such-review'])}?share=x")
    assert not_found_page(response) == not_found_page(missing)
    assert "For your eyes" not in response.content.decode()


# Making and listing -----------------------------------------------------------------------------


def test_editor_makes_a_link_that_the_database_knows(editor_client, editor, draft):
    response = editor_client.post(share_page(draft), {"days": 7})

    link = ShareLink.objects.get()
    assert (link.review, link.created_by, link.revoked_at) == (draft, editor, None)
    assert abs(
        link.expires_at - (timezone.now() + datetime.timedelta(days=7))
    ) < datetime.timedelta(minutes=1)
    url = response.context["link"]
    assert link_token(link) in url
    page = read(url)
    assert page.status_code == 200
    assert "For your eyes" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "no-store" in response["Cache-Control"]  # the admin page that shows the token


def test_the_share_page_lists_every_link_with_its_state(editor_client, draft):
    working = ShareLink.objects.get(uid=link_uid(share_token(draft, days=3)))
    share_token(draft, days=1)
    revoked = ShareLink.objects.exclude(pk=working.pk).get()
    ShareLink.objects.filter(pk=revoked.pk).revoke()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        share_token(draft, days=1)  # long expired

    page = editor_client.get(share_page(draft))

    html = page.content.decode()
    assert html.count(">Works<") == 1
    assert html.count("Revoked ") == 1
    assert html.count(">Expired<") == 1
    assert link_token(working) in html
    assert link_token(revoked) not in html
    assert 'name="revoke_all"' in html
    change = editor_client.get(admin_url(Review, "change", draft.pk)).content.decode()
    assert "1 share link shows this review" in change


def test_the_share_page_runs_a_fixed_number_of_queries(
    editor_client, draft, django_assert_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(share_page(draft)).status_code == 200
        return len(queries)

    share_token(draft, days=1)
    few = count()
    for _ in range(5):
        share_token(draft, days=3, user=EditorFactory())
    with django_assert_num_queries(few):
        editor_client.get(share_page(draft))


# Revoking ---------------------------------------------------------------------------------------


def test_a_revoked_link_is_the_same_404_as_a_missing_review(editor_client, editor, draft):
    token = share_token(draft, days=7)
    other = share_token(draft, days=7)
    link = ShareLink.objects.get(uid=link_uid(token))

    response = editor_client.post(share_page(draft), {"revoke": "1", "link": link.pk})

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == editor
    assert_like_a_missing_review(read(shared(draft, token)))
    assert read(shared(draft, other)).status_code == 200


def test_revoke_all_ends_every_link(editor_client, draft):
    tokens = [share_token(draft, days=days) for days in (1, 3, 14)]

    editor_client.post(share_page(draft), {"revoke_all": "1"})

    for token in tokens:
        assert_like_a_missing_review(read(shared(draft, token)))
    assert not ShareLink.objects.working().exists()
    # New links work again.
    assert read(shared(draft, share_token(draft, days=1))).status_code == 200


@pytest.mark.parametrize(
    "link",
    [
        "",
        "abc",
        "-1",
        "0",
        str(2**63),
        str(10**30),
        "1.5",
        "%00",
        "\u0669\u0669\u0669",
        "x" * 10_000,
        "other",
    ],
)
def test_revoking_a_link_that_is_not_this_reviews_changes_nothing(editor_client, draft, link):
    mine = share_token(draft, days=3)
    theirs_review = ReviewFactory(status=DRAFT, publish_at=None)
    theirs = share_token(theirs_review, days=3)
    if link == "other":
        link = ShareLink.objects.get(review=theirs_review).pk

    response = editor_client.post(share_page(draft), {"revoke": "1", "link": link})

    assert response.status_code == 302
    assert read(shared(draft, mine)).status_code == 200
    assert read(shared(theirs_review, theirs)).status_code == 200
    followed = editor_client.get(share_page(draft))
    assert "revoked already, or it is not one of this review’s" in followed.content.decode()


def test_writers_cannot_make_or_revoke_links(client, draft):
    own = ReviewFactory(status=DRAFT, publish_at=None, created_by=WriterFactory())
    token = share_token(own, days=3)
    client.force_login(own.created_by)

    assert client.post(share_page(own), {"revoke_all": "1"}).status_code == 403
    assert client.post(share_page(own), {"days": 3}).status_code == 403
    assert client.get(share_page(draft)).status_code == 404  # not theirs to see at all
    assert read(shared(own, token)).status_code == 200
    assert ShareLink.objects.count() == 1


# Withdrawing ends every link --------------------------------------------------------------------


def withdraw_by_service(client, review, editor):
    services.withdraw(review, user=editor)


def withdraw_by_action(client, review, editor):
    client.post(
        admin_url(Review, "changelist"),
        {"action": "withdraw_selected", helpers.ACTION_CHECKBOX_NAME: [review.pk]},
    )


def withdraw_by_form(client, review, editor):
    assert post_change(client, review, status=WITHDRAWN).status_code == 302


def withdraw_by_save(client, review, editor):
    review.status = WITHDRAWN
    review.save()


@pytest.mark.parametrize(
    "withdraw", [withdraw_by_service, withdraw_by_action, withdraw_by_form, withdraw_by_save]
)
def test_every_withdrawal_revokes_every_link(editor_client, editor, withdraw):
    review = ReviewFactory(headline="For your eyes", status=Review.Status.PUBLISHED)
    review.status, review.publish_at = DRAFT, None  # back to draft, to be shared again
    review.save()
    tokens = [share_token(review, days=days) for days in (1, 7)]
    assert read(shared(review, tokens[0])).status_code == 200

    withdraw(editor_client, review, editor)

    review.refresh_from_db()
    assert review.status == WITHDRAWN
    assert not review.share_links.working().exists()
    for token in tokens:
        assert_like_a_missing_review(read(shared(review, token)))
    # Taken back to draft, the review's old links stay dead.
    Review.objects.filter(pk=review.pk).update(status=DRAFT)
    for token in tokens:
        assert read(shared(review, token)).status_code == 404


def test_a_withdrawn_review_never_shows_through_a_link_whatever_its_rows_say(draft):
    token = share_token(draft, days=7)
    Review.objects.filter(pk=draft.pk).update(status=WITHDRAWN)  # a bulk update skips save()
    assert_like_a_missing_review(read(shared(draft, token)))


def test_a_withdrawn_review_cannot_be_shared(editor_client):
    review = ReviewFactory(status=WITHDRAWN)
    response = editor_client.post(share_page(review), {"days": 3})
    assert response.status_code == 200
    assert "withdrawn" in response.content.decode()
    assert not ShareLink.objects.exists()


# Expiry and bad tokens --------------------------------------------------------------------------


def test_an_expired_link_is_the_same_404_as_a_missing_review(draft):
    token = share_token(draft, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        assert_like_a_missing_review(read(shared(draft, token)))


def legacy_token(review):
    """A link of the kind made before links were rows: signed, timed, impossible to revoke."""
    return signing.TimestampSigner(salt="reviews.preview.share").sign_object(
        {"review": str(review.uid), "days": 14}
    )


BAD_TOKENS = {
    "empty": lambda review: "",
    "garbage": lambda review: "garbage",
    "colon": lambda review: ":",
    "nul": lambda review: "%00",
    "unicode": lambda review: "\u00e9\u2603",
    "huge": lambda review: "a" * 100_000,
    "tampered": lambda review: share_token(review, days=1)[:-1] + "x",
    "unknown-uid": lambda review: signing.Signer(salt=SHARE_SALT, sep=".").sign("0" * 32),
    "not-a-uid": lambda review: signing.Signer(salt=SHARE_SALT, sep=".").sign("not a uuid"),
    "legacy": legacy_token,
    "other-salt": lambda review: signing.Signer(salt="x").sign(
        ShareLink.objects.create(
            review=review, expires_at=timezone.now() + datetime.timedelta(1)
        ).uid.hex
    ),
    "another-review": lambda review: share_token(
        ReviewFactory(status=DRAFT, publish_at=None), days=3
    ),
}


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_the_same_404_as_a_missing_review(draft, make):
    assert_like_a_missing_review(read(shared(draft, make(draft))))


def test_links_survive_a_key_rotation_only_with_the_old_key_as_a_fallback(settings, draft):
    settings.SECRET_KEY = "old-" + "k" * 50
    token = share_token(draft, days=3)

    settings.SECRET_KEY = "new-" + "k" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-" + "k" * 50]
    assert read(shared(draft, token)).status_code == 200

    settings.SECRET_KEY_FALLBACKS = []
    assert read(shared(draft, token)).status_code == 404


def test_share_url_makes_a_working_link(rf, editor, draft):
    url = share_url(rf.get("/"), draft, days=3, user=editor)
    assert read(url).status_code == 200
    assert ShareLink.objects.get().created_by == editor
