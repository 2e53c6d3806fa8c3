"""Admin URLs, and the POST data an admin change form sends back as the browser would."""

import datetime

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.urls import reverse
from django.utils import timezone


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _add_fields(form, data):
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, AdminSplitDateTime):
            if isinstance(value, datetime.datetime):
                local = timezone.localtime(value)
                value = [local.date().isoformat(), local.time().isoformat("seconds")]
            data[f"{key}_0"], data[f"{key}_1"] = value or ("", "")
        elif type(value) is int:
            # As the widget shows it: a duration's ``3:15``, a number's ``195``.
            data[key] = field.widget.format_value(value)
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is None:
            if not isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                data[key] = ""
        else:
            data[key] = str(value)


def form_data(response):
    """What the browser would POST back for the admin form in ``response``, unchanged."""
    assert response.status_code == 200, response.status_code
    data = {}
    _add_fields(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            _add_fields(form, data)
    return data


def post_change(client, obj, **changes):
    """Load ``obj``'s change form, apply ``changes`` and post it back."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def datetime_fields(name, moment):
    local = timezone.localtime(moment)
    return {
        f"{name}_0": local.date().isoformat(),
        f"{name}_1": local.time().isoformat("seconds"),
    }


def form_errors(response):
    """The errors an admin form page shows, for assertion messages."""
    if response.context is None or "adminform" not in response.context:
        return response.status_code
    errors = [response.context["adminform"].form.errors]
    errors += [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    return errors
