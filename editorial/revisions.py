"""Revisions of editorial content, kept by django-reversion: what is stored, compared and restored.

A revision stores what an editor can type: the model's editable fields, foreign keys by natural
key, and an image's width and height with the image. Derived data (rendered HTML, citations)
and bookkeeping (audit stamps, the lock version) is left out; the revision itself records who
saved and when. A model's versions are found by its ``uid`` when it has one, never by primary
key, so revisions survive ``dumpdata --natural-primary`` and ``loaddata`` into an empty
database, where primary keys change.

Stored data is read straight from the JSON, not through reversion's deserializer: a tag or a
film deleted since a revision was saved then shows as "no longer exists" instead of making the
whole revision unreadable.
"""

import difflib
import json
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
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


# Comparing ------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    html: str


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Words with the space after them, so a rewritten phrase reads as one deletion and one insertion.
_TOKENS = re.compile(r"\s+|\S+\s*")


def word_diff(old, new):
    """Inline HTML: removed words in ``<del>``, added words in ``<ins>``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(conditional_escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def paragraph_diff(old, new):
    """Block HTML: the paragraphs that changed, each with its words marked; the rest counted."""
    # Browsers post CRLF line ends; compare paragraphs, not line-ending styles.
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    a = [p for p in _PARAGRAPH_BREAK.split(old.strip()) if p]
    b = [p for p in _PARAGRAPH_BREAK.split(new.strip()) if p]
    blocks = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            count = i2 - i1
            blocks.append(
                format_html(
                    '<p class="diff-same">{} unchanged paragraph{}</p>',
                    count,
                    "" if count == 1 else "s",
                )
            )
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for index in range(max(len(olds), len(news))):
            before = olds[index] if index < len(olds) else None
            after = news[index] if index < len(news) else None
            if before is None:
                blocks.append(format_html('<p class="diff-added"><ins>{}</ins></p>', after))
            elif after is None:
                blocks.append(format_html('<p class="diff-removed"><del>{}</del></p>', before))
            else:
                blocks.append(
                    format_html('<p class="diff-changed">{}</p>', word_diff(before, after))
                )
    return format_html_join("", "{}", ((block,) for block in blocks))


def _field_change(field, old_raw, new_raw):
    label = str(field.verbose_name).capitalize()
    if field.many_to_many:
        old_items = {str(item) for item in python_value(field, old_raw)}
        new_items = {str(item) for item in python_value(field, new_raw)}
        removed = sorted(old_items - new_items)
        added = sorted(new_items - old_items)
        html = format_html_join(" ", "<del>{}</del>", ((item,) for item in removed))
        html += format_html_join(" ", " <ins>{}</ins>", ((item,) for item in added))
        return FieldChange(label, html)
    old_value, new_value = python_value(field, old_raw), python_value(field, new_raw)
    if isinstance(field, models.TextField):
        return FieldChange(label, paragraph_diff(old_value or "", new_value or ""))
    if isinstance(field, models.CharField) and not field.choices:
        return FieldChange(label, word_diff(old_value or "", new_value or ""))
    old_display, new_display = display_value(field, old_value), display_value(field, new_value)
    if old_display == new_display:
        return None  # e.g. a time that lost its microseconds in a form: no change to a reader
    return FieldChange(
        label, format_html("<del>{}</del> → <ins>{}</ins>", old_display, new_display)
    )


def compare(model, old_version, new_version):
    """The fields that differ between two versions, each with a readable HTML diff."""
    old, new = stored_fields(old_version), stored_fields(new_version)
    changes = []
    for field in version_fields(model):
        if not field.editable:
            continue  # an image's dimensions: the image's own change says it all
        old_raw, new_raw = old.get(field.name), new.get(field.name)
        if field.many_to_many:
            if sorted(map(json.dumps, old_raw or [])) == sorted(map(json.dumps, new_raw or [])):
                continue
        elif old_raw == new_raw:
            continue
        change = _field_change(field, old_raw, new_raw)
        if change is not None:
            changes.append(change)
    return changes


# Reverting -----------------------------------------------------------------------------------


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
        value = python_value(field, stored[field.name])
        if field.many_to_many:
            present = [item for item in value if not isinstance(item, Missing)]
            warnings += [f"{item} was left out." for item in value if isinstance(item, Missing)]
            if {item.pk for item in present} != set(
                getattr(obj, field.name).values_list("pk", flat=True)
            ):
                m2m[field.name] = present
                changed.append(field.name)
            continue
        if isinstance(value, Missing):
            if not field.null:
                raise RevertError(f"This revision needs {value}, so it cannot be restored.")
            warnings.append(f"{value} was left out.")
            value = None
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


# Recovering deleted rows ---------------------------------------------------------------------


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
        value = python_value(field, raw)
        if field.many_to_many:
            m2m[name] = [item for item in value if not isinstance(item, Missing)]
            warnings += [f"{item} was left out." for item in value if isinstance(item, Missing)]
            continue
        if isinstance(value, Missing):
            if not field.null:
                raise RecoverError(f"It needs {value}, so it cannot come back.")
            warnings.append(f"{value} was left out.")
            value = None
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
