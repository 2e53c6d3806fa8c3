"""The change form's error summary: every error on the page, named by its field and row.

Django's admin says only "Please correct the errors below." above a form that may run to a
hundred inline rows; ``templates/admin/change_form.html`` lists each error under it, as
"Tracks, row 3, Duration: Enter a valid duration.", linked to the field it is about.
"""

from dataclasses import dataclass

from django import template
from django.contrib.admin.utils import flatten_fieldsets
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.text import capfirst

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    where: str
    """"Tracks, row 3, Duration", "Duration", "Tracks, row 3" or "Tracks"."""
    message: str
    target: str
    """The id of the element the error is about, or "" when the page shows none."""


def _field_errors(form, field_names, prefix=()):
    """The errors of ``form``'s fields, in ``field_names`` order, then any others."""
    errors = form.errors
    names = [name for name in field_names if name in errors and name in form.fields]
    names += [name for name in errors if name not in names and name in form.fields]
    for name in names:
        bound = form[name]
        where = ", ".join((*prefix, str(capfirst(bound.label or name))))
        target = "" if bound.is_hidden else bound.id_for_label
        for message in errors[name]:
            yield SummaryError(where, message, target)


@register.simple_tag
def error_summary(adminform, inline_admin_formsets):
    """Every field error of the form and its inlines, in the order the page shows them.

    The main form's own non-field errors are left out: the admin prints them beside the
    summary already.
    """
    summary = []
    if adminform is not None:
        form = adminform.form
        summary += _field_errors(form, flatten_fieldsets(adminform.fieldsets))
    for inline_admin_formset in inline_admin_formsets or ():
        formset = inline_admin_formset.formset
        if not formset.is_bound:
            continue
        name = str(capfirst(inline_admin_formset.opts.verbose_name_plural))
        group = f"{formset.prefix}-group"
        for message in formset.non_form_errors():
            summary.append(SummaryError(name, message, group))
        field_names = flatten_fieldsets(inline_admin_formset.fieldsets)
        for index, form in enumerate(formset.forms):
            if not form.errors:
                continue
            row = (name, f"row {index + 1}")
            for message in form.errors.get(NON_FIELD_ERRORS, ()):
                summary.append(SummaryError(", ".join(row), message, f"{formset.prefix}-{index}"))
            summary += _field_errors(form, field_names, prefix=row)
    return summary
