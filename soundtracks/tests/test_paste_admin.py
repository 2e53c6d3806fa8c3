"""Pasting a cue sheet into a film and a tracklist into an album, and exporting a cue sheet, in the
admin (soundtracks/admin_paste.py): preview, save, what is refused, who may, and what it costs."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from editorial.revisions import versions_of
from editorial.tests.factories import EditorFactory, UserFactory, WriterFactory
from films.models import Credit
from films.tests.factories import CreditFactory, FilmFactory, PersonFactory
from soundtracks import pasting
from soundtracks.models import Cue
from soundtracks.tests.factories import CueFactory, SoundtrackFactory, TrackFactory

pytestmark = pytest.mark.django_db

HEADER = "Cue #\tTitle\tComposer(s)\tUsage\tIn\tOut\tDuration"
THREE = "\n".join(
    [
        HEADER,
        "1M01\tInit\t\tMain Title\t0:00\t3:15\t",
        "1M02\tThe Escape\tTrent Reznor; Atticus Ross\tBI\t45:10\t\t2:30",
        "1M03\tLive Forever\tBrian May\tVV\t1:50:00\t1:52:10\t",
    ]
)


def paste_url(film):
    return reverse("admin:films_film_paste_cue_sheet", args=[film.pk])


def export_url(film):
    return reverse("admin:films_film_export_cue_sheet", args=[film.pk])


def tracklist_url(album):
    return reverse("admin:soundtracks_soundtrack_paste_tracklist", args=[album.pk])


@pytest.fixture
def film():
    film = FilmFactory(title="Tron: Ares", slug="tron-ares", runtime=119)
    nin = PersonFactory(name="Nine Inch Nails", slug="nine-inch-nails")
    CreditFactory(film=film, person=nin, role=Credit.Role.COMPOSER)
    for name, slug in (("Trent Reznor", "trent-reznor"), ("Atticus Ross", "atticus-ross")):
        PersonFactory(name=name, slug=slug)
    PersonFactory(name="Brian May", slug="brian-may")
    return film


def preview(client, film, text, **extra):
    return client.post(paste_url(film), {"text": text, "known_from": "cue_sheet", **extra})


def save(client, film, text, **extra):
    """Preview, then save what was previewed, as the page's buttons do."""
    response = preview(client, film, text, **extra)
    previewed = response.context["form"].data.get("previewed", "")
    return client.post(
        paste_url(film),
        {"text": text, "known_from": "cue_sheet", "previewed": previewed, "save": "1", **extra},
    )


def errors_of(response):
    form = response.context["form"]
    return [*form.errors.get("text", []), *form.non_field_errors(), *form.row_errors]


# The cue sheet -------------------------------------------------------------------------------


def test_the_film_page_links_to_the_paste_and_the_export(editor_client, film):
    page = editor_client.get(reverse("admin:films_film_change", args=[film.pk])).content.decode()
    assert f'href="{paste_url(film)}">Paste a cue sheet<' in page
    assert f'href="{export_url(film)}">Export the cue sheet (CSV)<' in page


def test_the_paste_page_has_breadcrumbs_and_an_empty_box(editor_client, film):
    response = editor_client.get(paste_url(film))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<ol class="breadcrumbs">' in page
    assert '<li aria-current="page">Paste a cue sheet</li>' in page
    assert "<textarea" in page
    assert 'name="save"' not in page


def test_a_preview_shows_each_row_as_saved_and_saves_nothing(editor_client, film):
    response = preview(editor_client, film, THREE)
    assert response.status_code == 200
    assert errors_of(response) == []
    rows = response.context["rows"]
    assert [row["number"] for row in rows] == [2, 3, 4]
    labels = response.context["column_labels"]
    first = dict(zip(labels, rows[0]["cells"], strict=True))
    assert first == {
        "Cue": "1M01",
        "Title": "Init",
        "Composers": "Nine Inch Nails",
        "Usage": "Main title",
        "In": "0:00",
        "Out": "3:15",
        "Length": "3:15",
    }
    second = dict(zip(labels, rows[1]["cells"], strict=True))
    assert second["Composers"] == "Trent Reznor, Atticus Ross"
    assert second["Out"] == "47:40"
    assert 'name="save"' in response.content.decode()
    assert not Cue.objects.exists()


