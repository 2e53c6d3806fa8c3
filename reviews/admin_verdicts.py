"""What a review's change form says of its verdict: album ratings, corrections, and the badges.

The review's own verdict line and badges are fields of the review (``reviews.admin``); here
are the inlines beside them and the admin where editors define badges:

- **Album ratings**: a score for each album the review covers, on the publication's scale
  (``REVIEW_RATING_SCALE``). An album the review does not cover (as this save leaves its
  albums) is refused on its row, as is an album rated twice.
- **Corrections and updates**: dated notes at the foot of a review readers have read. Shown
  once the review has been published; only those who may publish add, change or delete them.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count

from editorial.admin import (
    GuardedDeleteMixin,
    GuardedInlineFormSet,
    LockedAdminMixin,
    LockedInlineMixin,
)
from editorial.admin_input import InputSafeAdminMixin, InputSafeInlineMixin
from editorial.locking import OptimisticLockForm
from reviews.models import AlbumRating, Badge, Correction
from reviews.workflow import can_publish

#: The review form's field of the albums it covers, as its change form posts it.
ALBUMS_FIELD = "soundtracks"


class AlbumRatingForm(OptimisticLockForm):
    class Meta:
        model = AlbumRating
        fields = ("soundtrack", "score")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scale = self.instance.out_of if self.instance.pk else settings.REVIEW_RATING_SCALE
        self.fields["score"] = forms.IntegerField(
            min_value=1,
            max_value=scale,
            help_text=f"A whole number from 1 to {scale}.",
            # A tabular row labels its inputs by its column headings only: named for screen
            # readers here.
            widget=forms.NumberInput(
                attrs={"step": 1, "class": "vSmallField", "aria-label": f"Score, 1 to {scale}"}
            ),
        )


class AlbumRatingFormSet(GuardedInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this rating"

    def clean(self):
        super().clean()
        covered = self.covered_albums()
        seen = set()
        for form in self.forms:
            if form in self.deleted_forms or not getattr(form, "cleaned_data", None):
                continue
            album = form.cleaned_data.get("soundtrack")
            if album is None:
                continue
            if album.pk not in covered:
                form.add_error(
                    "soundtrack",
                    f"“{album}” is not one of the albums this review covers. Add it under "
                    "“What it covers”, or rate one that is.",
                )
            elif album.pk in seen:
                form.add_error("soundtrack", f"“{album}” is rated twice: keep one rating.")
            seen.add(album.pk)

    def covered_albums(self):
        """The ids of the albums the review covers as this save leaves them: the review form's
        albums as sent (ids that are none are refused by that field, and count for nothing)."""
        if not self.is_bound:
            return set()
        # No value sent is no album: an empty choice of albums posts nothing.
        sent = self.data.getlist(ALBUMS_FIELD) if hasattr(self.data, "getlist") else []
        return {int(value) for value in sent if value.isascii() and value.isdigit()}


class AlbumRatingInline(InputSafeInlineMixin, LockedInlineMixin, admin.TabularInline):
    model = AlbumRating
    template = "admin/reviews/albumrating/tabular.html"
    form = AlbumRatingForm
    formset = AlbumRatingFormSet
    fields = ("soundtrack", "score")
    autocomplete_fields = ("soundtrack",)
    extra = 0
    verbose_name_plural = "album ratings"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("soundtrack")


class CorrectionForm(OptimisticLockForm):
    class Meta:
        model = Correction
        fields = ("kind", "published_at", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class CorrectionInline(InputSafeInlineMixin, LockedInlineMixin, admin.StackedInline):
    """Shown on a review that has been published; changed only by those who may publish."""

    model = Correction
    form = CorrectionForm
    fields = ("kind", "published_at", "note", "created_by")
    readonly_fields = ("created_by",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @staticmethod
    def went_live(obj):
        return obj is not None and obj.first_published_at is not None

    def has_view_permission(self, request, obj=None):
        # Nothing to correct before readers have read it: not shown on a draft's form.
        return self.went_live(obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and self.went_live(obj) and can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self.went_live(obj) and can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self.went_live(obj) and can_publish(request.user)


@admin.register(Badge)
class BadgeAdmin(InputSafeAdminMixin, LockedAdminMixin, GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "review_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "description")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_review_count=Count("reviews"))

    @admin.display(description="reviews", ordering="_review_count")
    def review_count(self, obj):
        return obj._review_count
