"""schema.org data for an album's page (a MusicAlbum with its MusicRecording tracks), a film's
music page and a cue's page (a MusicRecording for each released cue) and a theme's page, from
what the views have already fetched, so they add no queries."""

from films.structured_data import person_ref
from pagemeta.seo import SCHEMA, absolute, clean, date, image_url, iso_duration


def music_album(request, soundtrack):
    """A schema.org MusicAlbum with its MusicRecording tracks, from a prefetched tracklist."""
    url = absolute(request, soundtrack.get_absolute_url())
    tracks = list(soundtrack.tracks.all())
    return {
        "@context": SCHEMA,
        **clean(
            {
                "@type": "MusicAlbum",
                "name": soundtrack.title,
                "url": url,
                "albumProductionType": "https://schema.org/SoundtrackAlbum",
                "image": image_url(request, soundtrack.cover),
                "byArtist": [person_ref(request, artist) for artist in soundtrack.artists.all()]
                or {"@type": "MusicGroup", "name": soundtrack.artist_credit},
                "datePublished": date(soundtrack.release_date),
                "recordLabel": {"@type": "Organization", "name": soundtrack.label}
                if soundtrack.label
                else None,
                "numTracks": len(tracks),
                "track": [
                    clean(
                        {
                            "@type": "MusicRecording",
                            "name": track.title,
                            "position": track.position,
                            "duration": iso_duration(track.duration) if track.duration else None,
                            "url": f"{url}#{track.anchor}",
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
        "albumProductionType": "https://schema.org/SoundtrackAlbum",
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