def test_saving_appends_the_cues_after_the_films_own(editor_client, editor, film):
    CueFactory(film=film, order=4, title="Already there", slug="init")
    response = save(editor_client, film, THREE)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:films_film_change", args=[film.pk])
    cues = list(film.cues.in_film_order())
    assert [(cue.order, cue.code, cue.title) for cue in cues] == [
        (4, "", "Already there"),
        (5, "1M01", "Init"),
        (6, "1M02", "The Escape"),
        (7, "1M03", "Live Forever"),
    ]
    init, escape, forever = cues[1:]
    assert (init.start, init.end, init.usage) == (0, 195, Cue.Usage.MAIN_TITLE)
    assert (escape.start, escape.end) == (45 * 60 + 10, 47 * 60 + 40)
    assert (forever.start, forever.end, forever.usage) == (6600, 6730, Cue.Usage.VISUAL_VOCAL)
    assert [person.slug for person in init.composers.all()] == ["nine-inch-nails"]
    assert sorted(person.slug for person in escape.composers.all()) == [
        "atticus-ross",
        "trent-reznor",
    ]
    assert [cue.slug for cue in cues] == ["init", "1m01", "1m02", "1m03"]
    for cue in cues[1:]:
        assert (cue.created_by, cue.updated_by) == (editor, editor)
        assert cue.created_at is not None
        assert cue.known_from == Cue.Source.CUE_SHEET
        assert cue.lock_version == 1
        assert versions_of(cue).get().revision.get_comment() == "Pasted 3 cues from a cue sheet."
    assert versions_of(film).last().revision.get_comment() == "Pasted 3 cues from a cue sheet."
    assert versions_of(film).last().revision.user == editor
    entry = LogEntry.objects.get(object_id=str(film.pk))
    assert entry.get_change_message() == "Pasted 3 cues from a cue sheet."


def test_slugs_from_titles_are_made_unique(editor_client, film):
    CueFactory(film=film, title="Theme", slug="theme")
    save(editor_client, film, "Title\nTheme\nTheme\nTheme")
    slugs = sorted(film.cues.values_list("slug", flat=True))
    assert slugs == ["theme", "theme-2", "theme-3", "theme-4"]


def test_a_saved_cue_is_in_the_films_cue_inline(editor_client, film):
    save(editor_client, film, THREE)
    page = editor_client.get(reverse("admin:films_film_change", args=[film.pk])).content.decode()
    assert 'value="The Escape"' in page
    assert 'value="47:40"' in page


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("1M09\tBad time\t\tBI\t1:75\t\t", "Row 2, In: Seconds must be 00–59; '1:75' has 75."),
        ("1M09\tNobody's\tJohn Doe\tBI\t\t\t", "Row 2, Composer(s): no person or group is"),
        ("1M09\tLate\t\tBI\t\t2:01:00\t", "Row 2, Out: out at 2:01:00 is after the end of"),
        ("1M09\tBackwards\t\tBI\t5:00\t4:00\t", "Row 2, Out: out at 4:00 is not after in at 5:00."),
        ("1M09\tOdd use\t\tZZ\t\t\t", "Row 2, Usage: “ZZ” is not a usage"),
        ("1M09\t\t\tBI\t\t\t", "Row 2, Title: every cue needs a title."),
        ("1M09\t=HYPERLINK(\"x\")\t\tBI\t\t\t", "Row 2, Title: “=HYPERLINK(\"x\")” looks like a"),
        ("1M09\t" + "x" * 301 + "\t\tBI\t\t\t", "Row 2, Title: 301 characters; at most 300."),
        ("1M0000000000000000009\tLong\t\tBI\t\t\t", "Row 2, Cue #: 21 characters; at most 20."),
        ("1M09\tShort row", "Row 2: it has 2 cells; the header row has 7."),
        ("1M09\tLong row\t\tBI\t\t\t\t\tsurplus", "Row 2: it has 9 cells; the header row has 7."),
        ("1M09\tZero\t\tBI\t1:00\t\t0:00", "Row 2, Duration: a cue lasts longer than 0:00."),
        ("1M09\tMismatch\t\tBI\t1:00\t2:00\t0:30", "Row 2, Duration: 0:30, but from 1:00 to 2"),
        ("1M09\tHuge\t\tBI\t99999999:00\t\t", "Row 2, In: “99999999:00” is longer than any film"),
        ("1M09\tHuger\t\tBI\t" + "9" * 5000 + ":00\t\t", "Row 2, In: 5,003 characters; at most"),
        ("1M09\tWrong type\t\tBI\tsoon\t\t", "Row 2, In: Enter a time as m:ss or h:mm:ss"),
    ],
)  # fmt: skip
def test_each_kind_of_bad_row_is_named_by_row_and_column_and_nothing_is_saved(
    editor_client, film, row, error
):
    response = save(editor_client, film, f"{HEADER}\n{row}")
    assert response.status_code == 200
    assert any(message.startswith(error) for message in errors_of(response)), errors_of(response)
    assert "Nothing is saved until every row is valid." in response.content.decode()
    assert 'name="save"' not in response.content.decode()
    assert not Cue.objects.exists()


