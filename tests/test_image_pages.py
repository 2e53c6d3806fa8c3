"""Images in the product: the four content models' fields, the admin's forms, thumbnails and
previews, the reader pages' markup and link previews, and the demo illustrations.

The pipeline itself (decoding, cleaning, renditions, names) is tested on a model of its own in
``tests/test_images.py``; these tests go through the real models, admin and pages.
"""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import ExifTags, Image

from editorial.revisions import compare, stored_fields, versions_of
from editorial.tests.admin_forms import admin_url, form_data, form_errors, post_change
from editorial.tests.factories import EditorFactory
from editorial.tests.html import parse_html
from films.models import Film, Person
from films.tests.factories import FilmFactory, PersonFactory
from images.fields import CleanImageField, attach_image
from reviews import services
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from soundtracks.models import Soundtrack
from soundtracks.tests.factories import SoundtrackFactory
from tests.test_images import BAD_UPLOADS, encode, jpeg, picture, png, stored_files

pytestmark = [
    pytest.mark.django_db,
    # The 100-megapixel bad upload also trips Pillow's own, far higher, alarm: expected here.
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]

REVIEW_SLUG = "tron-ares-nine-inch-nails-score-review"

# model: (image field, upload folder, factory)
IMAGE_FIELDS = {
    Film: ("poster", "posters", FilmFactory),
    Person: ("photo", "people", PersonFactory),
    Soundtrack: ("cover", "covers", SoundtrackFactory),
    Review: ("hero_image", "heroes", ReviewFactory),
}
MODELS = list(IMAGE_FIELDS)


def label(model):
    return model._meta.model_name


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def give_image(obj, field, data=None, *, alt="An illustration", name="image.png"):
    """Store an image on ``obj`` through the pipeline, as the demo command does."""
    attach_image(obj, field, ContentFile(data or png((480, 320))), name=name, alt=alt)
    return obj


