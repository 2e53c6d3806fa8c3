"""A film's music: its cue sheet page, one cue's page, and a theme's page."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView

from films.models import Film
from pagemeta.pages import PageMixin
from soundtracks.models import Cue, Theme


class FilmMusicView(PageMixin, DetailView):
    """The film's cue sheet in film order."""

    template_name = "soundtracks/film_music.html"
    context_object_name = "film"

    def get_queryset(self):
        return Film.objects.all()

    def get_context_data(self, **kwargs):
        cues = list(self.object.cues.in_film_order())
        return super().get_context_data(cues=cues, **kwargs)

    def get_meta(self):
        return {"title": f"The music of {self.object}"}

    def get_breadcrumbs(self):
        film = self.object
        return [
            ("Films", reverse("films:film_list")),
            (str(film), film.get_absolute_url()),
            ("Music", reverse("soundtracks:film_music", args=[film.slug])),
        ]


class CueDetailView(PageMixin, DetailView):
    """One cue of a film's cue sheet."""

    template_name = "soundtracks/cue_detail.html"
    context_object_name = "cue"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Cue.objects.select_related("film"),
            film__slug=self.kwargs["film"],
            slug=self.kwargs["slug"],
        )

    def get_meta(self):
        return {"title": f"{self.object.title}, a cue of {self.object.film}"}


class ThemeDetailView(PageMixin, DetailView):
    """A theme and every cue that carries it."""

    template_name = "soundtracks/theme_detail.html"
    context_object_name = "theme"

    def get_queryset(self):
        return Theme.objects.select_related("film", "franchise").prefetch_related(
            Prefetch("appearances__cue__film")
        )

    def get_meta(self):
        return {"title": f"{self.object.name}: a theme"}