def test_one_bad_row_keeps_every_row_out(editor_client, film):
    response = save(editor_client, film, THREE + "\n1M04\tBad\t\tBI\t1:75\t\t")
    assert errors_of(response)[0].startswith("1 of 4 rows has an error (row 5)")
    assert not Cue.objects.exists()


def test_a_cue_code_twice_in_the_paste_or_already_on_the_film_is_refused(editor_client, film):
    CueFactory(film=film, code="1M05", title="The Grid", slug="the-grid")
    text = f"{HEADER}\n1M05\tAgain\t\t\t\t\t\n1m07\tA\t\t\t\t\t\n1M07\tB\t\t\t\t\t"
    messages = errors_of(save(editor_client, film, text))
    assert "Row 2, Cue #: 1M05 is already a cue of this film (“The Grid”)." in messages
    assert "Row 4, Cue #: 1M07 is also the cue code of row 3." in messages
    assert film.cues.count() == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This field is required."),
        ("   \n\t\n", "The paste is empty"),
        (HEADER, "The paste has only a header row"),
        ("1M01\tInit\t3:15", "The first row must name the columns, with one called Title"),
        ("Title\x00\nInit", "The paste holds a NUL character"),
        ("Title,In\n\"Init,3:15\n", "Row 2: a quoted cell is never closed"),
        ('Title,In\n"Init"x,3:15\n', "Row 2: the quotes cannot be read"),
        ("Title\tName\nInit\tInit", "Columns 1 (“Title”) and 2 (“Name”) both hold the title"),
        ("Title\n" + "x" * pasting.MAX_PASTE_CHARS, "The paste is 1,000,006 characters; at most"),
        ("Title\n" + "Cue\n" * 10_000, "The paste has more than 2,000 rows"),
        ('"' * 500_001, "Row 1: a cell is far too long"),
        ("Title\n" + '"' + "x" * 200_000 + '"', "Row 2: a cell is far too long"),
    ],
)  # fmt: skip
def test_a_paste_that_is_not_a_table_is_one_clear_error(editor_client, film, text, error):
    response = save(editor_client, film, text)
    assert response.status_code == 200
    assert any(message.startswith(error) for message in errors_of(response)), errors_of(response)
    assert not Cue.objects.exists()


def test_the_row_limit_stops_reading_before_the_rest_of_the_paste(editor_client, film):
    """A 10,000-row paste is refused at row 2,002: an unclosed quote at row 5,000 is never read."""
    rows = ["Cue"] * 10_000
    rows[5_000] = '"never closed'
    messages = errors_of(preview(editor_client, film, "Title\n" + "\n".join(rows)))
    assert messages == ["The paste has more than 2,000 rows; paste at most 2,000 at a time."]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("known_from", "zzz", "Select a valid choice."),
        ("source_detail", "x" * 301, "Ensure this value has at most 300 characters"),
    ],
)
def test_the_other_fields_refuse_what_they_cannot_hold(editor_client, film, field, value, error):
    response = save(editor_client, film, THREE, **{field: value})
    assert any(message.startswith(error) for message in response.context["form"].errors[field])
    assert not Cue.objects.exists()


