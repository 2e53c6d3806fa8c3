"""Who may do what to a review, and what a review needs before readers see it.

Roles are the groups a migration makes (``reviews/migrations/*_editorial_roles.py``):

- **Writers** add reviews and track notes, edit the ones they created while they are drafts or in
  review, and move them between those two states (submit for review, take back to draft). They
  never publish, schedule or withdraw, and never touch what someone else created.
- **Editors** do all that for anyone's work, publish, schedule, withdraw, make share links, and
  manage the catalogue.

"Their own" is one rule: the review's ``created_by`` is them. Bylines (``authors``) say who
wrote it for readers; they do not grant access, so no one gains a review by adding a byline.

Every check here is asked on the server, whatever path a change comes by: the change and add
forms, admin actions, the preview and the services.
"""

from django.core.exceptions import PermissionDenied

from reviews.models import Review

WRITERS = "Writers"
EDITORS = "Editors"

PUBLISH_PERMISSION = "reviews.publish_review"
CHANGE_ANY_PERMISSION = "reviews.change_any_review"

#: The statuses a writer may give their own review.
WRITER_STATUSES = (Review.Status.DRAFT, Review.Status.IN_REVIEW)

#: Edits after a review went live that readers are told about ("Updated …").
MATERIAL_FIELDS = ("headline", "dek", "body")


def can_publish(user):
    """Publish, schedule, withdraw, and share drafts by link."""
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def is_own(user, review):
    return review.pk is None or (
        review.created_by_id is not None and review.created_by_id == user.pk
    )


def can_see(user, review):
    """May open the review in the admin and preview it on the site before it is live.

    ``visible_reviews`` is the same rule for a queryset; keep the two together.
    """
    if not (user.is_active and user.is_staff):
        return False
    if user.has_perm(CHANGE_ANY_PERMISSION):
        return True
    return user.has_perm("reviews.change_review") and is_own(user, review)


def visible_reviews(user, queryset):
    """``can_see`` as a filter: the reviews in ``queryset`` that ``user`` may see."""
    if not (user.is_active and user.is_staff):
        return queryset.none()
    if user.has_perm(CHANGE_ANY_PERMISSION):
        return queryset
    if user.has_perm("reviews.change_review"):
        return queryset.filter(created_by=user.pk)
    return queryset.none()


def can_edit(user, review):
    if not (user.is_active and user.has_perm("reviews.change_review")):
        return False
    if user.has_perm(CHANGE_ANY_PERMISSION):
        return True
    return is_own(user, review) and review.status in WRITER_STATUSES


def allowed_statuses(user):
    if can_publish(user):
        return list(Review.Status)
    return list(WRITER_STATUSES)


def check_save(user, review, *, before=None):
    """Refuse a save ``user`` may not make; ``before`` is the row as stored, if any.

    Publishing, scheduling and withdrawing need the publish permission: giving the review a
    status outside draft and in review, or changing its publish time.
    """
    if before is not None and not can_edit(user, before):
        raise PermissionDenied("You may not change this review.")
    if can_publish(user):
        return
    if review.status not in WRITER_STATUSES:
        raise PermissionDenied("Only editors publish, schedule or withdraw reviews.")
    if review.publish_at != (before.publish_at if before is not None else None):
        raise PermissionDenied("Only editors set a review's publish time.")


def publish_time(publish_at, first_published_at, now):
    """When a review goes live if it is published at ``now``: the one rule every path follows.

    - No time: now.
    - A time already past on a review that has never been live: now. A draft that once had a
      time (scheduled, then taken back) is not backdated below reviews published since.
    - A time still to come: kept; the review is scheduled and goes live by itself.
    - A review that has been live (withdrawn, then published again) keeps its time, and so its
      place in the archive and the feeds.

    The changelist action, the change form and ``reviews.services.publish`` all ask this.
    """
    if publish_at is None:
        return now
    never_live = first_published_at is None or first_published_at > now
    if never_live and publish_at < now:
        return now
    return publish_at


def transition_comment(before_status, review, now):
    """The revision comment for a change of status, as every path writes it; None when none."""
    if review.status == before_status:
        return None
    if review.status == Review.Status.PUBLISHED:
        return "Scheduled." if review.publish_at > now else "Published."
    return {
        Review.Status.WITHDRAWN: "Withdrawn.",
        Review.Status.IN_REVIEW: "Submitted for review.",
        Review.Status.DRAFT: "Taken back to draft.",
    }[review.status]


def publication_problems(review, *, authors=None):
    """Everything a review still needs before it can be published, in plain words.

    An empty list means it may go live. A hero image needs alt text unless it is marked
    decorative: the form asks for it too, but a review saved by code may lack it. A review
    goes out under a byline: ``authors`` are the ones about to be saved with it (a form's,
    before its many-to-many fields are written); by default, the ones it has.
    """
    if authors is None:
        # all(), not exists(): the admin's changelist prefetches them for its actions.
        authors = review.authors.all() if review.pk is not None else ()
    problems = []
    if not review.headline.strip():
        problems.append("a headline")
    if not review.dek.strip():
        problems.append("a standfirst")
    if not review.body.strip():
        problems.append("a body")
    if not authors:
        problems.append("an author")
    if review.film_id is None:
        problems.append("a primary film")
    hero = getattr(review, "hero_image", None)
    if hero and not hero.decorative and not hero.alt_text.strip():
        problems.append("alt text for the hero image")
    return problems


def describe_problems(problems):
    """``["a headline", "a body"]`` → "It still needs a headline and a body." """
    if len(problems) == 1:
        listed = problems[0]
    else:
        listed = ", ".join(problems[:-1]) + " and " + problems[-1]
    return f"It still needs {listed}."
