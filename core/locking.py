"""Optimistic locking for admin forms: a stale save is refused, never silently applied.

A locked model has a ``lock_version`` that its ``save()`` moves on by one. The form carries the
version it was loaded from in a hidden field; if the row has moved on since, the form is
invalid, names who saved in between and when, and keeps what this person typed so they can copy
it. Nothing is written, so the first person's edit stays whole.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

LOCK_FIELD = "loaded_version"


def saved_by(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


class OptimisticLockForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[LOCK_FIELD].initial = self.instance.lock_version if self.instance.pk else None

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            self._check_not_stale(cleaned_data.get(LOCK_FIELD))
        return cleaned_data

    def _check_not_stale(self, loaded):
        model = type(self.instance)
        # Row-locked until the admin's transaction ends (on PostgreSQL), so no save slips in
        # between this check and ours. No join: FOR UPDATE refuses nullable outer joins.
        rows = model._default_manager.all()
        if transaction.get_connection(rows.db).in_atomic_block:
            rows = rows.select_for_update()
        current = (
            rows.filter(pk=self.instance.pk)
            .values("lock_version", "updated_by_id", "updated_at")
            .first()
        )
        if current is None or loaded == current["lock_version"]:
            return
        name = model._meta.verbose_name
        if loaded is None:
            raise ValidationError(
                f"This form does not say which version of the {name} it was loaded from, so "
                "saving it could overwrite someone else’s work. Copy your changes, reload the "
                "page and make them again.",
                code="stale",
            )
        user = get_user_model()._default_manager.filter(pk=current["updated_by_id"]).first()
        when = date_format(timezone.localtime(current["updated_at"]), "DATETIME_FORMAT")
        raise ValidationError(
            f"{saved_by(user)} saved this {name} at {when}, after you opened it. Your changes "
            f"have not been saved, so theirs are safe. Your text is still in the form below: "
            f"copy what you need, reload the page to see their version, and make your changes "
            f"again.",
            code="stale",
        )