def test_saving_checks_the_text_again_and_refuses_what_changed_since(editor_client, film):
    response = preview(editor_client, film, THREE)
    previewed = response.context["form"].data["previewed"]
    CueFactory(film=film, code="1M02", title="Someone else's", slug="someone")
    response = editor_client.post(
        paste_url(film), {"text": THREE, "previewed": previewed, "save": "1", "known_from": ""}
    )
    assert "Row 3, Cue #: 1M02 is already a cue of this film (“Someone else's”)." in errors_of(
        response
    )
    assert film.cues.count() == 1


def test_a_text_changed_after_its_preview_is_previewed_again_not_saved(editor_client, film):
    response = preview(editor_client, film, THREE)
    previewed = response.context["form"].data["previewed"]
    changed = THREE + "\n1M04\tSneaked in\t\tBI\t\t\t"
    response = editor_client.post(
        paste_url(film), {"text": changed, "previewed": previewed, "save": "1", "known_from": ""}
    )
    assert response.status_code == 200
    assert "The text changed since its preview" in response.content.decode()
    assert not Cue.objects.exists()
    assert len(response.context["rows"]) == 4


def test_a_forged_previewed_value_saves_nothing_it_did_not_check(editor_client, film):
    bad = f"{HEADER}\n1M01\tBad\t\tBI\t1:75\t\t"
    response = editor_client.post(
        paste_url(film),
        {"text": bad, "previewed": pasting_digest(bad), "save": "1", "known_from": ""},
    )
    assert response.status_code == 200
    assert not Cue.objects.exists()


def pasting_digest(text):
    from soundtracks.admin_paste import digest

    return digest(text)


def test_csv_with_labels_and_other_columns_is_read(editor_client, film):
    text = (
        "CUE NO.,TITLE,COMPOSER/WRITER,PUBLISHER,USE,START,LENGTH,SCENE,SPOILER\r\n"
        '1M01,"Init, Part 1",Nine Inch Nails,Sony,Background Vocal,0:10,1:00,'
        '"Opening, credits",no\r\n'
        "1M02,Derez,,Sony,visual instrumental,1:10:00,0:45,Ares dies,yes\r\n"
    )
    response = save(editor_client, film, text)
    assert response.status_code == 302, errors_of(response)
    init, derez = film.cues.in_film_order()
    assert (init.title, init.usage, init.start, init.end) == ("Init, Part 1", "bv", 10, 70)
    assert (init.scene, init.scene_is_spoiler) == ("Opening, credits", False)
    assert (derez.usage, derez.end, derez.scene_is_spoiler) == ("vi", 4245, True)


def test_the_preview_names_the_columns_it_does_not_read(editor_client, film):
    response = preview(editor_client, film, "Title\tPublisher\tPRO\nInit\tSony\tASCAP")
    assert response.context["ignored"] == ["Publisher", "PRO"]
    assert "Not read: the columns “Publisher”, “PRO”." in response.content.decode()


# Export --------------------------------------------------------------------------------------


def test_the_export_is_a_csv_attachment_in_the_paste_columns(editor_client, film):
    save(editor_client, film, THREE)
    response = editor_client.get(export_url(film))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tron-ares-cue-sheet.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(pasting.EXPORT_HEADER.values())
    assert rows[2] == [
        "1M02",
        "The Escape",
        "Atticus Ross; Trent Reznor",
        "",
        "BI",
        "45:10",
        "47:40",
        "2:30",
        "",
        "",
    ]


def test_the_export_neutralises_cells_a_spreadsheet_would_run(editor_client, film):
    CueFactory(film=film, title='=HYPERLINK("http://evil")', scene="@SUM(1)", code="-1M01")
    CueFactory(film=film, title="+cmd|' /C calc'!A0", slug="plus")
    rows = list(
        csv.reader(io.StringIO(editor_client.get(export_url(film)).content.decode("utf-8-sig")))
    )
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'@SUM(1)" in cells
    assert "'-1M01" in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(pasting.FORMULA_STARTS) for cell in cells)


