from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """Images: one place for what every picture is, how it is checked, cleaned and rendered."""

    name = "images"
    verbose_name = "Images"
