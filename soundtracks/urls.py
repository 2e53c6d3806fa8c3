from django.urls import path

from soundtracks import views

app_name = "soundtracks"
urlpatterns = [
    path(
        "soundtracks/<slug:slug>/", views.SoundtrackDetailView.as_view(), name="soundtrack_detail"
    ),
]
