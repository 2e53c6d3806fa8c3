"""Surrogate keys: what a public page shows, named so that a change can purge exactly its pages.

A page's keys are collected while it renders. Each content row it reads adds the key of the
thing a reader sees it as: a film's credit is part of the film (``film:3``), an album's track
part of the album (``soundtrack:5``), a cue is a page of its own (``cue:7``). A page that lists
every row of a model (the archive, the feeds, the sitemap) adds ``list:<model>`` itself, as
does a page that read so many rows of one model that naming each would make the header
unwieldy. Every page carries ``all``, which a restore or a bulk load purges.

A change purges the keys of the row it changes, the keys of the pages that list the row (its
``parents``: a review is listed on its film's page, so a review's change purges ``film:3``)
and the model's ``list:`` key. Apps say which of their models are shown and how, in their
``AppConfig.ready()``, with ``register()``; a change to a model of ``PAGE_CACHE_APPS`` that
no app registered purges ``all``: correct first, precise where an app says how.

The keys travel in the ``xkey`` response header to the front cache (``pagecache.frontcache``),
which indexes them, and the in-process page cache checks the same keys
(``pagecache.versions``). Purges are sent when the transaction that made the change commits.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)

ALL = "all"
#: More rows of one model than this on a page, and the page is tagged ``list:<model>`` instead.
ROWS_NAMED_PER_MODEL = 60

_collector = contextvars.ContextVar("pagecache_keys", default=None)


@dataclass(frozen=True)
class Shown:
    """How rows of one model appear on pages: as themselves, or as part of a parent (``via``),
    and which pages list them (``parents``, foreign keys whose target's page lists the row)."""

    model: type
    via: str | None = None
    parents: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    placement: tuple[str, ...] = ()
    visibility: tuple[str, ...] = ()

    @property
    def label(self):
        """The model a reader sees the row as: the model itself, or its ``via`` parent's."""
        if self.via is None:
            return self.model._meta.model_name
        return _registry[self.model._meta.get_field(self.via).related_model].label


_registry = {}


def register(model, *, via=None, parents=(), related=(), placement=(), visibility=()):
    """Say how ``model``'s rows are shown: ``via`` names the foreign key to the row a reader
    sees it as part of; ``parents`` the foreign keys, and ``related`` the many-to-many fields,
    whose targets' pages list it (a review on the pages of the albums it discusses);
    ``placement`` the other fields that decide whether and where it is listed (a review's
    status and publish time, a film's title); ``visibility`` those of them whose change may
    take the row out of public view (a review's status and publish time): purged hard."""
    _registry[model] = Shown(
        model, via, tuple(parents), tuple(related), tuple(placement), tuple(visibility)
    )
    post_init.connect(_tag_loaded_row, sender=model, dispatch_uid=f"pagecache-tag-{model}")


def is_registered(model):
    return model in _registry


# Collecting a page's keys.


class Keys:
    """The keys one response has collected: rows by model, and whole keys."""

    def __init__(self):
        self.rows = {}
        self.whole = {ALL}

    def add_row(self, label, pk):
        self.rows.setdefault(label, set()).add(pk)

    def add(self, *keys):
        self.whole.update(keys)

    def update(self, other):
        for label, pks in other.rows.items():
            self.rows.setdefault(label, set()).update(pks)
        self.whole |= other.whole

    def names(self):
        """The keys, sorted: the header is the same for the same page."""
        names = set(self.whole)
        for label, pks in self.rows.items():
            if len(pks) > ROWS_NAMED_PER_MODEL:
                names.add(f"list:{label}")
            else:
                names.update(f"{label}:{pk}" for pk in pks)
        return sorted(names)


@contextmanager
def collect():
    """Collect the keys of what is read inside the block; yields a ``Keys``. Blocks nest: what
    an inner block collects counts for the outer one too (a cached fragment's keys are its
    page's)."""
    keys = Keys()
    outer = _collector.get()
    token = _collector.set(keys)
    try:
        yield keys
    finally:
        _collector.reset(token)
        if outer is not None:
            outer.update(keys)


def current():
    """The ``Keys`` the response being rendered has collected so far, or None outside one."""
    return _collector.get()


def add(*keys):
    """Add whole keys (``list:review``, or those a cached fragment stored) to the page being
    rendered, if one is."""
    collected = _collector.get()
    if collected is not None:
        collected.add(*keys)


def add_list(model):
    """Tag the page being rendered as one that lists ``model``: any change of it purges the page."""
    add(f"list:{_registry[model].label}")


def add_every_list():
    """Tag the page being rendered as one listing every model (the sitemap)."""
    add(*{f"list:{shown.label}" for shown in _registry.values()})


def add_rows(model, pks):
    """Add the keys of rows read without instances (``values()``, raw SQL)."""
    collected = _collector.get()
    if collected is not None:
        shown = _registry[model]
        for pk in pks:
            collected.add_row(shown.label, pk)


def _tag_loaded_row(sender, instance, **kwargs):
    collected = _collector.get()
    if collected is None:
        return
    shown = _registry[sender]
    if shown.via is None:
        if instance.pk is not None:
            collected.add_row(shown.label, instance.pk)
        return
    field = sender._meta.get_field(shown.via)
    # Deferred, the parent's id is not in the row: the parent is then read on its own, and
    # tagged as itself.
    parent_id = instance.__dict__.get(field.attname)
    if parent_id is not None:
        collected.add_row(shown.label, parent_id)


# What a change purges.


def _key_of(model, pk, using):
    """The key a row of ``model`` is shown under: its own, or its ``via`` parent's (read from
    the database when the row is not in hand)."""
    shown = _registry[model]
    if shown.via is None:
        return f"{shown.label}:{pk}"
    field = model._meta.get_field(shown.via)
    parent_id = (
        model._base_manager.using(using).filter(pk=pk).values_list(field.attname, flat=True).first()
    )
    return None if parent_id is None else _key_of(field.related_model, parent_id, using)


def _keys_of(model, pks, using):
    """The keys rows ``pks`` of ``model`` are shown under, in one query per ``via`` level."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return set()
    shown = _registry[model]
    if shown.via is None:
        return {f"{shown.label}:{pk}" for pk in pks}
    field = model._meta.get_field(shown.via)
    parent_ids = model._base_manager.using(using).filter(pk__in=pks)
    return _keys_of(field.related_model, parent_ids.values_list(field.attname, flat=True), using)


def for_change(instance, using=None, *, related=True):
    """The keys a save or delete of ``instance`` purges: the row's own (or its parent's, for a
    row shown as part of one), the pages listing it, and its model's ``list:`` key. ``related``
    False leaves out the pages listing it through a many-to-many field (one query each), when
    the change is to those very rows and says which they are."""
    model = type(instance)._meta.concrete_model
    shown = _registry.get(model)
    if shown is None:
        return {ALL}
    keys = {f"list:{shown.label}"}
    if shown.via is None:
        keys.add(f"{shown.label}:{instance.pk}")
    else:
        field = model._meta.get_field(shown.via)
        parent_id = getattr(instance, field.attname)
        if parent_id is not None:
            keys.add(_key_of(field.related_model, parent_id, using))
    for name in shown.parents:
        field = model._meta.get_field(name)
        parent_id = getattr(instance, field.attname)
        if parent_id is not None and field.related_model in _registry:
            keys.add(_key_of(field.related_model, parent_id, using))
    if related and instance.pk is not None:
        for name in shown.related:
            field = model._meta.get_field(name)
            if field.related_model in _registry:
                pks = getattr(instance, name).values_list("pk", flat=True)
                keys |= _keys_of(field.related_model, pks, using)
    keys.discard(None)
    return keys


# Purging, when the change commits.


class _SendOnCommit:
    """The purge of one run of changes in one transaction, however long (a bulk load): one
    callback, which later changes in the same transaction add their keys to."""

    def __init__(self):
        self.keys = set()
        self.soft = set()

    def __call__(self):
        _send(self.keys, self.soft)


def purge(keys, using=None, soft=False):
    """Make every page with any of ``keys`` stale: in the page cache now, and in the page cache
    and the front cache again when the current transaction commits (at once outside one).

    A hard purge (the default) drops the front cache's copies: the next reader waits for the
    page. ``soft`` is for a change that takes nothing out of public view (an edit, a new row, a
    row moved between lists, a many-to-many change): the front cache serves its stale copy to
    the next reader while it fetches the page again (within its grace, seconds), so that
    editing costs readers no wait. A delete, a review leaving public view (``visibility``), a
    load or a restore are hard: no reader is served the old page again. The page
    cache in the app servers is purged the same either way. A key purged both ways in one
    transaction is purged hard.
    """
    from pagecache import versions

    keys = set(keys)
    if not keys:
        return
    versions.bump(keys)
    connection = transaction.get_connection(using or DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _send(set() if soft else keys, keys if soft else set())
        return
    pending = connection.run_on_commit
    if pending and isinstance(pending[-1][1], _SendOnCommit):
        callback = pending[-1][1]
    else:
        callback = _SendOnCommit()
        transaction.on_commit(callback, using=using)
    (callback.soft if soft else callback.keys).update(keys)


def purge_all(using=None):
    """Every page: after a restore, a bulk load, anything that bypasses the models' signals."""
    purge({ALL}, using=using)


