"""Deletes refused while published pages rely on what would go, in the admin.

``GuardedDeleteMixin`` asks ``editorial.models.reliances`` on the delete page and the "delete
selected" action, and reports a delete the model's guard refused; ``GuardedInlineFormSet`` does
the same for inline rows marked for deletion. ``reliance_html`` is one line of such a refusal.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from editorial.locking import LockedInlineFormSet
from editorial.models import reliances


class GuardedInlineFormSet(LockedInlineFormSet):
    """Rows marked for deletion that published pages rely on are refused, naming them."""

    def clean(self):
        super().clean()
        relied_on = reliances(form.instance for form in self.deleted_forms if form.instance.pk)
        if relied_on:
            raise ValidationError(
                [
                    ValidationError(format_html("Not deleted: {}", reliance_html(reliance)))
                    for reliance in relied_on
                ],
                code="relied_on",
            )


def reliance_html(reliance):
    """One line of a refused delete: what would go, and a link to what relies on it."""
    dependent = reliance.dependent
    opts = dependent._meta
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(dependent.pk)]
        )
    except NoReverseMatch:
        url = dependent.get_absolute_url()
    return format_html(
        '{} “{}”: {} <a href="{}">“{}”</a>. Change that first.',
        capfirst(reliance.obj._meta.verbose_name),
        reliance.obj,
        reliance.reason,
        url,
        dependent,
    )


class GuardedDeleteMixin:
    """Deleting refuses, naming them, what published pages rely on (``editorial.models.reliances``).

    The delete page, the changelist's "delete selected" action and the model's own guard agree:
    the pages ask first and refuse politely; a delete racing past them is refused by the guard
    and reported, not answered with an error page.
    """

    delete_confirmation_template = "admin/editorial/delete_confirmation.html"

    def get_deleted_objects(self, objs, request):
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not protected:
            protected = [reliance_html(reliance) for reliance in reliances(objs)]
        return to_delete, counts, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ProtectedError as error:
            return self._refused(request, error)

    def _refused(self, request, error):
        self.message_user(request, error.args[0], messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())
