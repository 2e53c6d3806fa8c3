"""Draw the demo content's images: illustrations, never the studios' or labels' artwork.

Without options the drawings are written to media storage under ``demo/`` and listed. With
``--attach`` each one becomes an ``images.Image`` (cleaned, with renditions, credited as drawn
for the demo) that its row points at, through ``images.models.attach_image``; a row whose model
has no such field, or that is not in the database, is reported and skipped, and an image
already there is kept unless ``--replace`` is given.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from demo.drawing import illustration_png
from images.models import Image, attach_image

DEMO_FOLDER = "demo"
FOLDERS = {"poster": "posters", "cover": "covers", "portrait": "people", "hero": "heroes"}
# Where every demo picture comes from, as the Image rows say it.
DEMO_CREDIT = "Drawn for the Cuesheet demo"
DEMO_LICENCE = "The Cuesheet project’s own illustration, published with it"


@dataclass(frozen=True)
class DemoImage:
    model: str  # app_label.model_name
    slug: str
    field: str
    kind: str  # a key of demo.drawing.SIZES
    title: str
    subtitle: str
    alt: str
    accent: str | None = None

    @property
    def file_name(self):
        return f"{self.slug}.png"

    @property
    def demo_path(self):
        return f"{DEMO_FOLDER}/{FOLDERS[self.kind]}/{self.file_name}"

    def draw(self):
        return illustration_png(self.kind, self.title, self.subtitle, accent=self.accent)


def _poster(slug, title, year, accent):
    return DemoImage(
        "films.film",
        slug,
        "poster",
        "poster",
        title,
        f"Film · {year}",
        f"Illustration, not the film’s poster: the title {title} above a glowing disc and a "
        "grid that runs to the horizon.",
        accent,
    )


def _cover(slug, title, artist, accent):
    return DemoImage(
        "soundtracks.soundtrack",
        slug,
        "cover",
        "cover",
        title,
        f"Soundtrack album · {artist}",
        f"Illustration, not the album’s cover: a glowing record over a grid, titled {title}, "
        f"{artist}.",
        accent,
    )


def _portrait(slug, name, role):
    return DemoImage(
        "films.person",
        slug,
        "photo",
        "portrait",
        name,
        role,
        f"Illustration, not a photograph: an outline of a head and shoulders above a grid, "
        f"captioned {name}.",
    )


DEMO_IMAGES = (
    _poster("tron", "Tron", 1982, "#3ee6ff"),
    _poster("tron-legacy", "Tron: Legacy", 2010, "#9ef0ff"),
    _poster("tron-ares", "Tron: Ares", 2025, "#ff3b3b"),
    _cover("tron-soundtrack", "Tron", "Wendy Carlos", "#3ee6ff"),
    _cover("tron-legacy-soundtrack", "Tron: Legacy", "Daft Punk", "#9ef0ff"),
    _cover("tron-ares-soundtrack", "Tron: Ares", "Nine Inch Nails", "#ff3b3b"),
    _portrait("nine-inch-nails", "Nine Inch Nails", "Band"),
    _portrait("trent-reznor", "Trent Reznor", "Composer · Nine Inch Nails"),
    _portrait("atticus-ross", "Atticus Ross", "Composer · Nine Inch Nails"),
    _portrait("daft-punk", "Daft Punk", "Duo"),
    _portrait("wendy-carlos", "Wendy Carlos", "Composer"),
    _portrait("journey", "Journey", "Band"),
    DemoImage(
        "reviews.review",
        "tron-ares-nine-inch-nails-score-review",
        "hero_image",
        "hero",
        "Whatever You Make of ‘Tron: Ares’, Hear Nine Inch Nails’ Score in a Theater",
        "Review · Tron: Ares",
        "Illustration: a red sun setting on a glowing grid crossed by two light trails.",
        "#ff3b3b",
    ),
)


def write_demo_file(demo, content, storage=default_storage):
    """Write a drawing to ``demo/<folder>/<slug>.png``, replacing the one drawn before."""
    if storage.exists(demo.demo_path):
        storage.delete(demo.demo_path)
    return storage.save(demo.demo_path, ContentFile(content))


def attach_demo_image(demo, *, replace=False):
    """Draw and store an illustration in its row's image field; return what happened, in words.

    Nothing is drawn for a row that keeps the image it has, so a second run costs a query a row.
    """
    model = apps.get_model(demo.model)
    try:
        field = model._meta.get_field(demo.field)
    except FieldDoesNotExist:
        return f"skipped: {model._meta.label} has no field '{demo.field}' yet"
    if getattr(field, "related_model", None) is not Image:
        return f"skipped: {model._meta.label}.{demo.field} is not a foreign key to images.Image"
    instance = model._default_manager.filter(slug=demo.slug).first()
    if instance is None:
        return "skipped: no such row (load the fixtures first)"
    if getattr(instance, field.attname) and not replace:
        return "kept the image already there"
    attached = attach_image(
        instance,
        demo.field,
        ContentFile(demo.draw()),
        name=demo.file_name,
        alt=demo.alt,
        credit=DEMO_CREDIT,
        licence=DEMO_LICENCE,
        replace=replace,
    )
    return "attached" if attached else "kept the image already there"


class Command(BaseCommand):
    help = (
        "Draw the illustrations that stand in for posters, covers, portraits and hero images "
        "in the Tron demo content. Writes them under demo/ in media storage, or with --attach "
        "stores each in its row's image field."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slugs", nargs="*", metavar="slug", help="Only these rows' images (default: all)."
        )
        parser.add_argument(
            "--attach",
            action="store_true",
            help="Store each drawing in its row's image field instead of under demo/.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="With --attach, replace an image a row already has (default: keep it).",
        )

    def handle(self, *args, slugs, attach, replace, **options):
        known = {demo.slug for demo in DEMO_IMAGES}
        unknown = sorted(set(slugs) - known)
        if unknown:
            raise CommandError(
                f"No demo image for {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
            )
        for demo in DEMO_IMAGES:
            if slugs and demo.slug not in slugs:
                continue
            target = f"{demo.model} {demo.slug} ({demo.field})"
            if attach:
                self.stdout.write(f"{target}: {attach_demo_image(demo, replace=replace)}")
            else:
                content = demo.draw()
                name = write_demo_file(demo, content)
                self.stdout.write(f"{target}: {name}, {len(content) // 1024} KiB")
