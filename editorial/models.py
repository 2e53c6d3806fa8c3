"""Model pieces the content apps share: who changed a row, the version that locks it, its
identity, the slug that names it (its natural key), and the rule that refuses deleting what
published pages rely on."""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.db.models.signals import pre_delete


def changed_by_field(**kwargs):
    """Who created or last changed a row: stamped by the admin, kept if the user goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        **kwargs,
    )


class LockVersionModel(models.Model):
    """A row whose every save moves ``lock_version`` on; editorial.locking refuses stale forms."""

    lock_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.lock_version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "lock_version"}
        super().save(*args, **kwargs)


def uid_field():
    """A stable identity that revisions, fixtures and dumps refer to, never the primary key.

    Primary keys change when a dump is loaded into an empty database; a uid does not, so a row's
    revisions (and its recovery once deleted) follow it there.
    """
    return models.UUIDField("identifier", default=uuid.uuid4, unique=True, editable=False)


def slug_field(max_length=200):
    """The unique slug that names a row in its URL, in fixtures and in revisions.

    A function, like ``uid_field``, so each model declares it beside the field it is made from
    (a name, a title) and forms and revisions keep that order.
    """
    return models.SlugField(max_length=max_length, unique=True)


class SlugNaturalKeyManager(models.Manager):
    """Rows found by slug, so fixtures and revisions never depend on primary keys."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SluggedModel(LockVersionModel):
    """A row whose natural key is its ``slug = slug_field()``, which the subclass declares.

    A subclass with a manager of its own builds it on ``SlugNaturalKeyManager`` (for example
    ``SlugNaturalKeyManager.from_queryset(...)``); one whose natural key depends on other models
    overrides ``natural_key`` only to name them in ``natural_key.dependencies``.
    """

    objects = SlugNaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


class NamedModel(SluggedModel):
    """A row known by its name (a person, a franchise, a byline), slugged from it, listed by it."""

    name = models.CharField(max_length=200)
    slug = slug_field()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class UidNaturalKeyManager(models.Manager):
    """Rows with no name of their own (a picture, a track note), found by their uid."""

    def get_by_natural_key(self, uid):
        return self.get(uid=uid)


class UidKeyedModel(LockVersionModel):
    """A row whose natural key is its ``uid = uid_field()``, which the subclass declares."""

    objects = UidNaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (str(self.uid),)


# Deletion guards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reliance:
    """``dependent`` (a published review, a page) relies on ``obj``, which would be deleted."""

    obj: models.Model
    dependent: models.Model
    reason: str  # how it relies on it, e.g. "cited by the published review"

    def __str__(self):
        return (
            f"{self.obj._meta.verbose_name.capitalize()} “{self.obj}”: {self.reason} "
            f"“{self.dependent}”"
        )


_guards = defaultdict(list)


def guard_deletion(model, find):
    """Refuse to delete rows of ``model`` that something published relies on.

    ``find(queryset)`` yields a ``Reliance`` for each thing relying on a row of ``queryset``.
    Every delete is checked, from code too (a model, a queryset, a cascade): it raises
    ``ProtectedError`` naming what relies on the rows. That happens inside the delete's
    transaction, so code that catches it and carries on wraps the delete in
    ``transaction.atomic()``; the admin asks ``reliances()`` first and refuses politely.
    """
    _guards[model].append(find)
    pre_delete.connect(
        _refuse_if_relied_on,
        sender=model,
        dispatch_uid=f"editorial.guard.{model._meta.label_lower}",
    )


def reliances(objs):
    """What relies on ``objs`` or on anything deleting them would delete with them (cascades).

    What is deleted along with them does not count: a group and its members may go together.
    """
    objs = list(objs)
    if not objs:
        return []
    collector = Collector(using=router.db_for_write(type(objs[0])), origin=objs)
    try:
        collector.collect(objs)
    except (ProtectedError, RestrictedError):
        return []  # refused already, by on_delete=PROTECT, which names its own reasons
    found = []
    for model, instances in collector.data.items():
        pks = [instance.pk for instance in instances]
        for find in _guards.get(model, ()):
            found += find(model._base_manager.filter(pk__in=pks))
    doomed = {_key(instance) for instances in collector.data.values() for instance in instances}
    return [reliance for reliance in found if _key(reliance.dependent) not in doomed]


def _key(obj):
    return obj._meta.concrete_model, obj.pk


def _doomed(origin):
    """What the delete that ``origin`` started deletes at its top level (cached on a queryset)."""
    if isinstance(origin, models.Model):
        return {_key(origin)}
    if isinstance(origin, models.QuerySet):
        if not hasattr(origin, "_guard_doomed"):
            model = origin.model._meta.concrete_model
            origin._guard_doomed = {(model, pk) for pk in origin.values_list("pk", flat=True)}
        return origin._guard_doomed
    return set()


def _refuse_if_relied_on(sender, instance, origin=None, **kwargs):
    doomed = _doomed(origin)
    found = [
        reliance
        for find in _guards[sender]
        for reliance in find(sender._base_manager.filter(pk=instance.pk))
        if _key(reliance.dependent) not in doomed
    ]
    if found:
        raise ProtectedError(
            f"Not deleted: {'; '.join(map(str, found))}.",
            {reliance.dependent for reliance in found},
        )


# Drafts ------------------------------------------------------------------------------------


class DraftBufferQuerySet(models.QuerySet):
    def of(self, user, model, object_id):
        """The one buffer of ``user`` for a row (``object_id`` None: a new, unsaved row)."""
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        return self.filter(
            user=user,
            content_type=content_type,
            object_id=None if object_id is None else str(object_id),
        )


class DraftBuffer(models.Model):
    """What one person last had in an admin form and has not saved: one per person and row.

    Written by the form's autosave every few seconds, and by the conflict view when it merges a
    refused save. It never touches the row it belongs to, makes no revision and no log entry: a
    real save deletes it. ``data`` is the form as the browser posts it (a list of ``[name,
    value]`` pairs) and ``fields`` the form fields it holds, so that a field the form did not
    have then is left as it is now.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="draft_buffers"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    # Text, like the admin log's object id: any model's primary key. Empty for an add form.
    object_id = models.CharField(max_length=255, null=True, blank=True)
    data = models.JSONField(default=list)
    fields = models.JSONField(default=list)
    base_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The lock version of the row the form was loaded from; empty for a new row.",
    )
    saved_at = models.DateTimeField()

    objects = DraftBufferQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                condition=models.Q(object_id__isnull=False),
                name="draft_buffer_one_per_user_and_row",
            ),
            models.UniqueConstraint(
                fields=["user", "content_type"],
                condition=models.Q(object_id__isnull=True),
                name="draft_buffer_one_new_row_per_user_and_model",
            ),
        ]

    def __str__(self):
        what = (
            f"{self.content_type} {self.object_id}"
            if self.object_id
            else f"new {self.content_type}"
        )
        return f"Unsaved draft of {what} by {self.user}"