def _send(keys, soft=()):
    """Bump the keys again (a reader who read the rows before the commit and the versions
    after the first bump stored an old page under them) and tell the front cache: ``keys``
    hard, ``soft`` soft (less those purged hard)."""
    from pagecache import frontcache, versions

    keys, soft = set(keys), set(soft)
    if not settings.FRONT_CACHE_SOFT_PURGE:
        keys, soft = keys | soft, set()
    soft -= keys
    if not keys and not soft:
        return
    versions.bump({*keys, *soft})
    if keys:
        frontcache.purge(sorted(keys))
    if soft:
        frontcache.purge(sorted(soft), soft=True)


def _placing_fields(shown):
    """The columns that decide where a row is listed: its parents', its ``via``, its placement
    and visibility."""
    opts = shown.model._meta
    names = [
        *shown.parents,
        *([shown.via] if shown.via else []),
        *shown.placement,
        *shown.visibility,
    ]
    return list(dict.fromkeys(opts.get_field(name).attname for name in names))


def _before_save(sender, instance, using=None, raw=False, **kwargs):
    """Read where an existing row is listed before it is saved: an edit that leaves that alone
    purges only the pages showing the row, not every list it could join or leave."""
    shown = _registry.get(sender)
    if shown is None or raw or instance._state.adding or instance.pk is None:
        return
    if sender._meta.app_label not in settings.PAGE_CACHE_APPS:
        return
    fields = _placing_fields(shown)
    rows = sender._base_manager.using(using).filter(pk=instance.pk)
    instance._pagecache_placed = rows.values(*fields).first() if fields else {}


