from django.urls import path

from films import views

app_name = "films"
urlpatterns = [
    path("films/", views.FilmListView.as_view(), name="film_list"),
    path("films/<slug:slug>/", views.FilmDetailView.as_view(), name="film_detail"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("franchises/<slug:slug>/", views.FranchiseDetailView.as_view(), name="franchise_detail"),
]
