"""Recovering deleted rows: finding the version each was deleted with, and bringing it back
with what it follows, as a new revision."""

import json

import reversion
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from reversion.models import Version

from editorial.revisions.storing import DELETED, Missing, restorable_value


class RecoverError(Exception):
    pass


def _object_id_field(model):
    return reversion.revisions._get_options(model).object_id_field


def deleted_version_ids(model):
    """The latest version of each deleted row of ``model``, newest first, as version ids.

    Compared in Python, as strings: reversion's own query casts the stored id in the database,
    which on SQLite never matches a uid (stored there without its dashes).
    """
    field = _object_id_field(model)
    existing = {force_str(value) for value in model._base_manager.values_list(field, flat=True)}
    latest = {}
    for object_id, pk in Version.objects.get_for_model(model).values_list("object_id", "pk"):
        if object_id not in existing and pk > latest.get(object_id, 0):
            latest[object_id] = pk
    return sorted(latest.values(), reverse=True)


def deleted_version(model, version_id):
    """The version to recover a deleted row from, or None: it must be ``model``'s, its row
    gone, and no newer version of that row kept."""
    versions = Version.objects.get_for_model(model)
    version = versions.filter(pk=version_id).select_related("revision__user").first()
    if version is None:
        return None
    field = _object_id_field(model)
    try:
        exists = model._base_manager.filter(**{field: version.object_id}).exists()
    except (ValueError, ValidationError):
        return None
    if exists or versions.filter(object_id=version.object_id, pk__gt=version.pk).exists():
        return None
    return version


def stored_pk(version):
    return json.loads(version.serialized_data)[0].get("pk")


def deletion_of(version):
    """``(user, when)`` the row was deleted, if its version is the revision kept as it went."""
    if version.revision.comment == DELETED:
        return version.revision.user, version.revision.date_created
    return None, None


def _follow_depths(model):
    """Each followed model's distance from ``model``: parents are rebuilt before children."""
    depths, queue = {model: 0}, [model]
    while queue:
        current = queue.pop(0)
        for name in reversion.revisions._get_options(current).follow:
            related = current._meta.get_field(name).related_model
            if related not in depths:
                depths[related] = depths[current] + 1
                queue.append(related)
    return depths


def recovery_plan(version):
    """What recovering ``version`` brings back: its row, then what its revision holds that the
    row follows (a film's credits, an album's tracks and their notes), parents first."""
    depths = _follow_depths(version._model)
    followed = [
        other
        for other in version.revision.version_set.exclude(pk=version.pk).select_related(
            "content_type"
        )
        if other._model in depths
    ]
    followed.sort(key=lambda other: (depths[other._model], other.pk))
    return [version, *followed]


def _rebuild(version, warnings):
    """An unsaved row from a version's stored data, and its many-to-many values to set."""
    model = version._model
    data = json.loads(version.serialized_data)[0]
    obj, m2m = model(), {}
    for name, raw in data["fields"].items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a column removed since the revision was kept
        value = restorable_value(field, raw, warnings)
        if field.many_to_many:
            m2m[name] = value
            continue
        if isinstance(value, Missing):
            raise RecoverError(f"It needs {value}, so it cannot come back.")
        setattr(obj, field.name, value)
    # Revisions kept before they stored everything: the uid is the version's id; times, now.
    if _object_id_field(model) == "uid" and "uid" not in data["fields"]:
        obj.uid = version.object_id
    for field in model._meta.concrete_fields:
        automatic = getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
        if automatic and getattr(obj, field.attname) is None and not field.null:
            setattr(obj, field.attname, timezone.now())
    pk = data.get("pk")
    if pk is not None and not model._base_manager.filter(pk=pk).exists():
        obj.pk = pk  # its old id, so links to it and its admin log still lead to it
    return obj, m2m


def _already_there(obj):
    model = type(obj)
    if model._base_manager.filter(
        **{_object_id_field(model): getattr(obj, _object_id_field(model))}
    ).exists():
        return True
    if hasattr(obj, "natural_key") and hasattr(model._default_manager, "get_by_natural_key"):
        try:
            model._default_manager.get_by_natural_key(*obj.natural_key())
        except model.DoesNotExist:
            return False
        return True
    return False


def _insert(obj, m2m):
    obj.validate_unique()
    obj.validate_constraints()
    with transaction.atomic():
        # Raw, as loaddata saves: the stored audit stamps and times stay as they were kept.
        obj.save_base(raw=True, force_insert=True)
        for name, items in m2m.items():
            getattr(obj, name).set(items)


def recover(version, *, user):
    """Bring back the deleted row ``version`` holds, with what it follows, as a new revision.

    Related rows gone since (a tag, a person) are left out and named in the warnings; a followed
    row that cannot come back (its place taken) is skipped with a warning. The row itself that
    cannot come back raises ``RecoverError``. Returns ``(obj, warnings)``.
    """
    warnings = []
    when = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Recovered from the revision of {when}.")
        head, *followed = recovery_plan(version)
        obj, m2m = _rebuild(head, warnings)
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = user
        if hasattr(obj, "updated_at"):
            obj.updated_at = timezone.now()
        try:
            _insert(obj, m2m)
        except ValidationError as error:
            raise RecoverError(" ".join(error.messages)) from error
        except IntegrityError as error:
            raise RecoverError(f"It clashes with a row there now ({error}).") from error
        rows = [obj]
        for other in followed:
            label = f"{other._model._meta.verbose_name} “{other.object_repr}”"
            try:
                row, row_m2m = _rebuild(other, warnings)
                if _already_there(row):
                    continue
                _insert(row, row_m2m)
            except (RecoverError, ValidationError, IntegrityError) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                warnings.append(f"The {label} was left out: {reason}")
                continue
            rows.append(row)
        for row in rows:
            reversion.add_to_revision(row)  # after its many-to-many links are set
    return obj, warnings
