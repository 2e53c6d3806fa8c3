"""A redirect from an address the site no longer answers to the one it answers now.

Made by ``permalinks.tracking`` when a tracked row's slug changes (old URL → new URL), kept
free of chains and loops there, and editable in the admin, where editors add their own.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

#: The longest path a redirect holds; slugs are at most 200 characters, a sub-page adds a few.
MAX_PATH = 500


def check_path(path, field):
    """Refuse what cannot be a path of this site: a redirect to ``//host/`` would send readers
    off the site, a NUL is no character PostgreSQL stores, and a query or fragment is never
    part of what is matched."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        raise ValidationError(
            {field: "A path on this site, starting with one slash: /films/tron/."}
        )
    if any(ord(character) < 32 or character.isspace() for character in path):
        raise ValidationError({field: "A path has no spaces or control characters."})
    if "?" in path or "#" in path:
        raise ValidationError({field: "A path only: no “?” query or “#” anchor."})


def leading_to(path):
    """Redirects whose target is ``path`` or, for a path ending in a slash, a page under it."""
    if path.endswith("/"):
        return Q(new_path__startswith=path)
    return Q(new_path=path)


class Redirect(models.Model):
    old_path = models.CharField(
        "from",
        max_length=MAX_PATH,
        unique=True,
        help_text="An address the site no longer answers, such as /films/tron-3/. Ending in a "
        "slash, the pages under it go too: /films/tron-3/music/ → /films/tron-ares/music/. "
        "Only used when nothing else answers there.",
    )
    new_path = models.CharField(
        "to",
        max_length=MAX_PATH,
        help_text="Where readers are sent, permanently (301), such as /films/tron-ares/.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_path=F("new_path")),
                name="redirect_not_to_itself",
                violation_error_message="A redirect cannot lead to where it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # No chains: whatever led to the old address now leads straight to the new one (a → b,
        # then b → c, leaves a → c and b → c); one that would now lead to itself goes.
        for earlier in Redirect.objects.filter(leading_to(self.old_path)).exclude(pk=self.pk):
            earlier.new_path = self.new_path + earlier.new_path[len(self.old_path) :]
            if earlier.new_path == earlier.old_path:
                earlier.delete()
            else:
                earlier.save(update_fields=["new_path", "updated_at"])

    def clean(self):
        super().clean()
        check_path(self.old_path, "old_path")
        check_path(self.new_path, "new_path")
        if self.old_path == "/":
            raise ValidationError({"old_path": "The home page cannot be redirected."})
        onward = Redirect.objects.filter(old_path=self.new_path).exclude(pk=self.pk).first()
        if onward is not None:
            raise ValidationError(
                {"new_path": f"{self.new_path} redirects on to {onward.new_path}: use that."}
            )
