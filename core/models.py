"""Model pieces the content apps share: who changed a row, and the version that locks it."""

from django.conf import settings
from django.db import models


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
    """A row whose every save moves ``lock_version`` on; core.locking refuses stale forms."""

    lock_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.lock_version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "lock_version"}
        super().save(*args, **kwargs)