def test_export_then_paste_into_another_film_gives_the_same_cues(editor_client, film):
    save(
        editor_client,
        film,
        THREE
        + "\n'=1M04\t-Derez-\tBrian May & Atticus Ross\tET\t1:55:00\t1:58:30\t"
        + "\n\tNo code\tTrent Reznor\t\t\t\t"
        + "\n1M05\tLength only\tTrent Reznor\tBI\t\t\t2:10",
    )
    assert film.cues.get(code="1M05").duration == 130  # a length alone is kept
    escape = film.cues.filter(code="1M02")
    escape.update(scene="Ares and Eve escape, the Grid", scene_is_spoiler=True)
    exported = editor_client.get(export_url(film)).content.decode("utf-8")
    other = FilmFactory(title="Tron: Ares (director's cut)", slug="tron-ares-cut", runtime=125)
    CreditFactory(film=other, person=film.credits.get().person, role=Credit.Role.COMPOSER)
    response = save(editor_client, other, exported)
    assert response.status_code == 302, errors_of(response)

    def cues_of(each):
        return [
            (
                cue.code,
                cue.title,
                cue.usage,
                cue.start,
                cue.end,
                cue.duration,
                cue.scene,
                cue.scene_is_spoiler,
                sorted(person.slug for person in cue.composers.all()),
                sorted(person.slug for person in cue.performers.all()),
            )
            for cue in each.cues.in_film_order()
        ]

    assert cues_of(other) == cues_of(film)
    assert [cue[0] for cue in cues_of(other)] == ["1M01", "1M02", "1M03", "=1M04", "", "1M05"]
    assert cues_of(other)[3][1] == "-Derez-"


# Who may -------------------------------------------------------------------------------------


def test_a_writer_may_not_paste_but_may_export(client, film):
    client.force_login(WriterFactory())
    assert client.get(paste_url(film)).status_code == 403
    assert client.post(paste_url(film), {"text": THREE, "save": "1"}).status_code == 403
    assert client.get(export_url(film)).status_code == 200
    page = client.get(reverse("admin:films_film_change", args=[film.pk])).content.decode()
    assert "Paste a cue sheet" not in page
    assert not Cue.objects.exists()


def test_staff_without_permissions_get_403(client, film):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(paste_url(film)).status_code == 403
    assert client.get(export_url(film)).status_code == 403


def test_an_editor_may_paste(client, film):
    client.force_login(EditorFactory())
    assert client.get(paste_url(film)).status_code == 200


def test_someone_not_logged_in_is_sent_to_the_login(client, film):
    response = client.get(paste_url(film))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("object_id", ["999999", "abc", str(2**63), "-1"])
def test_a_film_that_does_not_exist_is_404(editor_client, object_id):
    for name in ("paste_cue_sheet", "export_cue_sheet"):
        url = reverse(f"admin:films_film_{name}", args=[object_id])
        assert editor_client.get(url).status_code == 404
    album_url = reverse("admin:soundtracks_soundtrack_paste_tracklist", args=[object_id])
    assert editor_client.get(album_url).status_code == 404


# What it costs -------------------------------------------------------------------------------


def rows_text(count):
    return "\n".join(
        [HEADER]
        + [
            f"1M{number:04d}\tCue {number}\t{'Trent Reznor' if number % 2 else ''}\tBI"
            f"\t{number // 60}:{number % 60:02d}\t\t0:01"
            for number in range(1, count + 1)
        ]
    )


@pytest.fixture
def warm(editor_client, film):
    CueFactory(film=film, code="9M99", title="There before", slug="before")
    editor_client.get(paste_url(film))  # the session, content types and the like are warm


#: The session, the user, the film (and its directors, for the film admin's queryset), the
#: savepoint around the transaction, the film's row locked, its cues, its credits, the people
#: the paste names, and the savepoint released.
PREVIEW_QUERIES = 10


@pytest.mark.usefixtures("warm")
@pytest.mark.parametrize("count", [3, 200])
def test_a_preview_runs_a_fixed_number_of_queries(
    editor_client, film, count, django_assert_num_queries
):
    text = rows_text(count)
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = preview(editor_client, film, text)
    assert len(response.context["rows"]) == count


#: The preview's, a savepoint around the writes, the inserts (cues, their composers), the
#: revision (its rows' existence, the revision, its versions, the film's credits, the new cues'
#: album links, composers and performers) and the admin's log.
SAVE_QUERIES = 27


