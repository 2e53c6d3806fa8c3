"""Admin login throttling: repeated failures lock an account, or an address, for a while.

Two counters, kept apart so that neither can be used against the other:

- **per account**, keyed on the account the attempt names, normalised as authentication
  normalises it, so that `` writer2``, ``writer2 `` and ``ｗｒｉｔｅｒ２`` count against the same
  account as ``writer2``. After ``LOGIN_FAILURE_LIMIT`` failures, from any number of addresses,
  the account waits ``LOGIN_FAILURE_WINDOW`` seconds.
- **per client address** (``requestlog.middleware.client_address``, which honours
  ``TRUSTED_PROXY_COUNT``), with its own, higher ``LOGIN_FAILURE_ADDRESS_LIMIT``: one address
  guessing many names is stopped, and failures for names that are not accounts never lock a real
  account, even when everyone arrives through one proxy.
"""

import ipaddress
import unicodedata

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac

from requestlog.middleware import client_address

#: IPv6 clients are counted by their /64: a single machine is usually given a whole one.
IPV6_PREFIX = 64


def account_key(username):
    """The account a login names, as authentication would look it up, folded further.

    Authentication sees the form field's value (stripped of surrounding whitespace, NFKC
    normalised) and the user model's ``normalize_username``; Django's ``ModelBackend`` then
    compares exactly. The key also folds case and drops invisible format characters (zero-width
    spaces and the like), which a database collation might ignore: spellings that could ever
    reach one account share its counter, and a spelling that reaches no account locks nothing
    but itself.
    """
    name = unicodedata.normalize("NFKC", (username or "").strip())
    name = get_user_model().normalize_username(name)
    name = "".join(char for char in name if unicodedata.category(char) != "Cf")
    return unicodedata.normalize("NFKC", name.casefold())


def address_key(request):
    address = client_address(request) if request is not None else ""
    if ":" in address:
        address = str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return address


def _cache_key(kind, value):
    # Hashed so that whatever is typed into the form never appears in a cache key.
    return f"login-failures:{kind}:" + salted_hmac("login", value, algorithm="sha256").hexdigest()


def _keys(request, username):
    return _cache_key("user", account_key(username)), _cache_key("addr", address_key(request))


def _record_failure(keys):
    for key in keys:
        if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


def _is_throttled(keys):
    account, address = keys
    failures = cache.get_many([account, address])
    return (
        failures.get(account, 0) >= settings.LOGIN_FAILURE_LIMIT
        or failures.get(address, 0) >= settings.LOGIN_FAILURE_ADDRESS_LIMIT
    )


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed logins. Wait %(minutes)s minutes, then try again.",
        "not_staff": (
            "This account can’t use the editors’ admin: ask an editor to give it staff access."
        ),
    }

    def confirm_login_allowed(self, user):
        # Asked only once the password is right, so it tells nothing to someone guessing one;
        # the failure still counts against the throttle, as any refused login does.
        if user.is_active and not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")
        super().confirm_login_allowed(user)

    def clean(self):
        # The field has stripped and normalised it already; None when it was empty or too long,
        # and then nothing is authenticated and nothing needs counting.
        username = self.cleaned_data.get("username")
        if username is None:
            return super().clean()
        keys = _keys(self.request, username)
        if _is_throttled(keys):
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
        # A success clears the account's count, never the address's: one good login from an
        # address must not buy it another round of guesses at other accounts.
        cache.delete(keys[0])
        return cleaned
