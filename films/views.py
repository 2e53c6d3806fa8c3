from django.views.generic import DetailView, ListView

from films.models import Film, Franchise, Person


class FilmListView(ListView):
    model = Film


class FilmDetailView(DetailView):
    model = Film


class PersonDetailView(DetailView):
    model = Person


class FranchiseDetailView(DetailView):
    model = Franchise
