"""The album page says how the film uses each track, derived from the cue sheet's links.

Every case a track can be in: heard whole, in part, edited or to an unknown extent; in several
cues (a suite); in no cue of a film that has a cue sheet; on an album of a film without cue data.
The page's query count stays the same at 3 cues and at 200.
"""

import pytest
from django.core.management import call_command

from editorial.tests.html import parse_html
from films.models import Film
from soundtracks.models import CueTrack
from soundtracks.tests.factories import (
    CueFactory,
    CueTrackFactory,
    SoundtrackFactory,
    TrackFactory,
    TrackNoteFactory,
)
from soundtracks.views import AlbumUsage, track_extent

Extent = CueTrack.Extent

# The album page's queries: the album with its film, cover, counts and whether the film has
# cues; its artists; tracks; their notes; their cue links with their cues; and, added by the
# reviews layer the URL routes to, the reviews citing each track and the album's reviews. (With
# reviews, their authors make one more: tests/test_views.py pins that page at 8.)
ALBUM_PAGE_QUERIES = 7


def album_page(client, soundtrack):
    response = client.get(soundtrack.get_absolute_url())
    assert response.status_code == 200
    return parse_html(response.content.decode())


def usage_of(html, track):
    return html.find(f"#{track.anchor}").text_of(".film-usage")


def cue_links_of(html, track):
    block = html.find(f"#{track.anchor}").find(".film-usage")
    return [a["href"] for a in block.find_all("a")]


@pytest.fixture
def album(db):
    return SoundtrackFactory()


def test_track_used_whole_says_so_and_links_to_its_cue(client, album):
    track = TrackFactory(soundtrack=album)
    link = CueTrackFactory(track=track, extent=Extent.WHOLE, cue__title="Main Title")

    html = album_page(client, album)

    assert usage_of(html, track).startswith("In the film: whole")
    assert cue_links_of(html, track) == [link.cue.get_absolute_url()]
    assert link.cue.get_absolute_url() == f"/films/{album.film.slug}/music/{link.cue.slug}/"


@pytest.mark.parametrize(
    ("extent", "label"),
    [
        (Extent.PART, "In the film: in part"),
        (Extent.EDITED, "In the film: edited"),
        ("", "In the film (extent not known)"),
    ],
)
def test_track_used_in_part_edited_or_to_an_unknown_extent_says_which(client, album, extent, label):
    track = TrackFactory(soundtrack=album)
    link = CueTrackFactory(track=track, extent=extent)

    html = album_page(client, album)

    assert usage_of(html, track).startswith(label)
    assert cue_links_of(html, track) == [link.cue.get_absolute_url()]


def test_suite_lists_every_cue_it_holds_in_film_order_with_each_extent(client, album):
    suite = TrackFactory(soundtrack=album, title="Suite")
    late = CueFactory(film=album.film, order=9, title="The Chase", code="3M02")
    early = CueFactory(film=album.film, order=2, title="Arrival", code="1M02")
    CueTrackFactory(track=suite, cue=late, extent=Extent.EDITED)
    CueTrackFactory(track=suite, cue=early, extent=Extent.PART)

    html = album_page(client, album)
    usage = usage_of(html, suite)

    assert usage.startswith("In the film: in part")
    assert cue_links_of(html, suite) == [early.get_absolute_url(), late.get_absolute_url()]
    assert "1M02 Arrival (in part)" in usage
    assert "3M02 The Chase (edited)" in usage


def test_cues_that_agree_on_the_extent_do_not_repeat_it(client, album):
    suite = TrackFactory(soundtrack=album)
    for order in (1, 2):
        CueTrackFactory(track=suite, cue__order=order, cue__title=f"Part {order}", extent="part")

    usage = usage_of(album_page(client, album), suite)

    assert "(in part)" not in usage
    assert "Part 1" in usage
    assert "Part 2" in usage


