from django.urls import URLPattern

from api.api import api
from api.http import read_only

patterns, _, _ = api.urls

app_name = "api"
urlpatterns = [
    URLPattern(pattern.pattern, read_only(pattern.callback), pattern.default_args, pattern.name)
    for pattern in patterns
]
