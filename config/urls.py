from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from editorial.visibility import view_on_site
from films.sitemaps import FilmSitemap, FranchiseSitemap, PersonSitemap
from logins.forms import ThrottledAdminAuthenticationForm
from reviews.sitemaps import AuthorSitemap, ReviewSitemap, SectionSitemap, TagSitemap
from sitewide.views import healthz
from soundtracks.sitemaps import SoundtrackSitemap

admin.site.site_header = "Cuesheet editors"
admin.site.site_title = "Cuesheet admin"
admin.site.index_title = "Catalogue and reviews"
admin.site.login_form = ThrottledAdminAuthenticationForm

sitemaps = {
    "sections": SectionSitemap,
    "reviews": ReviewSitemap,
    "films": FilmSitemap,
    "soundtracks": SoundtrackSitemap,
    "people": PersonSitemap,
    "franchises": FranchiseSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Ahead of the admin's own "view on site" at the same address, which asks no permission.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("", include("films.urls")),
    path("", include("soundtracks.urls")),
    path("", include("reviews.urls")),
]

if settings.SERVE_MEDIA:
    # Local media through Django: development and `make serve`. In production a proxy or the
    # object store serves media (README, "Media storage").
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
