import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarFeed(models.Model):
    """A person's private iCalendar feed of the editorial calendar.

    Its address carries ``key`` signed with the secret key (``planning.feeds``): resetting the
    feed gives it a new key, and the old address, wherever it was pasted, finds nothing.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reset_at = models.DateTimeField("last reset", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user"]

    def __str__(self):
        return f"Calendar feed of {self.user}"

    def reset(self):
        """A new key: the feed's old address stops working at once."""
        self.key = uuid.uuid4()
        self.reset_at = timezone.now()
        self.save(update_fields=["key", "reset_at"])
