"""Admin login throttling: repeated failures for one username or address lock logins briefly."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac


def _keys(request, username):
    address = request.META.get("REMOTE_ADDR", "") if request else ""
    # Hash so that usernames typed into the form never appear in cache keys.
    return [
        "login-failures:user:"
        + salted_hmac("login", (username or "").lower(), algorithm="sha256").hexdigest(),
        "login-failures:addr:" + salted_hmac("login", address, algorithm="sha256").hexdigest(),
    ]


def _failures(keys):
    return max(cache.get_many(keys).values(), default=0)


def _record_failure(keys):
    for key in keys:
        if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed logins. Wait %(minutes)s minutes, then try again.",
    }

    def clean(self):
        keys = _keys(self.request, self.data.get("username"))
        if _failures(keys) >= settings.LOGIN_FAILURE_LIMIT:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            _record_failure(keys)
            raise
        cache.delete_many(keys[:1])
        return cleaned
