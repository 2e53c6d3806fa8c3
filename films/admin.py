from django.contrib import admin
from django.db.models import Case, Count, Prefetch, Value, When
from django.utils.html import format_html, format_html_join

from editorial.admin import (
    EditorialAdmin,
    GuardedDeleteMixin,
    LockedAdminMixin,
    LockedInlineMixin,
    RecoverDeletedMixin,
    RevisionBlockMixin,
    RevisionHistoryMixin,
)
from editorial.admin_input import InputSafeAdminMixin, InputSafeInlineMixin
from editorial.filters import year_filter
from films.models import Credit, Film, Franchise, Person
from images.admin import IMAGES_CSS, image_columns


class FranchiseFilmInline(InputSafeInlineMixin, LockedInlineMixin, admin.TabularInline):
    model = Film
    fields = ("title", "release_date", "franchise_order")
    readonly_fields = ("title", "release_date")
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Franchise)
class FranchiseAdmin(
    InputSafeAdminMixin,
    LockedAdminMixin,
    RecoverDeletedMixin,
    GuardedDeleteMixin,
    RevisionHistoryMixin,
    admin.ModelAdmin,
):
    list_display = ("name", "film_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (FranchiseFilmInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_film_count=Count("films"))

    @admin.display(description="films", ordering="_film_count")
    def film_count(self, obj):
        return obj._film_count


class RoleListFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Credit.Role.choices

    def queryset(self, request, queryset):
        if self.value() in Credit.Role.values:
            return queryset.filter(credits__role=self.value()).distinct()
        return queryset


@admin.register(Person)
class PersonAdmin(
    InputSafeAdminMixin,
    LockedAdminMixin,
    RecoverDeletedMixin,
    GuardedDeleteMixin,
    RevisionHistoryMixin,
    admin.ModelAdmin,
):
    list_display = ("name", "photo_thumbnail", "is_group", "credit_count")
    list_filter = ("is_group", RoleListFilter)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("photo",)
    autocomplete_fields = ("members", "photo")
    readonly_fields = ("member_of", "photo_preview")
    fieldsets = (
        (
            None,
            {"fields": ("name", "sort_name", "slug", "is_group", "members", "member_of", "bio")},
        ),
        ("Photo", {"fields": ("photo_preview", "photo")}),
        ("Elsewhere", {"fields": ("imdb_id", "musicbrainz_id")}),
    )

    class Media:
        css = {"all": (IMAGES_CSS,)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_credit_count=Count("credits"))

    @admin.display(description="credits", ordering="_credit_count")
    def credit_count(self, obj):
        return obj._credit_count

    @admin.display(description="member of")
    def member_of(self, obj):
        groups = obj.groups.all() if obj.pk else []
        return ", ".join(group.name for group in groups) or "—"

    photo_thumbnail, photo_preview = image_columns("photo")


class CreditInline(InputSafeInlineMixin, LockedInlineMixin, admin.TabularInline):
    model = Credit
    fields = ("role", "person", "character", "billing_order")
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request):
        # Roles in the order the choices list them (director first, cast last), as on a poster.
        role_rank = Case(
            *(When(role=role, then=Value(rank)) for rank, role in enumerate(Credit.Role.values)),
            default=Value(len(Credit.Role.values)),
        )
        return (
            super()
            .get_queryset(request)
            # Each row's autocomplete shows its person, and its title names the film: read here.
            .select_related("person", "film")
            .alias(role_rank=role_rank)
            .order_by("role_rank", "billing_order", "pk")
        )


@admin.register(Film)
class FilmAdmin(InputSafeAdminMixin, LockedAdminMixin, EditorialAdmin):
    list_display = (
        "title",
        "poster_thumbnail",
        "release_date",
        "runtime",
        "franchise",
        "directed_by",
    )
    list_filter = ("franchise", year_filter("release_date", "release year"), "certificate")
    list_select_related = ("franchise", "poster")
    search_fields = ("title", "imdb_id")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("franchise", "poster")
    readonly_fields = ("infobox", "poster_preview")
    date_hierarchy = "release_date"
    inlines = (CreditInline,)
    fieldsets = (
        ("At a glance", {"fields": ("infobox",)}),
        (None, {"fields": ("title", "slug", "release_date", "runtime", "certificate")}),
        ("Franchise", {"fields": ("franchise", "franchise_order")}),
        ("Text", {"fields": ("tagline", "synopsis")}),
        ("Poster", {"fields": ("poster_preview", "poster")}),
        ("Cue sheet", {"fields": ("cue_sheet_complete",)}),
        ("Elsewhere", {"fields": ("imdb_id", "tmdb_id"), "classes": ("collapse",)}),
    )

    class Media:
        css = {"all": (IMAGES_CSS,)}

    def get_queryset(self, request):
        directors = Credit.objects.filter(role=Credit.Role.DIRECTOR).select_related("person")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("credits", queryset=directors, to_attr="director_credits"))
        )

    @admin.display(description="director")
    def directed_by(self, obj):
        return ", ".join(credit.person.name for credit in obj.director_credits) or "—"

    poster_thumbnail, poster_preview = image_columns("poster")

    @admin.display(description="infobox (as readers see it)")
    def infobox(self, obj):
        """The facts a review's infobox derives from this film, as they stand when last saved."""
        if obj.pk is None:
            return "Save the film to see its infobox."
        film = Film.objects.with_credits().get(pk=obj.pk)
        rows = [
            ("Release date", film.release_date.strftime("%B %-d, %Y") if film.release_date else ""),
            ("Runtime", f"{film.runtime} minutes" if film.runtime else ""),
            ("Director", ", ".join(person.name for person in film.directors)),
            ("Producers", ", ".join(person.name for person in film.producers)),
            ("Composers", ", ".join(person.name for person in film.composers)),
        ]
        return format_html(
            '<dl class="cuesheet-infobox">{}</dl>',
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((label, value or "—") for label, value in rows)
            ),
        )


@admin.register(Credit)
class CreditAdmin(
    InputSafeAdminMixin,
    LockedAdminMixin,
    RecoverDeletedMixin,
    GuardedDeleteMixin,
    RevisionBlockMixin,
    admin.ModelAdmin,
):
    list_display = ("person", "role", "character", "film", "billing_order")
    list_filter = ("role", "film__franchise")
    list_select_related = ("person", "film")
    search_fields = ("person__name", "film__title", "character")
    autocomplete_fields = ("film", "person")
