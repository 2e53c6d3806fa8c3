from django.contrib import admin

from editorial.admin_input import InputSafeAdminMixin
from permalinks.models import Redirect


@admin.register(Redirect)
class RedirectAdmin(InputSafeAdminMixin, admin.ModelAdmin):
    """The redirects the site keeps: made as slugs change, and any an editor adds."""

    list_display = ("old_path", "new_path", "updated_at")
    search_fields = ("old_path", "new_path")
    date_hierarchy = "updated_at"
    fields = ("old_path", "new_path")
