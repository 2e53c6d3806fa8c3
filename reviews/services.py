"""Editorial workflows on reviews: submitting, publishing, withdrawing, reverting.

Each checks the user's rights itself (``reviews.workflow``), saves inside a revision that
records who did it, and stamps the review's audit fields, so the admin's actions, forms and any
later caller share one implementation.
"""

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from editorial import revisions
from reviews.models import Review
from reviews.workflow import (
    MATERIAL_FIELDS,
    can_edit,
    can_publish,
    describe_problems,
    publication_problems,
    publish_time,
    transition_comment,
)

#: What a revert leaves alone: whether and when the review is live, and its address.
REVERT_KEEPS = ("status", "publish_at", "slug")


def _save(review, user, comment):
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        review.updated_by = user
        review.save()


def note_material_change(review, changed_fields, *, now=None):
    """Record an edit readers should be told about: the words changed after the review went live."""
    now = now or timezone.now()
    went_live = review.first_published_at is not None and review.first_published_at <= now
    if went_live and set(changed_fields) & set(MATERIAL_FIELDS):
        review.last_material_change_at = now


def submit_for_review(review, *, user):
    if not can_edit(user, review):
        raise PermissionDenied("You may not change this review.")
    if review.status != Review.Status.DRAFT:
        raise ValidationError("Only a draft can be submitted for review.")
    before = review.status
    review.status = Review.Status.IN_REVIEW
    _save(review, user, transition_comment(before, review, timezone.now()))


def publish(review, *, user):
    """Publish now, or at the review's publish time if that is still to come (scheduled)."""
    if not can_publish(user):
        raise PermissionDenied("Only editors publish reviews.")
    problems = publication_problems(review)
    if problems:
        raise ValidationError(describe_problems(problems))
    if review.status == Review.Status.PUBLISHED:
        return False
    before, now = review.status, timezone.now()
    review.status = Review.Status.PUBLISHED
    review.publish_at = publish_time(review.publish_at, review.first_published_at, now)
    _save(review, user, transition_comment(before, review, now))
    return True


def withdraw(review, *, user):
    if not can_publish(user):
        raise PermissionDenied("Only editors withdraw reviews.")
    if review.status == Review.Status.WITHDRAWN:
        return False
    before = review.status
    review.status = Review.Status.WITHDRAWN
    _save(review, user, transition_comment(before, review, timezone.now()))
    return True


def revert_review(review, version, *, user):
    """Restore a revision's words and what it covers; never its status, publish time or slug."""
    if not can_edit(user, review):
        raise PermissionDenied("You may not change this review.")
    when = timezone.localtime(version.revision.date_created)
    stored = revisions.stored_fields(version)
    words = [
        name for name in MATERIAL_FIELDS if name in stored and stored[name] != getattr(review, name)
    ]
    # Set before revisions.revert saves, so the revert and its "Updated" time land together.
    note_material_change(review, words)
    return revisions.revert(
        review,
        version,
        user=user,
        keep=REVERT_KEEPS,
        comment=f"Reverted to the revision of {when:%d %b %Y, %H:%M}.",
    )
