"""Reviews before they are live: staff previews and expiring share links, at the public URL.

The public page shows ``Review.objects.published()`` and nothing else. When that finds nothing,
``PreviewMixin`` looks again, for two kinds of visitor only:

- staff who may see the review in the admin (``workflow.can_see``): editors, and the writer
  who created it;
- anyone holding a share link an editor made for *this* review, until the link expires.

Both get the page with a "not public" banner, ``Cache-Control: no-cache, no-store, private``
and ``noindex``; everyone else gets the same 404 as for a review that does not exist.
"""

import datetime
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404
from django.utils.cache import add_never_cache_headers

from reviews.models import Review
from reviews.workflow import can_see

SHARE_PARAMETER = "share"
SHARE_SALT = "reviews.preview.share"
#: The lifetimes an editor may choose for a share link, in days.
SHARE_DAYS = (1, 3, 7, 14)
_LONGEST = datetime.timedelta(days=max(SHARE_DAYS))

STAFF_PREVIEW = "staff"
SHARED_PREVIEW = "share"


def share_token(review, *, days):
    """A signed token that shows ``review`` to anyone for ``days`` days."""
    if days not in SHARE_DAYS:
        raise ValueError(f"A share link lasts one of {SHARE_DAYS} days.")
    signer = signing.TimestampSigner(salt=SHARE_SALT)
    return signer.sign_object({"review": str(review.uid), "days": days})


def share_url(request, review, *, days):
    query = urlencode({SHARE_PARAMETER: share_token(review, days=days)})
    return request.build_absolute_uri(f"{review.get_absolute_url()}?{query}")


def shared_review_uid(token):
    """The uid of the review a valid, unexpired share token shows; ``None`` otherwise."""
    signer = signing.TimestampSigner(salt=SHARE_SALT)
    try:
        payload = signer.unsign_object(token, max_age=_LONGEST)
        # Checked again against the lifetime the editor chose for this link.
        signer.unsign_object(token, max_age=datetime.timedelta(days=int(payload["days"])))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return payload.get("review")


def preview_mode(request, review):
    """How ``request`` may see the not-yet-live ``review``: staff, shared, or not at all."""
    if can_see(request.user, review):
        return STAFF_PREVIEW
    token = request.GET.get(SHARE_PARAMETER)
    if token and shared_review_uid(token) == str(review.uid):
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
