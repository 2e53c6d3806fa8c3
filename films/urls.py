from django.urls import path

from films import views

app_name = "films"


def film_urlpatterns(film_detail=views.FilmDetailView):
    """The catalogue's URLs. A layer above passes its ``film_detail`` view, the film page
    extended with what it knows (``reviews.catalogue``): config/urls.py routes to that one."""
    return [
        path("films/", views.FilmListView.as_view(), name="film_list"),
        path("films/<slug:slug>/", film_detail.as_view(), name="film_detail"),
        path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person_detail"),
        path(
            "franchises/<slug:slug>/", views.FranchiseDetailView.as_view(), name="franchise_detail"
        ),
    ]


urlpatterns = film_urlpatterns()
