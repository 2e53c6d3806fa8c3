"""schema.org data for an album's page (a MusicAlbum with its MusicRecording tracks), a film's
music page and a cue's page (a MusicRecording for each released cue) and a theme's page, from
what the views have already fetched, so they add no queries."""

from films.structured_data import person_ref
from pagemeta.seo import SCHEMA, absolute, clean, date, image_url, iso_duration

SOUNDTRACK = "https://schema.org/SoundtrackAlbum"


def labels(soundtrack):
    """The album's record labels, each an Organization: the label field names several
    separated by commas (“Interscope Records, Walt Disney Records”)."""
    names = [name.strip() for name in soundtrack.label.split(",")]
    return [{"@type": "Organization", "name": name} for name in names if name]


def artists(request, soundtrack):
    """Who the album is by: its artists' pages (prefetched), else its printed artist line."""
    people = [person_ref(request, artist) for artist in soundtrack.artists.all()]
    if people:
        return people
    return [{"@type": "MusicGroup", "name": soundtrack.artist_credit}]


def album_summary(request, soundtrack):
    """A soundtrack album as the thing a review reviews: a MusicAlbum by its artists (prefetched),
    a soundtrack; with its cover (selected) and release date."""
    return clean(
        {
            "@type": "MusicAlbum",
            "name": soundtrack.title,
            "url": absolute(request, soundtrack.get_absolute_url()),
            "albumProductionType": SOUNDTRACK,
            "byArtist": artists(request, soundtrack),
            "image": image_url(request, soundtrack.cover),
            "datePublished": date(soundtrack.release_date),
        }
    )


def music_album(request, soundtrack):
    """A schema.org MusicAlbum with its MusicRecording tracks, from a prefetched tracklist.

    Typed as a MusicRelease too, the album as issued, which is what has record labels and a
    running time: the total of its tracks', given only when every track's is known.
    """
    url = absolute(request, soundtrack.get_absolute_url())
    tracks = list(soundtrack.tracks.all())
    album = {"@type": "MusicAlbum", "name": soundtrack.title, "url": url}
    by = artists(request, soundtrack)
    durations = [track.duration for track in tracks]
    total = sum(durations) if tracks and None not in durations else None
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": ["MusicAlbum", "MusicRelease"],
                "name": soundtrack.title,
                "url": url,
                "albumProductionType": SOUNDTRACK,
                "image": image_url(request, soundtrack.cover),
                "byArtist": by,
                "datePublished": date(soundtrack.release_date),
                "recordLabel": labels(soundtrack),
                "duration": iso_duration(total) if total else None,
                "numTracks": len(tracks),
                "track": [
                    clean(
                        {
                            "@type": "MusicRecording",
                            "name": track.title,
                            "position": track.position,
                            "duration": iso_duration(track.duration) if track.duration else None,
                            "url": f"{url}#{track.anchor}",
                            "inAlbum": album,
                            "byArtist": {"@type": "MusicGroup", "name": track.artist_credit}
                            if track.artist_credit
                            else by,
                        }
                    )
                    for track in tracks
                ],
            }
        ),
    }


def _album_ref(request, album):
    return {
        "@type": "MusicAlbum",
        "name": album.title,
        "url": absolute(request, album.get_absolute_url()),
        "albumProductionType": SOUNDTRACK,
    }


def cue_recording(request, cue):
    """A released cue as a schema.org MusicRecording, from its prefetched people and tracks.

    Its duration is the cue's length in the film when both timecodes are known; otherwise the
    album track's, when the cue is that one track whole. Never a guess.
    """
    links = list(cue.track_links.all())
    albums = {link.track.soundtrack_id: link.track.soundtrack for link in links}
    seconds = cue.length
    if seconds is None and len(links) == 1 and links[0].extent == links[0].Extent.WHOLE:
        seconds = links[0].track.duration
    artists = list(cue.performers.all()) or list(cue.composers.all())
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": "MusicRecording",
                "name": cue.title,
                "url": absolute(request, cue.get_absolute_url()),
                "duration": iso_duration(seconds) if seconds else None,
                "inAlbum": [_album_ref(request, album) for album in albums.values()],
                "byArtist": [person_ref(request, person) for person in artists],
            }
        ),
    }


def cue_recordings(request, cues):
    """The MusicRecording of each released cue (one on an album track); unreleased cues have
    no recording to describe."""
    return [cue_recording(request, cue) for cue in cues if cue.track_links.all()]


def theme(request, theme):
    """A theme (leitmotif) as a schema.org MusicComposition."""
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": "MusicComposition",
                "name": theme.name,
                "url": absolute(request, theme.get_absolute_url()),
                "description": theme.description,
            }
        ),
    }
