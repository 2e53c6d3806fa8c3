"""schema.org data for an album's page: a MusicAlbum with its MusicRecording tracks, from a
tracklist the view has already fetched, so it adds no queries."""

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
