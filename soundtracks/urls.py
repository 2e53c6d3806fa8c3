from django.urls import path

from soundtracks import music, views

app_name = "soundtracks"


def soundtrack_urlpatterns(
    soundtrack_detail=views.SoundtrackDetailView,
    film_music=music.FilmMusicView,
    cue_detail=music.CueDetailView,
):
    """The albums' and the cue sheets' URLs. A layer above passes its views, these pages
    extended with what it knows (``reviews.catalogue``, ``reviews.cue_pages``): config/urls.py
    routes to those."""
    return [
        path("soundtracks/", views.SoundtrackListView.as_view(), name="soundtrack_list"),
        path("soundtracks/<slug:slug>/", soundtrack_detail.as_view(), name="soundtrack_detail"),
        path("films/<slug:slug>/music/", film_music.as_view(), name="film_music"),
        path("films/<slug:film>/music/<slug:slug>/", cue_detail.as_view(), name="cue_detail"),
        path("themes/<slug:slug>/", music.ThemeDetailView.as_view(), name="theme_detail"),
    ]


urlpatterns = soundtrack_urlpatterns()
