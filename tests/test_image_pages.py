"""Images in the product: the four content models' choice of an ``images.Image``, the admin's
choosers, thumbnails and previews, the reader pages' markup and link previews, and the demo.

The pipeline itself (decoding, cleaning, renditions, names) is tested in
``tests/test_image_validation.py`` and ``test_image_renditions.py``, and uploads in
``tests/test_image_uploads.py``; the Image model in ``images/tests``.
(Just over 400 lines: four models times the admin and the reader pages.)
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from editorial.revisions import compare, versions_of
from editorial.tests.admin_forms import admin_url, form_errors, post_change
from editorial.tests.factories import EditorFactory
from editorial.tests.html import parse_html
from films.models import Film, Person
from films.tests.factories import FilmFactory, PersonFactory
from images.models import Image, attach_image
from images.tests.factories import ImageFactory
from reviews import services
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.models import Soundtrack
from soundtracks.tests.factories import SoundtrackFactory
from tests.image_inputs import png, stored_files

pytestmark = pytest.mark.django_db

REVIEW_SLUG = "tron-ares-nine-inch-nails-score-review"

# model: (image field, factory)
IMAGE_FIELDS = {
    Film: ("poster", FilmFactory),
    Person: ("photo", PersonFactory),
    Soundtrack: ("cover", SoundtrackFactory),
    Review: ("hero_image", ReviewFactory),
}
MODELS = list(IMAGE_FIELDS)


def label(model):
    return model._meta.model_name


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def give_image(obj, field, data=None, *, alt="An illustration", name="image.png"):
    """Store a new Image through the pipeline and point ``obj.<field>`` at it, as the demo does."""
    content = ContentFile(data or png((480, 320)))
    attach_image(obj, field, content, name=name, alt=alt, credit="Tests", licence="Own")
    return obj


def showing(html, image):
    """The ``<img>`` elements of ``html`` (parsed) showing ``image`` (an ``images.Image``)."""
    return html.find_all("img", src=image.renditions[-1].url)


def images_on(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return parse_html(response.content.decode())


# The fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_each_content_model_points_at_an_image_that_cannot_be_deleted_while_used(model):
    field = model._meta.get_field(IMAGE_FIELDS[model][0])

    assert field.related_model is Image
    assert field.remote_field.on_delete is models.PROTECT
    assert field.null
    assert field.blank
    assert not [f for f in model._meta.fields if f.name.endswith(("_alt", "_decorative"))]


def test_a_hero_image_without_alt_text_blocks_publishing(media_root):
    editor = EditorFactory()
    review = give_image(
        ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None), "hero_image"
    )
    # Changed by code, past the form's check: the publish check is what stops it.
    Image.objects.filter(pk=review.hero_image_id).update(alt_text="")
    review = Review.objects.get(pk=review.pk)

    with pytest.raises(Exception, match="It still needs alt text for the hero image."):
        services.publish(review, user=editor)
    assert Review.objects.get(pk=review.pk).status == Review.Status.IN_REVIEW

    Image.objects.filter(pk=review.hero_image_id).update(decorative=True)
    review = Review.objects.get(pk=review.pk)
    assert services.publish(review, user=editor)
    assert Review.objects.get(pk=review.pk).is_live


def test_a_films_poster_is_chosen_as_a_reviews_hero_in_the_admin(client, media_root):
    client.force_login(EditorFactory())
    film = give_image(FilmFactory(), "poster", alt="The poster")
    review = ReviewFactory(film=film)
    files = stored_files(media_root)

    response = post_change(client, review, hero_image=str(film.poster_id))

    assert response.status_code == 302, form_errors(response)
    assert Review.objects.get(pk=review.pk).hero_image_id == film.poster_id
    assert Image.objects.count() == 1
    assert stored_files(media_root) == files


def test_reverting_a_review_brings_back_its_earlier_hero_image(client, media_root):
    editor = EditorFactory()
    client.force_login(editor)
    first, second = ImageFactory(size=(1600, 900)), ImageFactory(size=(700, 500))
    review = ReviewFactory()
    post_change(client, review, hero_image=str(first.pk))
    review = Review.objects.get(pk=review.pk)
    post_change(client, review, hero_image=str(second.pk))
    review = Review.objects.get(pk=review.pk)
    assert review.hero_image == second

    [*_, version, _] = versions_of(review)
    services.revert_review(review, version, user=editor)

    assert Review.objects.get(pk=review.pk).hero_image == first


def test_comparing_revisions_names_the_image(client, media_root):
    client.force_login(EditorFactory())
    review = ReviewFactory()
    post_change(client, review, hero_image=str(ImageFactory().pk))
    review = Review.objects.get(pk=review.pk)
    post_change(client, review, hero_image=str(ImageFactory().pk))
    *_, old, new = versions_of(review)

    assert [change.label for change in compare(Review, old, new)] == ["Hero image"]


# The demo illustrations ------------------------------------------------------------------------


def test_demo_images_are_attached_to_every_kind_of_row_with_their_credit(tron_with_images):
    for model, (field_name, _) in IMAGE_FIELDS.items():
        with_image = model.objects.filter(**{f"{field_name}__isnull": False})
        assert with_image.exists(), model
        for obj in with_image:
            image = getattr(obj, field_name)
            assert image.alt_text.startswith("Illustration")
            assert image.credit == "Drawn for the Cuesheet demo"
            assert "Cuesheet project" in image.licence


def test_loading_the_fixtures_again_keeps_the_attached_images(tron_with_images, settings):
    files = stored_files(settings.MEDIA_ROOT)
    poster = Film.objects.get(slug="tron").poster

    call_command("loaddata", "tron", verbosity=0)
    out = io.StringIO()
    call_command("draw_demo_images", "--attach", stdout=out)

    film = Film.objects.get(slug="tron")
    assert film.poster == poster
    assert (film.poster.file.name, film.poster.width) == (poster.file.name, 800)
    assert "attached" not in out.getvalue().replace("kept the image already there", "")
    assert stored_files(settings.MEDIA_ROOT) == files


# The admin -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_changelist_shows_a_thumbnail_with_alt_text(editor_client, media_root, model):
    field_name, factory = IMAGE_FIELDS[model]
    obj = give_image(factory(), field_name, alt="A glowing grid")
    factory()  # and a row without an image

    html = editor_client.get(admin_url(model, "changelist")).content.decode()

    image = getattr(obj, field_name)
    thumbnails = [img.attrs for img in parse_html(html).find_all("img.cuesheet-thumbnail")]
    assert thumbnails == [
        {
            "src": image.thumbnail_url,
            "width": "320",
            "height": "213",
            "alt": "A glowing grid",
            "class": "cuesheet-thumbnail",
            "loading": "lazy",
        }
    ]
    assert "admin/css/images.css" in html


@pytest.mark.parametrize("model", [*MODELS, Image], ids=label)
def test_changelist_with_images_keeps_a_fixed_query_count(editor_client, media_root, model):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(admin_url(model, "changelist")).status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            if model is Image:
                ImageFactory(size=(60, 40))
            else:
                field_name, factory = IMAGE_FIELDS[model]
                give_image(factory(), field_name, png((60, 40)))

    add(3)
    with_3 = queries()
    add(12)
    assert queries() == with_3


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_change_form_previews_the_current_image_beside_its_chooser(
    editor_client, media_root, model
):
    field_name, factory = IMAGE_FIELDS[model]
    obj = give_image(factory(), field_name, png((1200, 800)), alt="A red sun")

    html = editor_client.get(admin_url(model, "change", obj.pk)).content.decode()

    image = getattr(obj, field_name)
    [preview] = parse_html(html).find_all("img.cuesheet-preview-image")
    assert (preview["src"], preview["width"], preview["alt"]) == (
        image.renditions[1].url,
        "640",
        "A red sun",
    )
    assert "1200 × 800 pixels; WebP renditions 320, 640, 960, 1200 pixels wide." in html
    assert "Credit: Tests; licence: Own." in html
    assert f'href="{image.url}"' in html
    assert "admin-autocomplete" in html


def test_change_form_without_an_image_says_so(editor_client):
    film = FilmFactory()
    html = editor_client.get(admin_url(Film, "change", film.pk)).content.decode()
    assert "No image chosen yet." in html


def test_the_image_library_lists_thumbnails_and_what_uses_each(editor_client, media_root):
    film = give_image(FilmFactory(title="Tron"), "poster", alt="A light cycle")
    image = film.poster

    listing = parse_html(editor_client.get(admin_url(Image, "changelist")).content.decode())
    [thumb] = listing.find_all("img.cuesheet-thumbnail")
    assert thumb["src"] == image.thumbnail_url

    form = editor_client.get(admin_url(Image, "change", image.pk)).content.decode()
    assert admin_url(Film, "change", film.pk) in form


def test_an_image_choice_that_does_not_exist_is_a_form_error(editor_client):
    review = ReviewFactory()
    response = post_change(editor_client, review, hero_image="999999")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"]


# Reader pages ----------------------------------------------------------------------------------

TRON_PAGES = {
    "home": "/",
    "review archive": "/reviews/",
    "review": f"/reviews/{REVIEW_SLUG}/",
    "film list": "/films/",
    "film": "/films/tron-ares/",
    "soundtrack": "/soundtracks/tron-ares-soundtrack/",
    "person": "/people/trent-reznor/",
    "group": "/people/nine-inch-nails/",
    "franchise": "/franchises/tron/",
    "search": "/search/?q=tron",
    "tag": "/tags/tron/",
    "author": "/authors/cuesheet-staff/",
}


def image_of(model, slug):
    return getattr(model.objects.get(slug=slug), IMAGE_FIELDS[model][0])


# page: (the image shown first and most prominently, whether it is above the fold)
LEAD_IMAGES = {
    "review": (Review, REVIEW_SLUG, True),
    "home": (Review, REVIEW_SLUG, True),
    "film": (Film, "tron-ares", True),
    "soundtrack": (Soundtrack, "tron-ares-soundtrack", True),
    "person": (Person, "trent-reznor", True),
    "group": (Person, "nine-inch-nails", True),
    "film list": (Film, "tron", False),
    "franchise": (Film, "tron-legacy", False),
    "review archive": (Film, "tron-ares", False),
}


@pytest.mark.parametrize("page", LEAD_IMAGES)
def test_reader_pages_show_images_with_srcset_sizes_width_height_and_alt(
    client, tron_with_images, page
):
    model, slug, above_the_fold = LEAD_IMAGES[page]
    image = image_of(model, slug)

    [img, *_] = showing(images_on(client, TRON_PAGES[page]), image)

    renditions = image.renditions
    assert img["srcset"] == ", ".join(f"{r.url} {r.width}w" for r in renditions)
    assert img["sizes"]
    assert (img["width"], img["height"]) == (str(renditions[-1].width), str(renditions[-1].height))
    if above_the_fold:
        assert (img["loading"], img["fetchpriority"]) == ("eager", "high")
        assert img["alt"] == image.alt_text
        assert img["alt"].startswith("Illustration")
    else:
        # Beside the title it illustrates, a thumbnail says nothing more: screen readers skip it.
        assert (img["loading"], img["alt"]) == ("lazy", "")
        assert "fetchpriority" not in img


@pytest.mark.parametrize("path", TRON_PAGES.values(), ids=TRON_PAGES.keys())
def test_every_image_on_a_reader_page_keeps_its_place_and_has_alt(
    client, tron_with_images, settings, path
):
    images = [img.attrs for img in images_on(client, path).find_all("img")]

    for img in images:
        assert {"src", "srcset", "sizes", "width", "height", "alt", "loading"} <= set(img), img
        assert img["src"].startswith(settings.MEDIA_URL)
    assert len([img for img in images if img.get("fetchpriority") == "high"]) <= 1


def test_the_lists_show_each_films_poster_and_each_albums_cover(client, tron_with_images):
    films = images_on(client, "/films/")
    for slug in ("tron", "tron-legacy", "tron-ares"):
        assert showing(films, image_of(Film, slug))

    album = image_of(Soundtrack, "tron-ares-soundtrack")
    assert showing(images_on(client, "/films/tron-ares/"), album)
    # His albums are the band's.
    assert showing(images_on(client, "/people/trent-reznor/"), album) == []
    assert showing(images_on(client, "/people/nine-inch-nails/"), album)
    assert showing(images_on(client, f"/reviews/{REVIEW_SLUG}/"), album)
    [focus] = showing(images_on(client, "/"), album)
    assert focus["loading"] == "eager"


def test_a_page_without_an_image_keeps_its_placeholder(client, tron_with_images):
    html = client.get("/films/tron-ares/").content.decode()
    assert "poster-placeholder" not in html

    poster = image_of(Film, "tron-ares")
    Film.objects.filter(slug="tron-ares").update(poster=None)
    Soundtrack.objects.filter(slug="tron-ares-soundtrack").update(cover=None)
    Person.objects.filter(slug="trent-reznor").update(photo=None)

    film = client.get("/films/tron-ares/").content.decode()
    assert 'class="poster-placeholder"' in film
    assert poster.renditions[-1].url not in film
    assert 'class="poster-placeholder cover-placeholder"' in (
        client.get("/soundtracks/tron-ares-soundtrack/").content.decode()
    )
    assert 'class="poster-placeholder portrait-placeholder"' in (
        client.get("/people/trent-reznor/").content.decode()
    )


@pytest.mark.parametrize(
    ("path", "model", "slug", "card"),
    [
        (f"/reviews/{REVIEW_SLUG}/", Review, REVIEW_SLUG, "summary_large_image"),
        ("/films/tron-ares/", Film, "tron-ares", "summary"),
        ("/soundtracks/tron-ares-soundtrack/", Soundtrack, "tron-ares-soundtrack", "summary"),
        ("/people/trent-reznor/", Person, "trent-reznor", "summary"),
    ],
)
def test_link_previews_and_structured_data_carry_the_image(
    client, tron_with_images, path, model, slug, card
):
    image = image_of(model, slug)
    widest = image.renditions[-1]
    response = client.get(path)
    html = response.content.decode()
    meta = parse_html(html).meta

    url = f"http://testserver{widest.url}"
    assert meta["og:image"] == url
    assert meta["og:image:type"] == "image/webp"
    assert (meta["og:image:width"], meta["og:image:height"]) == (
        str(widest.width),
        str(widest.height),
    )
    assert meta["og:image:alt"].startswith("Illustration")
    assert f'<meta name="twitter:card" content="{card}">' in html
    structured = [data for data in response.context["structured_data"] if "image" in data]
    assert [data["image"] for data in structured] == [url]


def test_a_review_without_a_hero_image_previews_its_films_poster(client, tron_with_images):
    Review.objects.filter(slug=REVIEW_SLUG).update(hero_image=None)
    poster = image_of(Film, "tron-ares")

    response = client.get(f"/reviews/{REVIEW_SLUG}/")

    meta = parse_html(response.content.decode()).meta
    assert meta["og:image"].endswith(poster.renditions[-1].url)
    [review_data] = [d for d in response.context["structured_data"] if "Review" in d["@type"]]
    # The article's image is the poster too, and so is its film's.
    assert review_data["image"].endswith(poster.renditions[-1].url)
    assert review_data["about"]["image"].endswith(poster.renditions[-1].url)


def test_pages_without_an_image_have_no_og_image(client, tron_with_images):
    html = client.get("/films/").content.decode()
    assert "og:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html


@pytest.mark.parametrize("path", TRON_PAGES.values(), ids=TRON_PAGES.keys())
def test_images_add_no_queries_to_a_page(client, tron_with_images, path):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    with_images = queries()
    for model, (field_name, _) in IMAGE_FIELDS.items():
        model.objects.update(**{field_name: None})

    assert queries() == with_images
