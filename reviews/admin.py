"""The reviews admin: the change form editors and writers share, its actions and share links.

Just over 400 lines: one ModelAdmin whose form, actions and share view belong together.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import escape

from editorial.admin import AutosaveAdminMixin, EditorialAdmin, GuardedDeleteMixin, LockedAdminMixin
from editorial.admin_input import InputSafeAdminMixin
from editorial.locking import OptimisticLockForm
from editorial.revisions import stored_fields
from images.admin import IMAGES_CSS, image_columns
from reviews import (
    admin_sources,  # noqa: F401 (the cue and track note admins, with sources)
    services,
)
from reviews.admin_citations import citations_view
from reviews.admin_verdicts import AlbumRatingInline, CorrectionInline
from reviews.invite import InviteAdminMixin
from reviews.markdown import MAX_LENGTH
from reviews.models import Author, Review, Tag
from reviews.preview import SHARE_DAYS, link_url, make_share_link
from reviews.sanitising import removed_markup
from reviews.workflow import (
    allowed_statuses,
    can_edit,
    can_publish,
    can_see,
    check_save,
    describe_problems,
    publication_problems,
    publish_time,
    transition_comment,
)


def goes_live_message(review):
    """The message that says when: “Scheduled: “Headline” goes live at 4 Dec 2026, 09:00 (UTC).”"""
    when = date_format(timezone.localtime(review.publish_at), "j M Y, H:i")
    zone = timezone.get_current_timezone_name()
    return f"Scheduled: “{review}” goes live at {when} ({zone})."


@admin.register(Author)
class AuthorAdmin(
    InviteAdminMixin, InputSafeAdminMixin, LockedAdminMixin, GuardedDeleteMixin, admin.ModelAdmin
):
    list_display = ("name", "user", "is_organisation")
    list_select_related = ("user",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)


@admin.register(Tag)
class TagAdmin(InputSafeAdminMixin, LockedAdminMixin, GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ReviewAdminForm(OptimisticLockForm):
    class Meta:
        model = Review
        fields = "__all__"
        # Said here, not in the model's help text, so that the limit can change without a migration.
        # Escaped: the admin prints help text as HTML, and "track:<album>/…" would be a tag.
        help_texts = {
            "body": escape(
                f"{Review._meta.get_field('body').help_text} At most {MAX_LENGTH:,} characters. "
                "Or choose a track or cue beside the body to insert its link where the cursor is."
            )
        }

    def clean(self):
        cleaned_data = super().clean()
        publishing = cleaned_data.get("status") == Review.Status.PUBLISHED
        was_published = self.instance.pk is not None and (
            self.initial.get("status") == Review.Status.PUBLISHED
        )
        if publishing and not was_published and "publish_at" in self.fields:
            # Published by this save: the same rule as the changelist action (workflow).
            cleaned_data["publish_at"] = publish_time(
                cleaned_data.get("publish_at"), self.instance.first_published_at, timezone.now()
            )
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        if self.instance.status == Review.Status.PUBLISHED:
            # The bylines about to be saved: the form writes many-to-many fields after this.
            authors = self.cleaned_data.get("authors") if "authors" in self.fields else None
            problems = publication_problems(self.instance, authors=authors)
            if problems:
                self.add_error(
                    None,
                    ValidationError(
                        f"This review can’t be published yet. {describe_problems(problems)}",
                        code="unpublishable",
                    ),
                )


class PublicationFilter(admin.SimpleListFilter):
    title = "on the site"
    parameter_name = "on_site"

    def lookups(self, request, model_admin):
        return (
            ("live", "Live now"),
            ("scheduled", "Scheduled"),
            ("not_published", "Not published"),
        )

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "not_published":
            return queryset.exclude(status=Review.Status.PUBLISHED)
        return queryset


class ShareForm(forms.Form):
    days = forms.TypedChoiceField(
        label="The link works for",
        coerce=int,
        choices=[(days, f"{days} day{'s' if days > 1 else ''}") for days in SHARE_DAYS],
        initial=3,
    )


class RevokeForm(forms.Form):
    link = forms.ModelChoiceField(queryset=None, error_messages={"invalid_choice": "gone"})

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = review.share_links.filter(revoked_at__isnull=True)


@admin.register(Review)
class ReviewAdmin(AutosaveAdminMixin, InputSafeAdminMixin, EditorialAdmin):
    form = ReviewAdminForm
    # Raw HTML in a body never reaches readers: the editor is told what was left out.
    sanitised_fields = {"body": removed_markup}
    change_form_template = "admin/reviews/review/change_form.html"
    list_display = (
        "headline",
        "hero_thumbnail",
        "status",
        "on_site",
        "bylines",
        "created_by",
        "film",
    )
    list_filter = (
        "status",
        PublicationFilter,
        "authors",
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "film__franchise",
        "tags",
    )
    list_select_related = ("film", "created_by", "hero_image")
    search_fields = ("headline", "dek", "body", "film__title")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = (
        *("authors", "film", "other_films", "soundtracks", "tags", "hero_image"),
        *("cues_sourced", "notes_sourced"),
    )
    readonly_fields = ("first_published_at", "last_material_change_at", "hero_image_preview")
    actions = ("publish_selected", "withdraw_selected", "submit_selected")
    revert_keeps = services.REVERT_KEEPS
    inlines = (AlbumRatingInline, CorrectionInline)
    fieldsets = (
        (None, {"fields": ("headline", "slug", "dek", "body", "authors")}),
        (
            "Hero image",
            {
                "fields": ("hero_image_preview", "hero_image"),
                "description": "Optional. Shown across the top of the article and in link "
                "previews. Choose any image in the library (a film's poster too); its alt text "
                "and credit are the image's own.",
            },
        ),
        ("What it covers", {"fields": ("film", "other_films", "soundtracks", "tags")}),
        ("Verdict", {"fields": ("verdict", "badges")}),
        (
            "Sources",
            {
                "fields": ("cues_sourced", "notes_sourced"),
                "classes": ("collapse",),
                "description": "The cues of a cue sheet and the track notes whose facts come "
                "from this review. Their pages name it as their source.",
            },
        ),
        (
            "Publishing",
            {
                "fields": (
                    *("status", "planned_for", "publish_at"),
                    *("first_published_at", "last_material_change_at"),
                ),
                "description": (
                    "Writers edit the reviews they created (see “Record”) while they are drafts "
                    "or in review, and submit them for review. Editors publish: leave the "
                    "publish time empty to publish now; a time in the future schedules the "
                    "review, which then goes live by itself. A review that has never been live "
                    "is not backdated: a time already past becomes now."
                ),
            },
        ),
        ("Search engines", {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)}),
    )

    class Media:
        css = {"all": (IMAGES_CSS, "reviews/citation-picker.css")}
        # After the admin's jQuery, whose autocompletes announce a change only to its handlers.
        js = ("admin/js/jquery.init.js", "reviews/citation-picker.js")

    # Who sees and changes what -----------------------------------------------------------

    def get_queryset(self, request):
        # One rule for the changelist, the change form, history, autocompletes and choosers.
        return super().get_queryset(request).prefetch_related("authors").visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or can_see(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not can_publish(request.user):
            readonly = ("publish_at", *readonly)
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "status" in form.base_fields:
            allowed = allowed_statuses(request.user)
            form.base_fields["status"].choices = [
                (value, label) for value, label in Review.Status.choices if value in allowed
            ]
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        byline = Author.objects.filter(user=request.user).first()
        if byline is not None:
            initial.setdefault("authors", [byline.pk])
        return initial

    def save_model(self, request, obj, form, change):
        before = Review.objects.get(pk=obj.pk) if change else None
        check_save(request.user, obj, before=before)
        if change:
            services.note_material_change(obj, form.changed_data)
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        """A change of status says so first, in the words the actions use ("Published.")."""
        message = super().construct_change_message(request, form, formsets, add)
        # A new review starts as a draft.
        before = Review.Status.DRAFT if add else form.initial.get("status")
        comment = transition_comment(before, form.instance, timezone.now())
        if not comment:
            return message
        details = LogEntry(change_message=json.dumps(message)).get_change_message()
        return f"{comment} {details}".strip()

    def revert_object(self, request, obj, version):
        return services.revert_review(obj, version, user=request.user)

    def may_recover(self, request, version):
        """Writers recover only their own reviews, and only those they could edit."""
        stored = stored_fields(version)
        mine = stored.get("created_by") == [request.user.get_username()]
        review = Review(
            pk=0, status=stored.get("status"), created_by_id=request.user.pk if mine else None
        )
        return can_edit(request.user, review)

    # Columns -----------------------------------------------------------------------------

    @admin.display(description="by")
    def bylines(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    hero_thumbnail, hero_image_preview = image_columns("hero_image")

    @admin.display(description="on the site", ordering="publish_at")
    def on_site(self, obj):
        if obj.status != Review.Status.PUBLISHED:
            return "Not public"
        when = date_format(timezone.localtime(obj.publish_at), "DATETIME_FORMAT")
        return f"Live since {when}" if obj.is_live else f"Scheduled for {when}"

    # Actions -----------------------------------------------------------------------------

    def _act(self, request, queryset, action, done_message):
        done, refused = [], []
        for review in queryset:
            try:
                if action(review, user=request.user):
                    done.append(review)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                refused.append(f"“{review}”: {reason}")
        if done and (message := done_message(len(done))):
            self.message_user(request, message, messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not changed — {line}", messages.ERROR)

    @admin.action(
        description="Publish, or schedule if the publish time is still to come",
        permissions=["publish"],
    )
    def publish_selected(self, request, queryset):
        published = []

        def publish(review, *, user):
            if services.publish(review, user=user):
                published.append(review)
                return True
            return False

        def live_now(count):
            live = sum(not review.is_scheduled for review in published)
            return f"Published {live}: live now." if live else None

        self._act(request, queryset, publish, live_now)
        for review in published:
            if review.is_scheduled:
                self.message_user(request, goes_live_message(review), messages.SUCCESS)

    @admin.action(description="Withdraw from the site", permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        self._act(request, queryset, services.withdraw, lambda n: f"Withdrew {n}.")

    @admin.action(description="Submit drafts for review", permissions=["change"])
    def submit_selected(self, request, queryset):
        def submit(review, *, user):
            if review.status != Review.Status.DRAFT:
                return False
            services.submit_for_review(review, user=user)
            return True

        self._act(request, queryset, submit, lambda n: f"Submitted {n} for review.")

    # Saying when a scheduled review goes live ---------------------------------------------

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._say_when_scheduled(request, obj)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._say_when_scheduled(request, obj)
        return response

    def _say_when_scheduled(self, request, obj):
        # A popup closes without showing messages; the next page would show this one late.
        if obj.is_scheduled and IS_POPUP_VAR not in request.POST:
            self.message_user(request, goes_live_message(obj), messages.SUCCESS)

    # Share links -------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/share/",
                self.admin_site.admin_view(self.share_view),
                name="reviews_review_share",
            ),
            # Before the admin's own "<path:object_id>/", which would take "citations" for an id.
            path(
                "citations/",
                self.admin_site.admin_view(self.citations_view),
                name="reviews_review_citations",
            ),
            path(
                "<path:object_id>/citations/",
                self.admin_site.admin_view(self.citations_view),
                name="reviews_review_citations",
            ),
            *super().get_urls(),
        ]

    def citations_view(self, request, object_id=None):
        return citations_view(self, request, None if object_id is None else unquote(object_id))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None and can_publish(request.user):
            context["share_link_url"] = reverse("admin:reviews_review_share", args=[quote(obj.pk)])
            context["share_links"] = list(obj.share_links.working().order_by("expires_at"))
        if obj is not None and obj.pk is not None and not obj.is_live:
            # The public address shows staff the review as saved, banner and all (reviews.preview).
            context["preview_url"] = obj.get_absolute_url()
        editable = (
            self.has_add_permission(request) if add else self.has_change_permission(request, obj)
        )
        if editable:
            context["citations_url"] = reverse(
                "admin:reviews_review_citations", args=[] if add else [quote(obj.pk)]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_view_on_site_url(self, obj=None):
        # A review that is not live has "Preview" instead, under its own name.
        if obj is not None and not obj.is_live:
            return None
        return super().get_view_on_site_url(obj)

    def share_view(self, request, object_id):
        """Make share links, list them, revoke one or all of them."""
        review = self.get_object(request, unquote(object_id))
        if review is None:
            raise Http404("No such review.")
        if not can_publish(request.user):
            raise PermissionDenied
        here = reverse("admin:reviews_review_share", args=[quote(review.pk)])
        form = ShareForm()
        link = None
        if request.method == "POST" and "revoke_all" in request.POST:
            count = review.share_links.revoke(user=request.user)
            if count:
                self.log_change(request, review, f"Revoked all its share links ({count}).")
            self.message_user(
                request,
                f"Revoked {count} share link{'s' if count != 1 else ''}: "
                "they show nothing any more."
                if count
                else "There was no share link to revoke.",
                messages.SUCCESS if count else messages.INFO,
            )
            return HttpResponseRedirect(here)
        if request.method == "POST" and "revoke" in request.POST:
            revoke = RevokeForm(request.POST, review=review)
            if revoke.is_valid():
                ended = revoke.cleaned_data["link"]
                review.share_links.filter(pk=ended.pk).revoke(user=request.user)
                made_at = timezone.localtime(ended.created_at)
                self.log_change(
                    request, review, f"Revoked the share link made {made_at:%d %b %Y, %H:%M}."
                )
                self.message_user(request, "Revoked the link: it shows nothing any more.")
            else:
                self.message_user(
                    request,
                    "That link was revoked already, or it is not one of this review’s.",
                    messages.WARNING,
                )
            return HttpResponseRedirect(here)
        if request.method == "POST":
            form = ShareForm(request.POST)
            if form.is_valid():
                try:
                    made = make_share_link(
                        review, days=form.cleaned_data["days"], user=request.user
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    link = link_url(request, made)
                    expires = timezone.localtime(made.expires_at)
                    self.log_change(
                        request, review, f"Made a share link valid until {expires:%d %b %Y}."
                    )
        links = list(review.share_links.select_related("created_by", "revoked_by")[:100])
        for each in links:
            each.url = link_url(request, each) if each.is_working else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Share “{review}” before it is published",
            "opts": self.opts,
            "object": review,
            "form": form,
            "link": link,
            "links": links,
            "has_working_links": any(each.is_working for each in links),
            "is_live": review.is_live,
            "is_withdrawn": review.status == Review.Status.WITHDRAWN,
            "change_url": reverse("admin:reviews_review_change", args=[quote(review.pk)]),
        }
        response = TemplateResponse(request, "admin/reviews/review/share.html", context)
        add_never_cache_headers(response)
        return response
