from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from core.auth import ThrottledAdminAuthenticationForm
from core.views import healthz

admin.site.site_header = "Cuesheet editors"
admin.site.site_title = "Cuesheet admin"
admin.site.index_title = "Catalogue and reviews"
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("films.urls")),
    path("", include("soundtracks.urls")),
    path("", include("reviews.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
