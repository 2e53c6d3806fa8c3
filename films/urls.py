from django.urls import path

from films import views

app_name = "films"


def film_urlpatterns(
    film_detail=views.FilmDetailView,
    person_detail=views.PersonDetailView,
    franchise_detail=views.FranchiseDetailView,
):
    """The catalogue's URLs. A layer above passes its views, these pages extended with what it
    knows (``soundtracks.catalogue``, ``reviews.catalogue``): config/urls.py routes to those."""
    return [
        path("films/", views.FilmListView.as_view(), name="film_list"),
        path("films/<slug:slug>/", film_detail.as_view(), name="film_detail"),
        path("people/", views.PersonListView.as_view(), name="person_list"),
        path("people/<slug:slug>/", person_detail.as_view(), name="person_detail"),
        path("composers/", views.ComposerListView.as_view(), name="composer_list"),
        path("franchises/<slug:slug>/", franchise_detail.as_view(), name="franchise_detail"),
    ]


urlpatterns = film_urlpatterns()
