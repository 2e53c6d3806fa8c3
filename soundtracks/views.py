from django.views.generic import DetailView

from soundtracks.models import Soundtrack


class SoundtrackDetailView(DetailView):
    model = Soundtrack
