from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """Images: one place for what every picture is, how it is checked, cleaned and rendered."""

    name = "images"
    verbose_name = "Images"

    def ready(self):
        from images.models import Image
        from pagecache import keys

        # Every page showing an image is tagged with it: a new crop or alt text purges them.
        keys.register(Image)
