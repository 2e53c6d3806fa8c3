"""The review a cue's or a track note's facts come from, named on the cue's and the note's pages.

The relation is the review's (``Review.cues_sourced``, ``Review.notes_sourced``): reviews sit
above soundtracks, so this layer registers the cue and track note admins again with an inline of
the relation's rows. Its chooser offers only the reviews the user may see (``VisibleRelationsMixin``
and ``ReviewAdmin``'s queryset): a writer cannot name another writer's draft, and a row naming
one that an editor made shows as "a review you may not see", kept unless the writer deletes it.
Editors see every review. The rows follow the page: whoever may not change the cue or the note
may not change its sources either.
"""

from django.contrib import admin

from editorial.admin_input import InputSafeInlineMixin
from editorial.visibility import VisibleRelationsMixin
from reviews.models import Review
from reviews.workflow import can_see
from soundtracks.admin import TrackNoteAdmin
from soundtracks.admin_cues import CueAdmin
from soundtracks.models import Cue, TrackNote

UNSEEN = "A review you may not see"


class SourceReviewInline(VisibleRelationsMixin, InputSafeInlineMixin, admin.TabularInline):
    fields = ("review",)
    autocomplete_fields = ("review",)
    readonly_fields = ("source",)
    extra = 0
    verbose_name = "source review"
    verbose_name_plural = "source reviews (the reviews its facts come from)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("review")

    def get_fields(self, request, obj=None):
        self.user = request.user
        # Read-only, the chooser is left out (it cannot tell seen rows from unseen): say which.
        return super().get_fields(request, obj) or ["source"]

    @admin.display(description="review")
    def source(self, row):
        return row.review.headline if can_see(self.user, row.review) else UNSEEN

    def _parent_editable(self, request, obj):
        parent = self.admin_site.get_model_admin(self.parent_model)
        if obj is None:
            return parent.has_add_permission(request)
        return parent.has_change_permission(request, obj)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._parent_editable(request, obj)


class CueSourceInline(SourceReviewInline):
    model = Review.cues_sourced.through


class NoteSourceInline(SourceReviewInline):
    model = Review.notes_sourced.through


admin.site.unregister(Cue)
admin.site.unregister(TrackNote)


@admin.register(Cue)
class CueWithSourcesAdmin(CueAdmin):
    inlines = (*CueAdmin.inlines, CueSourceInline)


@admin.register(TrackNote)
class TrackNoteWithSourcesAdmin(TrackNoteAdmin):
    inlines = (*TrackNoteAdmin.inlines, NoteSourceInline)
