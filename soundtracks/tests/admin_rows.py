"""Admin forms with inline rows, as the browser would send them: the page's data plus new rows."""

from editorial.tests.admin_forms import admin_url, form_data


def inline_prefix(response, model):
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is model
    ]
    return formset.prefix


def with_rows(response, model, *rows, **changes):
    """``response``'s form data, changed by ``changes``, with ``rows`` (dicts) added to the
    inline of ``model``."""
    data = {**form_data(response), **changes}
    prefix = inline_prefix(response, model)
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for number, row in enumerate(rows, start=total):
        data.update({f"{prefix}-{number}-{name}": value for name, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = total + len(rows)
    return data


def post_with_rows(client, obj_or_model, model, *rows, **changes):
    """Load the change page of ``obj_or_model`` (or the add page of a model), add ``rows`` to
    its inline of ``model`` and post it back."""
    if isinstance(obj_or_model, type):
        url = admin_url(obj_or_model, "add")
    else:
        url = admin_url(type(obj_or_model), "change", obj_or_model.pk)
    return client.post(url, with_rows(client.get(url), model, *rows, **changes))


def errors_of(response):
    """Every error the page shows, the form's and its inlines', as one string."""
    assert response.status_code == 200, response.status_code
    errors = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        errors += [str(inline.formset.non_form_errors()), str(inline.formset.errors)]
    return " ".join(errors)


def has_errors(response):
    """Whether the page is the form again with an error on the form or on an inline row."""
    assert response.status_code == 200, response.status_code
    if response.context["adminform"].form.errors:
        return True
    return any(
        inline.formset.non_form_errors() or any(inline.formset.errors)
        for inline in response.context["inline_admin_formsets"]
    )


def snapshot(obj, *relations):
    """``obj``'s stored fields and the rows of its ``relations``, to show nothing was saved."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).values().get()
    rows = [sorted(getattr(obj, name).values_list("pk", flat=True)) for name in relations]
    return stored, rows
