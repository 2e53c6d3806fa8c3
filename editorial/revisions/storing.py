"""Storing revisions: what a versioned model keeps on every save and delete, and reading it back.

``versioned`` registers a model with django-reversion and connects the receivers that keep a
revision of a save made outside a revision block and of a row as it is deleted. ``stored_fields``,
``python_value`` and ``display_value`` read a version's JSON straight, so a related row deleted
since shows as ``Missing`` instead of making the revision unreadable.
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, router
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from reversion.models import Revision, Version

#: Derived or bookkeeping columns a revision never stores: rebuilt on save, or of no meaning in
#: another row's life.
NOT_STORED = ("body_html", "lock_version")

_compared = {}


def versioned(model=None, *, follow=()):
    """Class decorator: keep a revision of ``model`` on every save.

    Saves inside ``reversion.create_revision()`` (the admin, the services) join that revision
    with its user and comment; any other save (the shell, a script) gets a revision of its own,
    without a user. Raw saves (``loaddata``) are restorations, not edits, and make none.
    ``follow`` names the related rows editors edit with it (a film's credits), kept in the same
    revision. Deleting a row keeps one more revision, "Deleted.", with what went with it.

    A revision stores every column a deleted row needs to come back (its uid, audit stamps and
    publication times included), so recovery never meets an empty NOT NULL column; compare and
    revert read only what an editor can type.
    """
    if model is None:
        return lambda model: versioned(model, follow=follow)
    editable, stored = [], []
    for field in (*model._meta.concrete_fields, *model._meta.many_to_many):
        if field.primary_key or field.name in NOT_STORED:
            continue
        if field.editable:
            editable.append(field.name)
            # An image's width and height travel with it: a revert to an older image needs its
            # size, which names its renditions. They are stored, not compared or shown.
            editable += [name for name in _dimension_fields(field) if name not in editable]
        elif not field.many_to_many:
            stored.append(field.name)  # recovery needs it; nobody edits or compares it
    _compared[model] = editable
    has_uid = any(field.name == "uid" for field in model._meta.concrete_fields)
    reversion.register(
        model,
        fields=[*editable, *(name for name in stored if name not in editable)],
        follow=follow,
        use_natural_foreign_keys=True,
        object_id_field="uid" if has_uid else None,
    )
    post_save.connect(
        _revision_outside_a_block,
        sender=model,
        dispatch_uid=f"editorial.revisions.{model._meta.label_lower}",
    )
    pre_delete.connect(
        _revision_before_delete,
        sender=model,
        dispatch_uid=f"editorial.revisions.delete.{model._meta.label_lower}",
    )
    if has_uid:
        pre_save.connect(
            _keep_uid_on_reload,
            sender=model,
            dispatch_uid=f"editorial.revisions.uid.{model._meta.label_lower}",
        )
    return model


def _dimension_fields(field):
    return [
        name
        for name in (getattr(field, "width_field", None), getattr(field, "height_field", None))
        if name
    ]


def _keep_uid_on_reload(sender, instance, raw, **kwargs):
    """``loaddata`` over a row it found by natural key keeps the row's uid, and so its history.

    A fixture without uids would otherwise give the row a fresh one on every load.
    """
    if not raw or instance.pk is None:
        return
    stored = sender._base_manager.filter(pk=instance.pk).values_list("uid", flat=True).first()
    if stored is not None:
        instance.uid = stored


def _revision_outside_a_block(sender, instance, raw, **kwargs):
    if raw or reversion.is_active():
        return
    with reversion.create_revision():
        reversion.add_to_revision(instance)


#: The comment of the revision kept as a row is deleted; recovery screens look for it.
DELETED = "Deleted."

_keep_deleted = ContextVar("keep_deleted", default=True)


@contextmanager
def deleting_for_good():
    """Deletes inside this block keep no "Deleted." revision: nothing to recover them from.

    Only for rows that are not editorial work and are rebuilt at will (``generate_content
    --replace`` deleting its own benchmark publication): there, a revision per row cost 50 of
    the 52 seconds at 1,000 reviews and left 9,000 rows on the recovery screens.
    """
    token = _keep_deleted.set(False)
    try:
        yield
    finally:
        _keep_deleted.reset(token)


def _revision_before_delete(sender, instance, origin=None, **kwargs):
    """Keep the row as it stands, with what it follows (a film's credits), as it is deleted.

    Saved at once, while the rows still exist (a revision block would drop versions of rows gone
    by its end), inside the delete's transaction: a refused delete keeps no revision. Rows that
    go only because their parent goes are in the parent's revision when it follows them.
    """
    if not _keep_deleted.get():
        return
    top_level = origin is instance or (
        isinstance(origin, models.QuerySet) and origin.model is sender
    )
    if not top_level:
        return
    db = router.db_for_write(sender, instance=instance)
    # As stored, not as the caller's copy has it: that copy may be stale.
    stored = sender._base_manager.using(db).filter(pk=instance.pk).first()
    versions = _snapshot(stored or instance, db, {})
    revision = Revision.objects.using(db).create(
        date_created=timezone.now(),
        user=reversion.get_user() if reversion.is_active() else None,
        comment=DELETED,
    )
    for version in versions:
        version.revision = revision
    Version.objects.using(db).bulk_create(versions)


def _snapshot(obj, db, seen):
    options = reversion.revisions._get_options(type(obj))
    key = (type(obj), force_str(getattr(obj, options.object_id_field)))
    if key in seen:
        return []
    seen[key] = Version(
        content_type=ContentType.objects.db_manager(db).get_for_model(type(obj)),
        object_id=key[1],
        db=db,
        format=options.format,
        serialized_data=serializers.serialize(
            options.format,
            (obj,),
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        ),
        object_repr=str(obj),
    )
    for related in reversion.revisions._follow_relations(obj):
        _snapshot(related, db, seen)
    return list(seen.values())


def versions_of(obj):
    """The object's versions, oldest first, with their revisions' users."""
    return (
        Version.objects.get_for_object(obj)
        .select_related("revision__user")
        .order_by("revision__date_created", "pk")
    )


def stored_fields(version):
    """The field values a version stored, as the serializer wrote them (field name → raw)."""
    data = json.loads(version.serialized_data)[0]
    return data["fields"]


def version_fields(model):
    """The model's fields that editors type, in form order: what compare and revert read."""
    return [model._meta.get_field(name) for name in _compared[model]]


# Reading raw values --------------------------------------------------------------------------


@dataclass
class Missing:
    """A related object a revision names that no longer exists."""

    model: type
    key: object

    def __str__(self):
        key = self.key if not isinstance(self.key, list | tuple) else "/".join(map(str, self.key))
        return f"{self.model._meta.verbose_name} “{key}” (no longer exists)"


def _related(model, raw):
    if raw is None:
        return None
    manager = model._default_manager
    try:
        if isinstance(raw, list | tuple):
            return manager.get_by_natural_key(*raw)
        return manager.get(pk=raw)
    except model.DoesNotExist:
        return Missing(model, raw)


def python_value(field, raw):
    """A stored value as the model holds it: objects for relations, ``Missing`` where gone."""
    if field.many_to_many:
        return [_related(field.related_model, item) for item in raw or []]
    if field.is_relation:
        return _related(field.related_model, raw)
    return field.to_python(raw)


def restorable_value(field, raw, warnings):
    """A stored value to put back, related rows deleted since left out and named in ``warnings``.

    A required relation to a row gone since comes back as its ``Missing``: the caller refuses.
    """
    value = python_value(field, raw)
    if field.many_to_many:
        warnings += [f"{item} was left out." for item in value if isinstance(item, Missing)]
        return [item for item in value if not isinstance(item, Missing)]
    if isinstance(value, Missing) and field.null:
        warnings.append(f"{value} was left out.")
        return None
    return value


def display_value(field, value):
    if value is None or value == "":
        return "—"
    if field.many_to_many:
        return ", ".join(str(item) for item in value) or "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)
