"""Reverting a row to one of its versions, recorded as a new revision."""

import reversion
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from editorial.revisions.storing import Missing, restorable_value, stored_fields, version_fields


class RevertError(Exception):
    pass


def revert(obj, version, *, user, keep=(), comment=None):
    """Restore ``obj``'s stored fields from ``version``, as a new revision by ``user``.

    Fields named in ``keep`` are left as they are (a review's status and publish time: a revert
    never changes whether a review is live). Related objects deleted since are left out, and
    named in the returned warnings. Returns ``(changed_field_names, warnings)``.
    """
    stored = stored_fields(version)
    changed, warnings, m2m = [], [], {}
    for field in version_fields(type(obj)):
        if field.name in keep or field.name not in stored:
            continue
        value = restorable_value(field, stored[field.name], warnings)
        if field.many_to_many:
            if {item.pk for item in value} != set(
                getattr(obj, field.name).values_list("pk", flat=True)
            ):
                m2m[field.name] = value
                changed.append(field.name)
            continue
        if isinstance(value, Missing):
            raise RevertError(f"This revision needs {value}, so it cannot be restored.")
        current = getattr(obj, field.name)
        if current != value:
            setattr(obj, field.name, value)
            changed.append(field.name)
    when = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or f"Reverted to the revision of {when}.")
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = user
        obj.save()
        for name, items in m2m.items():
            getattr(obj, name).set(items)
        reversion.add_to_revision(obj)
    return changed, warnings