@pytest.mark.usefixtures("warm")
@pytest.mark.parametrize("count", [3, 200])
def test_a_save_runs_a_fixed_number_of_queries(
    editor_client, film, count, django_assert_num_queries
):
    text = rows_text(count)
    previewed = preview(editor_client, film, text).context["form"].data["previewed"]
    data = {"text": text, "previewed": previewed, "save": "1", "known_from": ""}
    with django_assert_num_queries(SAVE_QUERIES):
        response = editor_client.post(paste_url(film), data)
    assert response.status_code == 302
    assert film.cues.count() == count + 1


# The tracklist -------------------------------------------------------------------------------


@pytest.fixture
def album(film):
    album = SoundtrackFactory(film=film, title="Tron: Ares (Original Soundtrack)", slug="ares-ost")
    TrackFactory(soundtrack=album, disc=1, position=1, title="Init", duration=195)
    return album


def save_tracklist(client, album, text):
    response = client.post(tracklist_url(album), {"text": text})
    previewed = response.context["form"].data.get("previewed", "")
    return client.post(tracklist_url(album), {"text": text, "previewed": previewed, "save": "1"})


def test_the_album_page_links_to_the_tracklist_paste(editor_client, album):
    url = reverse("admin:soundtracks_soundtrack_change", args=[album.pk])
    page = editor_client.get(url).content.decode()
    assert f'href="{tracklist_url(album)}">Paste a tracklist<' in page


def test_a_tracklist_is_previewed_then_saved(editor_client, editor, album):
    text = "\n".join(
        [
            "2. Forked 3:15",
            "1-07 I Know You Can Feel It 4:02",
            "9 Untimed",
            "10. As Alive As You Need Me To Be ♪ 4:11",
        ]
    )
    response = editor_client.post(tracklist_url(album), {"text": text})
    assert [row["cells"] for row in response.context["rows"]] == [
        [1, 2, "Forked", "3:15", ""],
        [1, 7, "I Know You Can Feel It", "4:02", ""],
        [1, 9, "Untimed", "", ""],
        [1, 10, "As Alive As You Need Me To Be", "4:11", "yes"],
    ]
    assert album.tracks.count() == 1
    response = save_tracklist(editor_client, album, text)
    assert response.status_code == 302
    tracks = list(album.tracks.order_by("disc", "position"))
    assert [(t.position, t.title, t.duration, t.is_vocal) for t in tracks] == [
        (1, "Init", 195, False),
        (2, "Forked", 195, False),
        (7, "I Know You Can Feel It", 242, False),
        (9, "Untimed", None, False),
        (10, "As Alive As You Need Me To Be", 251, True),
    ]
    assert versions_of(album).last().revision.get_comment() == "Pasted 4 tracks from a tracklist."
    assert versions_of(tracks[1]).get().revision.user == editor


def test_a_spreadsheets_tracklist_is_read_by_its_columns(editor_client, album):
    text = "Disc\tTrack\tTitle\tLength\tArtist\n2\t1\tEcho\t2:00\tJourney\n2\t2\tNull\t\t"
    response = save_tracklist(editor_client, album, text)
    assert response.status_code == 302
    echo = album.tracks.get(disc=2, position=1)
    assert (echo.title, echo.duration, echo.artist_credit) == ("Echo", 120, "Journey")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1. Init again 3:15", "Line 1, Track number: track 1 is already on the album (“Init”)."),
        ("2. A\n2. B", "Line 2, Track number: track 2 is also on line 1."),
        ("Forked 3:15", "Line 1: “Forked 3:15” does not start with a track number"),
        ("2. Forked 3:75", "Line 1, Duration: Seconds must be 00–59; '3:75' has 75."),
        ("2. Silent 0:00", "Line 1, Duration: a track lasts longer than 0:00."),
        ("0. Zero", "Line 1, Track number: discs and track numbers count from 1."),
        ("2. " + "x" * 400, "Line 1, Title: 400 characters; at most 300."),
        ("2\t=cmd()\t1:00", "Line 1, Title: “=cmd()” looks like a spreadsheet formula"),
        ("", "This field is required."),
        ("\x00", "The paste holds a NUL character"),
        ("1. x\n" * 10_000, "The paste has more than 2,000 lines"),
        ("x" * (pasting.MAX_PASTE_CHARS + 1), "The paste is 1,000,001 characters"),
        ('2\t"unclosed\t1:00', "Row 1: a quoted cell is never closed"),
    ],
)
def test_each_kind_of_bad_line_is_refused_and_nothing_saved(editor_client, album, text, error):
    response = save_tracklist(editor_client, album, text)
    assert response.status_code == 200
    assert any(message.startswith(error) for message in errors_of(response)), errors_of(response)
    assert album.tracks.count() == 1