def _on_save(sender, instance, using=None, raw=False, created=False, **kwargs):
    if sender._meta.app_label not in settings.PAGE_CACHE_APPS:
        return
    shown = _registry.get(sender)
    placed = instance.__dict__.pop("_pagecache_placed", None)
    if shown is None or raw or (placed is None and not created):
        # loaddata's rows arrive before their many-to-many rows, whose own signals name them;
        # a load or a restore may replace anything: purged hard.
        purge(for_change(instance, using, related=not raw), using=using)
        return
    if created:
        # A new row joins pages and takes nothing away from them: they may be stale a moment.
        purge(for_change(instance, using), using=using, soft=True)
        return
    moved = {name: old for name, old in placed.items() if getattr(instance, name) != old}
    if not moved:
        # The same lists, the same place in them: the pages showing the row are all it changes,
        # and they are still there to be shown: stale for a moment in the front cache, not gone.
        purge(_own_keys(instance, shown, using), using=using, soft=True)
        return
    keys = for_change(instance, using)
    # And the pages that listed it where it was (a review moved to another film).
    for field in sender._meta.concrete_fields:
        old = moved.get(field.attname)
        if old is not None and field.is_relation and field.related_model in _registry:
            keys |= _keys_of(field.related_model, [old], using)
    # Moved between lists or pages: soft too, unless it may have left public view (a review
    # withdrawn or unpublished), which no reader may be served again.
    hides = {shown.model._meta.get_field(name).attname for name in shown.visibility}
    purge(keys, using=using, soft=not hides & moved.keys())


def _own_keys(instance, shown, using):
    if shown.via is None:
        return {f"{shown.label}:{instance.pk}"}
    field = shown.model._meta.get_field(shown.via)
    return _keys_of(field.related_model, [getattr(instance, field.attname)], using)


def _before_delete(sender, instance, using=None, **kwargs):
    # Read before the rows go: what lists it (its many-to-many rows) is deleted with it.
    if sender._meta.app_label in settings.PAGE_CACHE_APPS:
        instance._pagecache_keys = for_change(instance, using)


def _on_delete(sender, instance, using=None, **kwargs):
    keys = getattr(instance, "_pagecache_keys", None)
    if keys is not None:
        purge(keys, using=using)


def _on_m2m_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    if type(instance)._meta.app_label not in settings.PAGE_CACHE_APPS:
        return
    if action == "pre_clear":
        # The rows about to go, read while they are there: clear() names none of them.
        manager = _related_manager(instance, sender, reverse)
        if manager is not None and model in _registry:
            cleared = _keys_of(model, manager.values_list("pk", flat=True), using)
            instance._pagecache_cleared = cleared
        return
    if not action.startswith("post_"):
        return
    keys = for_change(instance, using, related=False)
    if action == "post_clear":
        keys |= getattr(instance, "_pagecache_cleared", set())
    elif model in _registry and pk_set:
        keys |= _keys_of(model, pk_set, using)
    # A link made or undone between rows that stay public: their pages may be stale a moment.
    purge(keys, using=using, soft=True)


def _related_manager(instance, through, reverse):
    """``instance``'s manager of the many-to-many relation whose table is ``through``."""
    opts = type(instance)._meta
    if not reverse:
        for field in opts.many_to_many:
            if field.remote_field.through is through:
                return getattr(instance, field.name)
        return None
    for relation in opts.related_objects:
        if relation.many_to_many and relation.through is through:
            return getattr(instance, relation.get_accessor_name())
    return None


def connect_signals():
    pre_save.connect(_before_save, dispatch_uid="pagecache-keys-before-save")
    post_save.connect(_on_save, dispatch_uid="pagecache-keys-save")
    pre_delete.connect(_before_delete, dispatch_uid="pagecache-keys-before-delete")
    post_delete.connect(_on_delete, dispatch_uid="pagecache-keys-delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="pagecache-keys-m2m")