def test_track_in_no_cue_of_a_complete_cue_sheet_is_not_in_the_film(client, album):
    Film.objects.filter(pk=album.film_id).update(cue_sheet_complete=True)
    heard = TrackFactory(soundtrack=album)
    unused = TrackFactory(soundtrack=album)
    CueTrackFactory(track=heard)
    # An unreleased cue (on no album) still makes the film's cue sheet.
    CueFactory(film=album.film)

    html = album_page(client, album)

    assert usage_of(html, unused) == "Not in the film"
    assert cue_links_of(html, unused) == []


def test_track_in_no_cue_of_an_incomplete_cue_sheet_is_not_known(client, album):
    """Three cues an article states do not say the other tracks are missing from the film."""
    heard, other = TrackFactory(soundtrack=album), TrackFactory(soundtrack=album)
    CueTrackFactory(track=heard)

    html = album_page(client, album)

    assert usage_of(html, other) == "In the film: not known"
    assert html.text_of(".usage-summary").startswith(
        "1 of 2 tracks is heard in the film, as far as its cue sheet goes: it is not complete yet."
    )


def test_album_of_a_film_without_cue_data_says_not_known_for_every_track(client, album):
    tracks = [TrackFactory(soundtrack=album) for _ in range(3)]
    # Cues of another film are no cue data for this one.
    CueTrackFactory()

    html = album_page(client, album)

    assert [usage_of(html, track) for track in tracks] == ["In the film: not known"] * 3
    assert "not known" in html.text_of(".usage-summary")
    assert not html.find(".usage-summary").find_all("a")


def test_cue_time_and_scene_show_and_a_spoiler_scene_waits_behind_a_disclosure(client, album):
    plain = TrackFactory(soundtrack=album)
    secret = TrackFactory(soundtrack=album)
    CueTrackFactory(track=plain, cue__start=125, cue__scene="The opening credits")
    CueTrackFactory(track=secret, cue__scene="The hero dies", cue__scene_is_spoiler=True)

    html = album_page(client, album)

    assert "at 2:05 — The opening credits" in usage_of(html, plain)
    time = html.find(f"#{plain.anchor}").find("time", datetime="PT2M5S")
    assert time is not None
    spoiler = html.find(f"#{secret.anchor}").find("details.spoiler")
    assert spoiler.text_of("summary") == "Scene (spoiler)"
    assert "open" not in spoiler


def test_track_notes_still_show_beside_the_derived_usage(client, album):
    track = TrackFactory(soundtrack=album)
    TrackNoteFactory(track=track, text="The drums come in late.")
    CueTrackFactory(track=track, extent=Extent.PART)

    text = album_page(client, album).text_of(f"#{track.anchor}")

    assert "In the film: in part" in text
    assert "The drums come in late." in text


def test_a_cue_of_another_album_of_the_film_does_not_count_for_this_one(client, album):
    Film.objects.filter(pk=album.film_id).update(cue_sheet_complete=True)
    track = TrackFactory(soundtrack=album)
    other_album = SoundtrackFactory(film=album.film)
    CueTrackFactory(track=TrackFactory(soundtrack=other_album))

    html = album_page(client, album)

    assert usage_of(html, track) == "Not in the film"
    assert html.text_of(".usage-summary").startswith("Its one track is not heard in the film.")


def test_summary_counts_the_tracks_heard_and_links_to_the_films_cue_sheet(client, album):
    Film.objects.filter(pk=album.film_id).update(cue_sheet_complete=True)
    tracks = [TrackFactory(soundtrack=album) for _ in range(12)]
    for track in tracks[:9]:
        CueTrackFactory(track=track)
    # A suite counts once.
    CueTrackFactory(track=tracks[0])

    html = album_page(client, album)
    summary = html.find(".usage-summary")

    assert summary.text.startswith("9 of 12 tracks are heard in the film.")
    assert summary.find("a")["href"] == f"/films/{album.film.slug}/music/"