def test_a_writer_may_not_paste_a_tracklist(client, album):
    client.force_login(WriterFactory())
    assert client.get(tracklist_url(album)).status_code == 403
    assert client.post(tracklist_url(album), {"text": "2. X", "save": "1"}).status_code == 403
    assert album.tracks.count() == 1


@pytest.mark.parametrize("count", [3, 200])
def test_a_tracklist_save_runs_a_fixed_number_of_queries(
    editor_client, album, count, django_assert_num_queries
):
    text = "\n".join(f"{number}. Track {number} 3:00" for number in range(2, count + 2))
    response = editor_client.post(tracklist_url(album), {"text": text})
    data = {"text": text, "previewed": response.context["form"].data["previewed"], "save": "1"}
    with django_assert_num_queries(TRACKLIST_SAVE_QUERIES):
        response = editor_client.post(tracklist_url(album), data)
    assert response.status_code == 302
    assert album.tracks.count() == count + 1


TRACKLIST_SAVE_QUERIES = 22


def test_a_save_that_loses_a_race_for_a_cue_code_saves_nothing_and_says_so(
    editor_client, film, monkeypatch
):
    from django.db import IntegrityError

    from soundtracks import admin_paste

    saving = admin_paste.save_pasted_cues

    def racing(film, form, user):
        saving(film, form, user)
        raise IntegrityError("UNIQUE constraint failed: soundtracks_cue.film_id, code")

    monkeypatch.setattr(admin_paste, "save_pasted_cues", racing)
    response = save(editor_client, film, THREE)
    assert response.status_code == 200
    assert "Someone else changed this while you saved" in response.content.decode()
    assert not Cue.objects.exists()


def test_a_paste_purges_the_pages_of_the_film_and_the_album(editor_client, film, album):
    """Bulk inserts send no signals: the paste tells the page cache itself."""
    from django.core.cache import cache

    from pagecache.versions import KEY_PREFIX

    purged = [f"film:{film.pk}", "list:cue", f"soundtrack:{album.pk}"]
    cache.set_many({KEY_PREFIX + key: 1 for key in purged}, None)
    save(editor_client, film, THREE)
    assert cache.get(KEY_PREFIX + f"film:{film.pk}") != 1
    assert cache.get(KEY_PREFIX + "list:cue") != 1
    assert cache.get(KEY_PREFIX + f"soundtrack:{album.pk}") == 1  # the album is not changed
    save_tracklist(editor_client, album, "2. Forked")
    assert cache.get(KEY_PREFIX + f"soundtrack:{album.pk}") != 1


def test_each_new_cues_revision_holds_what_reversion_itself_would_store(editor_client, film):
    """The save prefetches the new cues' people for their revisions; what is stored is what
    django-reversion stores for a cue read fresh from the database."""
    import json

    from django.core import serializers
    from reversion.revisions import _get_options

    bmay = film.credits.get().person
    text = THREE.replace("Brian May", "Brian May; nine inch nails; Atticus Ross")
    text += "\n1M04\tSame name\tatticus ross & Brian May & Nine Inch Nails\t\t\t\t"
    assert save(editor_client, film, text).status_code == 302
    options = _get_options(Cue)
    for cue in film.cues.all():
        fresh = serializers.serialize(
            options.format, [cue], fields=options.fields, use_natural_foreign_keys=True
        )
        stored = versions_of(cue).get().serialized_data
        assert json.loads(stored) == json.loads(fresh)
    composers = json.loads(versions_of(film.cues.get(code="1M04")).get().serialized_data)
    assert composers[0]["fields"]["composers"] == [["atticus-ross"], ["brian-may"], [bmay.slug]]
