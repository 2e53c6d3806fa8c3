from django.urls import path
from django.views.generic import TemplateView

from sitewide import views
from sitewide.sitemaps import sitemaps

app_name = "sitewide"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("sitemap.xml", views.sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
