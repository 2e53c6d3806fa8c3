from django.urls import path

from soundtracks import views

app_name = "soundtracks"


def soundtrack_urlpatterns(soundtrack_detail=views.SoundtrackDetailView):
    """The albums' URLs. A layer above passes its ``soundtrack_detail`` view, the album page
    extended with what it knows (``reviews.catalogue``): config/urls.py routes to that one."""
    return [
        path("soundtracks/<slug:slug>/", soundtrack_detail.as_view(), name="soundtrack_detail"),
    ]


urlpatterns = soundtrack_urlpatterns()
