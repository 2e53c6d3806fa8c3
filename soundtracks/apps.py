from django.apps import AppConfig


class SoundtracksConfig(AppConfig):
    name = "soundtracks"
    verbose_name = "Soundtracks"
