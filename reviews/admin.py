from django.contrib import admin

from reviews.models import Author, Review, Tag


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "user")
    list_select_related = ("user",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("headline", "status", "publish_at", "film", "bylines", "is_live")
    list_filter = ("status", "film__franchise", "tags", "authors")
    list_select_related = ("film",)
    search_fields = ("headline", "dek", "body", "film__title")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("authors", "film", "other_films", "soundtracks", "tags")
    readonly_fields = ("first_published_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("headline", "slug", "dek", "body", "authors")}),
        ("What it covers", {"fields": ("film", "other_films", "soundtracks", "rating", "tags")}),
        ("Publishing", {"fields": ("status", "publish_at", "first_published_at", "updated_at")}),
        ("Search engines", {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="by")
    def bylines(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description="live", boolean=True)
    def is_live(self, obj):
        return obj.is_live