@pytest.mark.parametrize(
    ("tracks", "heard", "has_cues", "complete", "summary"),
    [
        (12, 9, True, True, "9 of 12 tracks are heard in the film."),
        (12, 1, True, True, "1 of 12 tracks is heard in the film."),
        (1, 1, True, True, "1 of 1 track is heard in the film."),
        (3, 0, True, True, "None of the 3 tracks is heard in the film."),
        (1, 0, True, True, "Its one track is not heard in the film."),
        (12, 3, True, False, "3 of 12 tracks are heard in the film, as far as its cue sheet "
         "goes: it is not complete yet."),
        (3, 0, True, False, "0 of 3 tracks are heard in the film, as far as its cue sheet goes: "
         "it is not complete yet."),
        (3, 0, False, False, "Which of these tracks the film uses is not known: it has no cue "
         "sheet here yet."),
        (0, 0, True, True, ""),
    ],
)  # fmt: skip
def test_album_summary_reads_as_a_sentence(tracks, heard, has_cues, complete, summary):
    assert AlbumUsage(tracks, heard, has_cues, complete).summary == summary


@pytest.mark.parametrize(
    ("extents", "extent"),
    [
        ({"whole"}, "whole"),
        ({"part"}, "part"),
        ({"edited"}, "edited"),
        ({""}, ""),
        ({"part", "whole", ""}, "whole"),
        ({"part", ""}, ""),
        ({"part", "edited"}, "part"),
    ],
)
def test_a_tracks_extent_is_the_most_its_cues_are_known_to_play(extents, extent):
    assert track_extent(extents) == extent


def test_seed_album_derives_its_usage_from_the_three_cues_the_article_states(client, db):
    call_command("loaddata", "tron", verbosity=0)

    ares = parse_html(client.get("/soundtracks/tron-ares-soundtrack/").content.decode())
    carlos = parse_html(client.get("/soundtracks/tron-soundtrack/").content.decode())

    def usage(html, position):
        return html.find(f"#track-1-{position}").text_of(".film-usage")

    assert usage(ares, 1).startswith("In the film (extent not known)")
    assert "Opening credits" in usage(ares, 1)
    assert ares.find("#track-1-7").find(".film-usage").find("a")["href"] == (
        "/films/tron-ares/music/i-know-you-can-feel-it/"
    )
    assert usage(ares, 7).startswith("In the film: in part")
    # The scene of Who Wants to Live Forever? gives the ending away.
    assert ares.find("#track-1-12").find("details.spoiler") is not None
    # Three cues from an article are not the whole cue sheet: the rest is not known.
    assert usage(ares, 2) == "In the film: not known"
    assert ares.text_of(".usage-summary").startswith(
        "3 of 24 tracks are heard in the film, as far as its cue sheet goes"
    )
    assert usage(carlos, 2) == "In the film: not known"


def build_album_with_cues(cue_count):
    """An album of 24 tracks (its notes too) and a film of ``cue_count`` cues: most on a track,
    some tracks suites of several, one cue in four unreleased."""
    album = SoundtrackFactory()
    tracks = [TrackFactory(soundtrack=album) for _ in range(24)]
    for track in tracks[::2]:
        TrackNoteFactory(track=track)
    extents = ["whole", "part", "edited", ""]
    for n in range(cue_count):
        cue = CueFactory(film=album.film, order=n + 1, start=n * 20, scene=f"Scene {n}")
        if n % 4 != 3:
            CueTrackFactory(cue=cue, track=tracks[n % 20], extent=extents[n % 4])
    return album


@pytest.mark.parametrize("cue_count", [3, 200])
def test_album_page_query_count_is_fixed_whatever_the_cues(
    client, db, django_assert_num_queries, cue_count
):
    album = build_album_with_cues(cue_count)

    with django_assert_num_queries(ALBUM_PAGE_QUERIES):
        response = client.get(album.get_absolute_url())

    assert response.status_code == 200
    lists = parse_html(response.content.decode()).find_all(".usage-cues")
    assert sum(len(cues.find_all("a")) for cues in lists) == cue_count - cue_count // 4
