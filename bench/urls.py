"""The site's URLs (config.urls) plus the bench's floor (bench/floor.py), for bench.settings."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/floor/", include("bench.floor")), *site_urlpatterns]
