from django.views.generic import DetailView, ListView

from reviews.models import Author, Review, Tag


class HomeView(ListView):
    template_name = "reviews/home.html"

    def get_queryset(self):
        return Review.objects.published().for_listing()


class ReviewListView(ListView):
    paginate_by = 20

    def get_queryset(self):
        return Review.objects.published().for_listing()


class ReviewDetailView(DetailView):
    def get_queryset(self):
        return Review.objects.published()


class TagDetailView(DetailView):
    model = Tag


class AuthorDetailView(DetailView):
    model = Author
