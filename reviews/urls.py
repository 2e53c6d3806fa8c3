from django.urls import path

from films.urls import film_urlpatterns
from reviews import catalogue, cue_pages, feeds, views
from soundtracks.urls import soundtrack_urlpatterns

app_name = "reviews"
urlpatterns = [
    path("reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("reviews/feed/", feeds.LatestReviewsFeed(), name="feed"),
    path("reviews/feed/atom/", feeds.LatestReviewsAtomFeed(), name="atom_feed"),
    path("reviews/<slug:slug>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("tags/<slug:slug>/feed/", feeds.TagReviewsFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagReviewsAtomFeed(), name="tag_atom_feed"),
    path("films/<slug:slug>/feed/", feeds.FilmReviewsFeed(), name="film_feed"),
    path("films/<slug:slug>/feed/atom/", feeds.FilmReviewsAtomFeed(), name="film_atom_feed"),
    path("people/<slug:slug>/feed/", feeds.PersonReviewsFeed(), name="person_feed"),
    path("people/<slug:slug>/feed/atom/", feeds.PersonReviewsAtomFeed(), name="person_atom_feed"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author_detail"),
    path("people/<slug:slug>/reviews/", views.PersonReviewsView.as_view(), name="person_reviews"),
    path(
        "franchises/<slug:slug>/reviews/",
        views.FranchiseReviewsView.as_view(),
        name="franchise_reviews",
    ),
]

# The catalogue's and the albums' pages, under their own namespaces, routed to the most extended
# views: this layer's, which add the reviews (config/urls.py includes these).
films = (
    film_urlpatterns(
        film_detail=catalogue.FilmWithReviewsView,
        person_detail=catalogue.PersonWithReviewsView,
        franchise_detail=catalogue.FranchiseWithReviewsView,
    ),
    "films",
)
soundtracks = (
    soundtrack_urlpatterns(
        soundtrack_detail=catalogue.SoundtrackWithReviewsView,
        film_music=cue_pages.FilmMusicWithReviewsView,
        cue_detail=cue_pages.CueWithReviewsView,
    ),
    "soundtracks",
)
