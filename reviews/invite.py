"""Inviting a writer: one form makes the login, its byline, its role and a set-password link.

An editor with permission to add users fills in the login, the name, the byline (an
``Author`` linked to the login, made or taken over), the role (an editorial group) and whether
the account may use the admin; the new login has no password until its owner sets one, through
a link made with Django's password-reset tokens. The link is e-mailed (``EMAIL_BACKEND``: the
console in development) and shown on the page, to pass on by hand when mail does not reach.

Only superusers give staff access: anyone else who may add users invites accounts that cannot
enter the admin until an editor with that power lets them in. The views live here, above
``logins``, because they make an ``Author``; ``InviteAdminMixin`` puts them in the byline's
admin (``reviews.admin.AuthorAdmin``).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from pagemeta.seo import absolute_url
from reviews.models import Author
from reviews.workflow import EDITORS, WRITERS

#: The roles an invitation gives: the groups the editorial migrations make.
ROLES = (WRITERS, EDITORS)


class InviteForm(forms.ModelForm):
    group = forms.ModelChoiceField(
        label="Role",
        queryset=Group.objects.none(),
        empty_label=None,
        help_text="Writers write and submit their own reviews; editors publish anyone’s.",
    )
    byline = forms.CharField(
        max_length=Author._meta.get_field("name").max_length,
        required=False,
        help_text="The name readers see on their reviews. Empty: their first and last name. "
        "A byline that no login holds yet is given to this one.",
    )

    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email", "is_staff")
        labels = {"username": "Login", "is_staff": "May use the editors’ admin"}
        help_texts = {
            "email": "Where the link to set a password is sent.",
            "is_staff": "Only superusers give this. Without it the account cannot log in here.",
        }

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        self.fields["email"].required = True
        self.fields["first_name"].required = True
        self.fields["group"].queryset = Group.objects.filter(name__in=ROLES).order_by("-name")
        self.fields["is_staff"].initial = inviter.is_superuser
        if not inviter.is_superuser:
            self.fields["is_staff"].disabled = True

    def clean_username(self):
        username = self.cleaned_data["username"]
        model = self._meta.model
        if model._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError("A login with this name already exists.", code="unique")
        return username

    def clean_email(self):
        email = self._meta.model._default_manager.normalize_email(self.cleaned_data["email"])
        if self._meta.model._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError("Another login already uses this e-mail address.")
        return email

    def clean(self):
        cleaned = super().clean()
        name = (
            cleaned.get("byline", "").strip()
            or f"{cleaned.get('first_name', '')} {cleaned.get('last_name', '')}".strip()
        )
        if not name:
            return cleaned
        slug = slugify(name)[: Author._meta.get_field("slug").max_length]
        if not slug:
            self.add_error("byline", "A byline needs letters or digits.")
            return cleaned
        existing = Author.objects.filter(name__iexact=name).select_related("user").first()
        if existing is not None and existing.user_id is not None:
            self.add_error("byline", f"The byline “{existing.name}” belongs to another login.")
        elif existing is None and Author.objects.filter(slug=slug).exists():
            self.add_error("byline", "A byline with this address exists: choose another name.")
        self.byline_name, self.byline_slug, self.byline_author = name, slug, existing
        return cleaned

    @transaction.atomic
    def save(self):
        user = super().save(commit=False)
        user.set_unusable_password()
        user.is_staff = bool(self.cleaned_data.get("is_staff")) and self.inviter.is_superuser
        user.save()
        user.groups.add(self.cleaned_data["group"])
        author = self.byline_author or Author(name=self.byline_name, slug=self.byline_slug)
        author.user = user
        author.save()
        return user


def set_password_url(user):
    """On ``SITE_URL``, as every absolute URL the site makes: never the request's Host."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("admin:reviews_author_set_password", args=[uid, token]))


def _send(user, link, inviter):
    """E-mail the link; False when mail could not be sent (the page shows the link anyway)."""
    body = (
        f"Hello {user.first_name},\n\n"
        f"{inviter.get_full_name() or inviter.get_username()} has invited you to write for "
        f"Cuesheet. Your login is {user.get_username()}. Set your password here:\n\n{link}\n\n"
        "The link works once, for a few days.\n"
    )
    try:
        send_mail("Your Cuesheet login", body, None, [user.email])
    except (OSError, ConnectionError):
        return False
    return True


class _SetPasswordDone(PasswordResetCompleteView):
    def get_context_data(self, **kwargs):
        # Django's view points at settings.LOGIN_URL, the site's; the invited log in here.
        return {**super().get_context_data(**kwargs), "login_url": reverse("admin:login")}


class InviteAdminMixin:
    """The invitation and the set-password pages, in the byline's admin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("invite/", view(self.invite_view), name="reviews_author_invite"),
            # Not admin_view: the invited have no session yet; the token is their key.
            path(
                "set-password/done/",
                self.set_password_done_view,
                name="reviews_author_set_password_done",
            ),
            path(
                "set-password/<uidb64>/<token>/",
                self.set_password_view,
                name="reviews_author_set_password",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts}

    def invite_view(self, request):
        if not request.user.has_perm("auth.add_user") or not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if "is_staff" in request.POST and not request.user.is_superuser:
                raise PermissionDenied("Only superusers give staff access.")
            form = InviteForm(request.POST, inviter=request.user)
            if form.is_valid():
                user = form.save()
                link = set_password_url(user)
                sent = _send(user, link, request.user)
                context = {
                    **self._context(request, f"{user.get_username()} is invited"),
                    "invited": user,
                    "link": link,
                    "sent": sent,
                }
                return TemplateResponse(request, "admin/reviews/invite_done.html", context)
        else:
            form = InviteForm(inviter=request.user)
        context = {**self._context(request, "Invite a writer"), "form": form}
        return TemplateResponse(request, "admin/reviews/invite.html", context)

    def set_password_view(self, request, uidb64, token):
        return PasswordResetConfirmView.as_view(
            success_url=reverse("admin:reviews_author_set_password_done"),
            extra_context=self._context(request, "Set your password"),
        )(request, uidb64=uidb64, token=token)

    def set_password_done_view(self, request):
        return _SetPasswordDone.as_view(extra_context=self._context(request, "Password set"))(
            request
        )
