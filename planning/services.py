"""Rescheduling: moving a review's planned date, as every path does it.

The change is checked against the user's rights (``reviews.workflow.can_edit``) and the version
the person's form was loaded from (``editorial.locking``): a review someone saved in between is
refused, never overwritten. It is saved inside a revision that names who moved it, stamps
``updated_by`` and leaves an entry in the admin's log, as the review's own form would. Only the
planned date is written: the publish time, and so whether and when the review goes live, stay.
"""

import reversion
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.formats import date_format

from editorial.locking import stale_error
from reviews.workflow import can_edit


def describe(day):
    return date_format(day, "l j F Y") if day else "no date"


def change_message(before, after):
    if after is None:
        return f"Planned date cleared (was {describe(before)})."
    if before is None:
        return f"Planned for {describe(after)}."
    return f"Planned date moved from {describe(before)} to {describe(after)}."


def reschedule(review, planned_for, *, loaded_version, user):
    """Plan ``review`` for ``planned_for`` (None: unplanned). Returns whether it changed.

    Raises ``PermissionDenied`` when ``user`` may not edit it, and the ``ValidationError`` of
    ``editorial.locking.stale_error`` when it was saved (or deleted) after ``loaded_version``.
    """
    if not can_edit(user, review):
        raise PermissionDenied("You may not change this review.")
    with transaction.atomic():
        # Locks the row (on PostgreSQL) until the save below: nothing slips in between.
        error = stale_error(review, loaded_version)
        if error is not None:
            raise error
        before = review.planned_for
        if before == planned_for:
            return False
        message = change_message(before, planned_for)
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(message)
            review.planned_for = planned_for
            review.updated_by = user
            review.save(update_fields=["planned_for", "updated_by", "updated_at"])
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[review],
            action_flag=CHANGE,
            change_message=message,
            single_object=True,
        )
    return True
