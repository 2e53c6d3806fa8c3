"""An image's WebP renditions, and the ``responsive_image`` tag that prints them on real
``images.Image`` rows."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from editorial.tests.html import parse_html
from images import ensure_renditions, plan_renditions, rendition_widths
from images.models import Image as ImageRow
from tests.image_inputs import (
    jpeg,
    save_poster,
    stored_files,
)

# The 100-megapixel inputs also trip Pillow's own, far higher, alarm: a warning, expected here.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


# Renditions ----------------------------------------------------------------------------------


def test_renditions_are_webp_at_the_configured_widths(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((2000, 1000)))

    renditions = poster.image.renditions
    assert [(r.width, r.height) for r in renditions] == [
        (320, 160),
        (640, 320),
        (960, 480),
        (1280, 640),
    ]
    for rendition in renditions:
        assert rendition.url == f"/media/{rendition.name}"
        with Image.open(media_root / rendition.name) as image:
            assert image.format == "WEBP"
            assert image.size == (rendition.width, rendition.height)


def test_renditions_never_upscale(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((700, 350)))
    widths = []
    for rendition in poster.image.renditions:
        with Image.open(media_root / rendition.name) as image:
            widths.append(image.width)
    assert widths == [320, 640, 700]


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (200, [200]),
        (320, [320]),
        (321, [320, 321]),
        (1280, [320, 640, 960, 1280]),
        (4000, [320, 640, 960, 1280]),
    ],
)
def test_rendition_widths(width, expected):
    assert rendition_widths(width) == expected


def test_rendition_widths_follow_the_setting(settings):
    settings.IMAGE_RENDITION_WIDTHS = [480, 240]
    assert rendition_widths(1000) == [240, 480]


def test_listing_renditions_opens_no_file(db, poster_model, media_root, monkeypatch):
    poster = save_poster(poster_model, jpeg((1000, 500)))
    poster = poster_model.objects.get(pk=poster.pk)

    def no_storage(*args, **kwargs):
        raise AssertionError("the storage was asked")

    for method in ("open", "exists", "listdir", "size"):
        monkeypatch.setattr(default_storage, method, no_storage)
    assert [r.width for r in poster.image.renditions] == [320, 640, 960, 1000]


def test_missing_renditions_are_made_again(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((700, 350)))
    lost = poster.image.renditions[1]
    (media_root / lost.name).unlink()

    made = ensure_renditions(default_storage, poster.image.name)

    assert [rendition.name for rendition in made] == [lost.name]
    assert (media_root / lost.name).is_file()
    assert ensure_renditions(default_storage, poster.image.name) == []


def test_deleting_the_image_deletes_its_renditions(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg((700, 350)))
    assert len(stored_files(media_root)) == 4

    poster.image.delete()

    assert stored_files(media_root) == []
    poster.refresh_from_db()
    assert (poster.image.name, poster.image_width, poster.image_height) == ("", None, None)


def test_rendition_names_follow_from_the_original():
    assert [r.name for r in plan_renditions("posters/tron-0123.jpg", 700, 350)] == [
        "posters/renditions/tron-0123-320w.webp",
        "posters/renditions/tron-0123-640w.webp",
        "posters/renditions/tron-0123-700w.webp",
    ]


# The template tag ----------------------------------------------------------------------------


def render_img(template, **context):
    html = Template("{% load images %}" + template).render(Context(context))
    [img] = parse_html(html).find_all()
    assert img.tag == "img"
    return html, img.attrs


def stored_image(data, **fields):
    """A real ``images.Image`` stored through the pipeline, as the tag is given on pages."""
    image = ImageRow(credit="Drawn for the tests", licence="Cuesheet's own", **fields)
    image.file.save("poster.jpg", ContentFile(data), save=False)
    image.save()
    return image


def test_responsive_image_tag_prints_srcset_sizes_dimensions_alt_and_lazy_loading(db, media_root):
    image = stored_image(jpeg((2000, 1000)), alt_text="A glowing disc over a red grid")

    html, img = render_img(
        '{% responsive_image image sizes="(min-width: 60rem) 20rem, 50vw" %}', image=image
    )

    renditions = image.renditions
    assert img["src"] == renditions[-1].url
    assert img["srcset"] == ", ".join(f"{r.url} {r.width}w" for r in renditions)
    assert img["srcset"].endswith(" 1280w")
    assert img["sizes"] == "(min-width: 60rem) 20rem, 50vw"
    assert (img["width"], img["height"]) == ("1280", "640")
    assert img["alt"] == "A glowing disc over a red grid"
    assert img["loading"] == "lazy"
    assert img["decoding"] == "async"
    assert "style" not in img


def test_responsive_image_tag_loads_eagerly_above_the_fold(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster")
    _, img = render_img(
        '{% responsive_image image loading="eager" fetchpriority="high" %}', image=image
    )
    assert (img["loading"], img["fetchpriority"]) == ("eager", "high")


def test_responsive_image_tag_positions_a_crop_at_the_focal_point(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster", focal_x=25, focal_y=80)
    _, img = render_img("{% responsive_image image %}", image=image)
    assert img["style"] == "object-position: 25% 80%"


def test_responsive_image_tag_gives_a_decorative_image_empty_alt(db, media_root):
    # The alt text typed before stays in the row, unused.
    image = stored_image(jpeg(), alt_text="A poster", decorative=True)

    html, img = render_img("{% responsive_image image %}", image=image)

    assert img["alt"] == ""
    assert 'alt=""' in html


def test_responsive_image_tag_takes_alt_as_an_argument_and_escapes_it(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster")
    html, img = render_img(
        '{% responsive_image image alt css_class="poster" %}',
        image=image,
        alt='"Tron" <b>poster</b>',
    )
    assert img["alt"] == '"Tron" <b>poster</b>'
    assert "<b>" not in html
    assert img["class"] == "poster"


def test_responsive_image_tag_prints_nothing_without_an_image():
    html = Template("{% load images %}[{% responsive_image image %}]").render(
        Context({"image": None})
    )
    assert html == "[]"


def test_responsive_image_tag_refuses_what_is_not_an_image(db, poster_model, media_root):
    poster = save_poster(poster_model, jpeg())
    with pytest.raises(TypeError, match="images.Image"):
        render_img("{% responsive_image poster.image %}", poster=poster)


def test_responsive_image_tag_refuses_an_unknown_loading_value(db, media_root):
    image = stored_image(jpeg(), alt_text="A poster")
    with pytest.raises(ValueError, match="loading"):
        render_img('{% responsive_image image loading="soon" %}', image=image)
