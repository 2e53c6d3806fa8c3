from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from editorial.visibility import view_on_site
from logins.forms import ThrottledAdminAuthenticationForm
from reviews import urls as reviews_urls

admin.site.site_header = "Cuesheet editors"
admin.site.site_title = "Cuesheet admin"
admin.site.index_title = "Catalogue and reviews"
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    # Ahead of the admin's own "view on site" at the same address, which asks no permission.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view_on_site",
    ),
    # The editorial calendar and its iCalendar feeds, beside the admin's own pages.
    path("admin/calendar/", include("planning.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # Home, search, the sitemap, robots.txt and the health check: what spans apps.
    path("", include("sitewide.urls")),
    # Film and album pages route to the reviews layer's views, which add their reviews.
    path("", include(reviews_urls.films)),
    path("", include(reviews_urls.soundtracks)),
    path("", include("reviews.urls")),
]


def serve_media(request, path, document_root):
    """A media file from ``document_root``, as ``django.views.static.serve`` does, except that a
    name the filesystem refuses outright (longer than it allows) is a 404, as any other name
    that names no file, not an OSError's 500."""
    try:
        return serve(request, path, document_root=document_root)
    except OSError as error:
        raise Http404("No such file.") from error


if settings.SERVE_MEDIA:
    # Local media through Django: development and `make serve`. In production a proxy or the
    # object store serves media (README, "Media storage").
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
