"""Reviews before they are live: staff previews and share links, at the public URL.

The public page shows ``Review.objects.published()`` and nothing else. When that finds nothing,
``PreviewMixin`` looks again, for two kinds of visitor only:

- staff who may see the review in the admin (``workflow.can_see``): editors, and the writer
  who created it;
- anyone holding a share link an editor made for *this* review (a ``ShareLink`` row), until the
  link expires or an editor revokes it. Withdrawing the review ends all its links.

Both get the page with a "not public" banner, ``Cache-Control: no-cache, no-store, private``
and ``noindex``; everyone else, a revoked or expired link included, gets the same 404 as for a
review that does not exist.

A link's token is its row's ``uid``, signed with the secret key (``SECRET_KEY_FALLBACKS`` keeps
links working across a key rotation): the row, not the token, says whether the link still works,
so revoking a link needs no key change.
"""

import datetime
import uuid
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from pagemeta.seo import absolute_url
from reviews.models import Review, ShareLink
from reviews.workflow import can_see

SHARE_PARAMETER = "share"
# A new salt for the links the database knows: tokens of the older, unrevocable kind never match.
SHARE_SALT = "reviews.preview.share-link"
#: The lifetimes an editor may choose for a share link, in days.
SHARE_DAYS = (1, 3, 7, 14)
#: Far longer than any token made here; a longer ``?share=`` is refused before it is unsigned.
_LONGEST_TOKEN = 200

STAFF_PREVIEW = "staff"
SHARED_PREVIEW = "share"


def make_share_link(review, *, days, user=None):
    """A new link that shows ``review`` to anyone holding it for ``days`` days."""
    if days not in SHARE_DAYS:
        raise ValueError(f"A share link lasts one of {SHARE_DAYS} days.")
    if review.status == Review.Status.WITHDRAWN:
        raise ValidationError(
            "A withdrawn review cannot be shared. Move it back to draft first.", code="withdrawn"
        )
    return ShareLink.objects.create(
        review=review,
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def _signer():
    # "." rather than ":", which a URL would carry as %3A.
    return signing.Signer(salt=SHARE_SALT, sep=".")


def link_token(link):
    return _signer().sign(link.uid.hex)


def share_token(review, *, days, user=None):
    """Make a share link for ``review`` and return its token."""
    return link_token(make_share_link(review, days=days, user=user))


def link_url(request, link):
    query = urlencode({SHARE_PARAMETER: link_token(link)})
    return absolute_url(f"{link.review.get_absolute_url()}?{query}")


def share_url(request, review, *, days, user=None):
    """Make a share link for ``review`` and return its address."""
    return link_url(request, make_share_link(review, days=days, user=user))


def link_uid(token):
    """The uid a well-signed token names, or ``None``: says nothing about whether it works."""
    if not token or len(token) > _LONGEST_TOKEN:
        return None
    try:
        return uuid.UUID(hex=_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def is_shared(review, token):
    """Whether ``token`` is a working share link for ``review``."""
    uid = link_uid(token)
    if uid is None or review.status == Review.Status.WITHDRAWN:
        return False
    return review.share_links.working().filter(uid=uid).exists()


def preview_mode(request, review):
    """How ``request`` may see the not-yet-live ``review``: staff, shared, or not at all."""
    if can_see(request.user, review):
        return STAFF_PREVIEW
    if is_shared(review, request.GET.get(SHARE_PARAMETER)):
        return SHARED_PREVIEW
    return None


class PreviewMixin:
    """For ``ReviewDetailView``: the review page, or its preview for those who may see it."""

    preview_mode = None

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            slug = self.kwargs.get(self.slug_url_kwarg)
            review = Review.objects.filter(slug=slug).first() if slug else None
            if review is None:
                raise
            self.preview_mode = preview_mode(self.request, review)
            if self.preview_mode is None:
                raise
            return review

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview_mode"] = self.preview_mode
        if self.preview_mode:
            context["preview_scheduled"] = self.object.is_scheduled
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.preview_mode:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
            # A share token must not leak to other sites through the Referer header.
            response["Referrer-Policy"] = "no-referrer"
        return response
