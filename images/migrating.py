"""The data migration every content app runs once: its image columns become ``images.Image`` rows.

Before ``images.Image``, a model carried five columns per picture (the file, its width and
height, ``<field>_alt`` and ``<field>_decorative``). ``ImageRowsFromColumns`` makes one Image
per filled column with the same stored file name (its renditions are named after it and are
already in storage: nothing is re-made, moved or lost), its size, alt text and decorative flag,
and points the row's new foreign key (``<field>_ref`` until the columns go) at it. Credit and
licence stay empty (nobody recorded them) except for the demo's own drawings, which say so.
Backwards, the columns are filled again from the images the rows point at.

The functions use only the historical models that ``apps`` gives them.
"""

import posixpath
import re
import uuid

from django.db import migrations

DEMO_CREDIT = "Drawn for the Cuesheet demo"
DEMO_LICENCE = "The Cuesheet project’s own illustration, published with it"


def _is_demo_drawing(row, name, alt):
    """``draw_demo_images --attach`` stored ``<slug>-<token>.png`` with alt text "Illustration…"."""
    slug = getattr(row, "slug", "")
    pattern = rf"{re.escape(slug)}-[0-9a-f]{{16}}\.png"
    return bool(slug) and alt.startswith("Illustration") and re.fullmatch(pattern, name)


def ImageRowsFromColumns(app_label, model_name, field):  # noqa: N802 (reads as an operation)
    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        image_model = apps.get_model("images", "Image")
        rows = model._base_manager.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True})
        for row in rows.order_by("pk").iterator():
            name = getattr(row, field).name
            alt = getattr(row, f"{field}_alt") or ""
            demo = _is_demo_drawing(row, posixpath.basename(name), alt)
            image = image_model.objects.create(
                file=name,
                width=getattr(row, f"{field}_width"),
                height=getattr(row, f"{field}_height"),
                alt_text=alt,
                decorative=getattr(row, f"{field}_decorative"),
                credit=DEMO_CREDIT if demo else "",
                licence=DEMO_LICENCE if demo else "",
                lock_version=1,
                uid=uuid.uuid4(),
            )
            model._base_manager.filter(pk=row.pk).update(**{f"{field}_ref": image})

    def backward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        rows = model._base_manager.filter(**{f"{field}_ref__isnull": False})
        for row in rows.select_related(f"{field}_ref").order_by("pk").iterator():
            image = getattr(row, f"{field}_ref")
            model._base_manager.filter(pk=row.pk).update(
                **{
                    field: image.file.name,
                    f"{field}_width": image.width,
                    f"{field}_height": image.height,
                    f"{field}_alt": image.alt_text,
                    f"{field}_decorative": image.decorative,
                }
            )

    return migrations.RunPython(forward, backward, elidable=False)
