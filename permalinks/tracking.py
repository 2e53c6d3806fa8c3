"""Redirects made as slugs change: the old address of a page leads to its new one, for good.

Apps say which of their models have pages addressed by their slug (``track()`` in their
``AppConfig.ready()``). When such a row is saved with another slug, by the admin, a script, a
revert or ``loaddata``, its old URL (``get_absolute_url()`` with the old slug) is redirected to
the new one, and so are the pages under it: a film's ``/films/<slug>/music/`` and its cue
pages follow it. The slug the row was read with is remembered as it is read (``post_init``),
so a save asks the database nothing more; a row saved without having been read (a raw save:
``loaddata``, a revert) asks once. ``QuerySet.update()`` sends no signals and makes no redirect.

The address coming back into use (a slug changed back) drops the redirect from it, which would
loop; a deleted row's redirects go with it, so its old addresses are 404s like its own. A
tracked model's URL is built from its own slug only (a cue's, under its film's, is not tracked:
the film's redirect carries its cue pages).
"""

import copy

from django.db.models.signals import post_delete, post_init, post_save, pre_delete, pre_save

from permalinks.models import Redirect, leading_to

SLUG_FIELD = "slug"
_REMEMBERED = "_permalinks_slug"
_MOVED = "_permalinks_moved_from"
_DELETED_URL = "_permalinks_deleted_url"


def track(*models):
    """Keep the old addresses of ``models``' pages working when their slugs change."""
    for model in models:
        uid = f"permalinks-{model._meta.label_lower}"
        post_init.connect(_remember, sender=model, dispatch_uid=uid)
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)


def record(old, new):
    """Redirect ``old`` (and the pages under it) to ``new``, for good."""
    if old == new:
        return
    # The new address is a page again: a redirect from it would send readers round in a loop.
    Redirect.objects.filter(old_path=new).delete()
    Redirect.objects.update_or_create(old_path=old, defaults={"new_path": new})


def _remember(sender, instance, **kwargs):
    instance.__dict__[_REMEMBERED] = instance.__dict__.get(SLUG_FIELD)


def _url_with_slug(instance, slug):
    former = copy.copy(instance)
    setattr(former, SLUG_FIELD, slug)
    return former.get_absolute_url()


def _before_save(sender, instance, raw=False, using=None, **kwargs):
    if instance.pk is None:
        return
    old = instance.__dict__.get(_REMEMBERED)
    if raw or old is None or instance._state.adding:
        # Not read with its slug (loaddata, a revert, a row built by hand): ask, once.
        old = (
            sender._base_manager.using(using)
            .filter(pk=instance.pk)
            .values_list(SLUG_FIELD, flat=True)
            .first()
        )
    new = instance.__dict__.get(SLUG_FIELD)
    if old and new and old != new:
        instance.__dict__[_MOVED] = old


def _after_save(sender, instance, **kwargs):
    old = instance.__dict__.pop(_MOVED, None)
    if old is not None:
        record(_url_with_slug(instance, old), instance.get_absolute_url())
    instance.__dict__[_REMEMBERED] = instance.__dict__.get(SLUG_FIELD)


def _before_delete(sender, instance, **kwargs):
    # Its address, read while what it is built from is there (every row of a delete, cascades
    # included, is signalled before any goes). A row deleted without its slug read (a bulk
    # ``only("pk").delete()``) is left alone rather than read once more each: its redirects,
    # if it had any, lead on to a 404.
    if instance.__dict__.get(SLUG_FIELD):
        instance.__dict__[_DELETED_URL] = instance.get_absolute_url()


def _after_delete(sender, instance, **kwargs):
    url = instance.__dict__.pop(_DELETED_URL, None)
    if url is not None:
        Redirect.objects.filter(leading_to(url)).delete()