def upload(data, name="upload.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def showing(html, image):
    """The ``<img>`` elements of ``html`` (parsed) showing ``image`` (an image field's file)."""
    return html.find_all("img", src=image.renditions[-1].url)


def images_on(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return parse_html(response.content.decode())


# The fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_each_content_model_has_a_checked_image_with_alt_text(model):
    field_name, folder, _ = IMAGE_FIELDS[model]
    field = model._meta.get_field(field_name)

    assert isinstance(field, CleanImageField)
    assert field.upload_to == f"{folder}/"
    assert field.blank
    assert model._meta.get_field(f"{field_name}_alt").max_length == 300
    assert model._meta.get_field(f"{field_name}_decorative").default is False
    assert field.check() == []


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_alt_text_is_required_unless_the_image_is_decorative(media_root, model):
    field_name, folder, factory = IMAGE_FIELDS[model]
    obj = give_image(factory(), field_name)
    assert getattr(obj, field_name).name.startswith(f"{folder}/")

    setattr(obj, f"{field_name}_alt", " ")
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    assert raised.value.error_dict[f"{field_name}_alt"][0].code == "alt_required"

    setattr(obj, f"{field_name}_decorative", True)
    obj.full_clean()


def test_review_clean_reports_the_alt_text_with_its_other_problems(media_root):
    review = give_image(ReviewFactory(), "hero_image")
    review.hero_image_alt = ""
    review.body = "[Nowhere](track:no-such-album/1)"

    with pytest.raises(ValidationError) as raised:
        review.full_clean()

    assert set(raised.value.error_dict) == {"body", "hero_image_alt"}


def test_a_hero_image_without_alt_text_blocks_publishing(media_root):
    editor = EditorFactory()
    review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None)
    # Stored by code, past the form's check: the publish check is what stops it.
    review.hero_image.save("hero.png", ContentFile(png((800, 450))), save=True)

    with pytest.raises(ValidationError, match="It still needs alt text for the hero image."):
        services.publish(review, user=editor)
    assert Review.objects.get(pk=review.pk).status == Review.Status.IN_REVIEW

    review.hero_image_decorative = True
    assert services.publish(review, user=editor)
    assert Review.objects.get(pk=review.pk).is_live


def test_publishing_in_the_admin_asks_for_the_hero_images_alt_text(client, media_root):
    editor = EditorFactory()
    client.force_login(editor)
    review = ReviewFactory(status=Review.Status.IN_REVIEW, publish_at=None)
    review.hero_image.save("hero.png", ContentFile(png((800, 450))), save=True)

    response = post_change(client, review, status=Review.Status.PUBLISHED)

    assert response.status_code == 200
    assert "It still needs alt text for the hero image." in response.content.decode()
    assert response.context["adminform"].form.errors["hero_image_alt"]
    assert Review.objects.get(pk=review.pk).status == Review.Status.IN_REVIEW


def test_reverting_a_review_brings_back_its_earlier_hero_image_and_size(client, media_root):
    editor = EditorFactory()
    client.force_login(editor)
    review = ReviewFactory()
    post_change(client, review, hero_image=upload(jpeg((1600, 900))), hero_image_alt="First")
    first = Review.objects.get(pk=review.pk)
    post_change(client, first, hero_image=upload(jpeg((700, 500))), hero_image_alt="Second")
    second = Review.objects.get(pk=review.pk)
    assert (second.hero_image_width, second.hero_image_alt) == (700, "Second")

    [version] = [v for v in versions_of(review) if stored_fields(v)["hero_image_alt"] == "First"]
    services.revert_review(second, version, user=editor)

    reverted = Review.objects.get(pk=review.pk)
    assert reverted.hero_image.name == first.hero_image.name
    assert (reverted.hero_image_width, reverted.hero_image_height) == (1600, 900)
    assert reverted.hero_image_alt == "First"
    for rendition in reverted.hero_image.renditions:
        assert (media_root / rendition.name).is_file()


def test_comparing_revisions_names_the_image_not_its_size(client, media_root):
    editor = EditorFactory()
    client.force_login(editor)
    review = ReviewFactory()
    post_change(client, review, hero_image=upload(jpeg((800, 450))), hero_image_alt="A hero")
    review = Review.objects.get(pk=review.pk)
    post_change(client, review, hero_image=upload(jpeg((600, 400))), hero_image_alt="Another")
    *_, old, new = versions_of(review)

    changes = compare(Review, old, new)

    assert [change.label for change in changes] == ["Hero image", "Hero image alt text"]


# The demo illustrations ------------------------------------------------------------------------


def test_demo_images_are_attached_to_every_kind_of_row(tron_with_images):
    for model, (field_name, folder, _) in IMAGE_FIELDS.items():
        with_image = model.objects.exclude(**{field_name: ""})
        assert with_image.exists(), model
        for obj in with_image:
            assert getattr(obj, field_name).name.startswith(f"{folder}/")
            assert getattr(obj, f"{field_name}_alt").startswith("Illustration")


def test_loading_the_fixtures_again_keeps_the_attached_images(tron_with_images, settings):
    files = stored_files(settings.MEDIA_ROOT)
    poster = Film.objects.get(slug="tron").poster.name

    call_command("loaddata", "tron", verbosity=0)
    out = io.StringIO()
    call_command("draw_demo_images", "--attach", stdout=out)

    film = Film.objects.get(slug="tron")
    assert (film.poster.name, film.poster_width) == (poster, 800)
    assert film.poster_alt.startswith("Illustration")
    assert "attached" not in out.getvalue().replace("kept the image already there", "")
    assert stored_files(settings.MEDIA_ROOT) == files


def test_a_fixture_row_with_its_own_image_replaces_the_stored_one(tron_with_images, tmp_path):
    fixture = tmp_path / "film.json"
    fixture.write_text(
        '[{"model": "films.film", "fields": {"slug": "tron", "title": "Tron",'
        ' "poster": "posters/other.png", "poster_width": 10, "poster_height": 15,'
        ' "poster_alt": "Other"}}]'
    )

    call_command("loaddata", str(fixture), verbosity=0)

    film = Film.objects.get(slug="tron")
    assert (film.poster.name, film.poster_width, film.poster_alt) == (
        "posters/other.png",
        10,
        "Other",
    )


# The admin: uploads ----------------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def add_form_data(client, model):
    """What the add form posts for a new, valid row of ``model``, without an image."""
    data = form_data(client.get(admin_url(model, "add")))
    data.update({"title": "New", "name": "New", "headline": "New", "slug": "new-row"})
    if model is Soundtrack:
        data.update({"film": str(FilmFactory().pk), "artist_credit": "Someone"})
    return data


def image_field_changes(model, data, **alt):
    field_name = IMAGE_FIELDS[model][0]
    return {field_name: data, f"{field_name}_alt": alt.get("alt", "An illustration")}


BAD_CASES = ["svg renamed .jpg", "truncated jpeg", "10000 × 10000 png of a few KiB"]


@pytest.mark.parametrize("case", BAD_UPLOADS)
@pytest.mark.parametrize("model", MODELS, ids=label)
def test_a_bad_upload_to_the_change_form_is_a_form_error_and_changes_nothing(
    editor_client, media_root, model, case
):
    field_name, _, factory = IMAGE_FIELDS[model]
    obj = give_image(factory(), field_name, alt="Before")
    files = stored_files(media_root)
    data, code = BAD_UPLOADS[case]

    response = post_change(
        editor_client, obj, **image_field_changes(model, upload(data), alt="After")
    )

    assert response.status_code == 200, "the form should be shown again"
    errors = response.context["adminform"].form.errors.as_data()
    assert errors[field_name][0].code == code
    assert stored_files(media_root) == files
    stored = model.objects.get(pk=obj.pk)
    assert getattr(stored, field_name).name == getattr(obj, field_name).name
    assert getattr(stored, f"{field_name}_alt") == "Before"


@pytest.mark.parametrize("case", BAD_CASES)
@pytest.mark.parametrize("model", MODELS, ids=label)
def test_a_bad_upload_to_the_add_form_is_a_form_error_and_adds_nothing(
    editor_client, media_root, model, case
):
    field_name = IMAGE_FIELDS[model][0]
    rows = model.objects.count()
    data = add_form_data(editor_client, model)
    data.update(image_field_changes(model, upload(BAD_UPLOADS[case][0])))

    response = editor_client.post(admin_url(model, "add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert errors[field_name][0].code == BAD_UPLOADS[case][1]
    assert model.objects.count() == rows
    assert stored_files(media_root) == []


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_the_admin_form_needs_alt_text_unless_the_image_is_decorative(
    editor_client, media_root, model
):
    field_name = IMAGE_FIELDS[model][0]
    data = add_form_data(editor_client, model)
    data.update(image_field_changes(model, upload(jpeg()), alt=""))

    refused = editor_client.post(admin_url(model, "add"), data)

    assert refused.status_code == 200
    assert "mark it decorative" in str(refused.context["adminform"].form.errors)
    assert not model.objects.filter(slug="new-row").exists()
    assert stored_files(media_root) == []

    data.update(image_field_changes(model, upload(jpeg()), alt=""))
    data[f"{field_name}_decorative"] = "on"
    accepted = editor_client.post(admin_url(model, "add"), data)

    assert accepted.status_code == 302, form_errors(accepted)
    obj = model.objects.get(slug="new-row")
    assert getattr(obj, f"{field_name}_decorative")
    assert getattr(obj, field_name)


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_an_admin_upload_is_stored_with_renditions_at_the_configured_widths(
    editor_client, media_root, model
):
    field_name, folder, factory = IMAGE_FIELDS[model]
    obj = factory()

    response = post_change(
        editor_client, obj, **image_field_changes(model, upload(jpeg((1500, 1000))))
    )

    assert response.status_code == 302, form_errors(response)
    image = getattr(model.objects.get(pk=obj.pk), field_name)
    assert re.fullmatch(rf"{folder}/upload-[0-9a-f]{{16}}\.jpg", image.name)
    assert (image.width, image.height) == (1500, 1000)
    widths = []
    for rendition in image.renditions:
        with Image.open(media_root / rendition.name) as stored:
            assert stored.format == "WEBP"
            widths.append(stored.size)
    assert widths == [(320, 213), (640, 427), (960, 640), (1280, 853)]


def test_a_jpeg_uploaded_through_the_admin_is_stored_without_exif_or_gps(editor_client, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    data = encode(picture((900, 600)), "JPEG", exif=exif)
    with Image.open(io.BytesIO(data)) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    person = PersonFactory()

    response = post_change(editor_client, person, photo=upload(data), photo_alt="A portrait")

    assert response.status_code == 302, form_errors(response)
    stored = (media_root / Person.objects.get(pk=person.pk).photo.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"SpyCam" not in stored
    assert b"Exif" not in stored


# The admin: thumbnails and previews ------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_changelist_shows_a_thumbnail_with_alt_text(editor_client, media_root, model):
    field_name, _, factory = IMAGE_FIELDS[model]
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


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_changelist_with_images_keeps_a_fixed_query_count(editor_client, media_root, model):
    field_name, _, factory = IMAGE_FIELDS[model]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(admin_url(model, "changelist")).status_code == 200
        return len(captured)

    for _ in range(3):
        give_image(factory(), field_name, png((60, 40)))
    with_3 = queries()
    for _ in range(12):
        give_image(factory(), field_name, png((60, 40)))
    assert queries() == with_3


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_change_form_previews_the_current_image(editor_client, media_root, model):
    field_name, _, factory = IMAGE_FIELDS[model]
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
    assert f'href="{image.url}"' in html


def test_change_form_without_an_image_says_so(editor_client):
    film = FilmFactory()
    html = editor_client.get(admin_url(Film, "change", film.pk)).content.decode()
    assert "No image yet. Upload one below." in html


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
    field_name = IMAGE_FIELDS[model][0]
    return getattr(model.objects.get(slug=slug), field_name)


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
        assert img["alt"] == getattr(image.instance, f"{image.field.name}_alt")
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

    Film.objects.filter(slug="tron-ares").update(poster="")
    Soundtrack.objects.filter(slug="tron-ares-soundtrack").update(cover="")
    Person.objects.filter(slug="trent-reznor").update(photo="")

    film = client.get("/films/tron-ares/").content.decode()
    assert 'class="poster-placeholder"' in film
    assert "/media/posters/" not in film
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
    Review.objects.filter(slug=REVIEW_SLUG).update(hero_image="")
    poster = image_of(Film, "tron-ares")

    response = client.get(f"/reviews/{REVIEW_SLUG}/")

    meta = parse_html(response.content.decode()).meta
    assert meta["og:image"].endswith(poster.renditions[-1].url)
    [review_data] = [d for d in response.context["structured_data"] if d["@type"] == "Review"]
    assert "image" not in review_data
    assert review_data["itemReviewed"]["image"].endswith(poster.renditions[-1].url)


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
    for model, (field_name, _, _) in IMAGE_FIELDS.items():
        model.objects.update(**{field_name: ""})

    assert queries() == with_images
