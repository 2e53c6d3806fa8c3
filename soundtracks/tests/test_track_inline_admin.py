"""The album's tracks inline and the change form's error summary, as the admin serves them."""

import pytest

from editorial.tests.admin_forms import admin_url, form_data
from soundtracks.models import Soundtrack

pytestmark = pytest.mark.django_db


@pytest.fixture
def album(tron):
    return Soundtrack.objects.get(slug="tron-ares-soundtrack")


def test_the_error_summary_names_each_error_by_inline_row_and_field(editor_client, album):
    url = admin_url(Soundtrack, "change", album.pk)
    data = form_data(editor_client.get(url))
    data.update({"title": "", "tracks-2-duration": "soon", "tracks-4-position": "3"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="#id_title">Title</a>: This field is required.' in page
    assert (
        '<a href="#id_tracks-2-duration">Tracks, row 3, Duration</a>: '
        "Enter a time as m:ss or h:mm:ss, for example 3:15 or 1:02:03."
    ) in page
    assert (
        '<a href="#tracks-4">Tracks, row 5</a>: Another track already has this disc and position.'
    ) in page
    album.refresh_from_db()
    assert album.title  # nothing saved


def test_a_form_without_errors_has_no_summary(editor_client, album):
    page = editor_client.get(admin_url(Soundtrack, "change", album.pk)).content.decode()
    assert "error-summary" not in page.split("</head>")[1]


def test_the_summary_escapes_what_the_editor_typed(editor_client, album):
    url = admin_url(Soundtrack, "change", album.pk)
    data = form_data(editor_client.get(url))
    data["tracks-0-position"] = "<b>x</b>"
    page = editor_client.post(url, data).content.decode()
    assert "Tracks, row 1, Position</a>: Enter a whole number." in page
    assert "<b>x</b>" not in page


def test_every_track_input_is_named_by_its_column_and_row(editor_client, album):
    page = editor_client.get(admin_url(Soundtrack, "change", album.pk)).content.decode()
    assert 'aria-label="Duration, row 3"' in page
    assert 'aria-label="Delete, row 1"' in page
    assert 'aria-label="Title, new row"' in page
    assert "soundtracks/track_inline.js" in page
