from django.urls import path

from reviews import feeds, views

app_name = "reviews"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("reviews/feed/", feeds.LatestReviewsFeed(), name="feed"),
    path("reviews/feed/atom/", feeds.LatestReviewsAtomFeed(), name="atom_feed"),
    path("reviews/<slug:slug>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author_detail"),
    path("search/", views.search, name="search"),
]
