"""schema.org data for the catalogue's pages: a Movie and a Person (or MusicGroup), from rows
whose credits and people the views have already fetched, so they add no queries."""

from pagemeta.seo import SCHEMA, absolute, clean, date, image_url, iso_duration


def person_ref(request, person):
    """A Person, or a MusicGroup for a group, by name and page."""
    return {
        "@type": "MusicGroup" if person.is_group else "Person",
        "name": person.name,
        "url": absolute(request, person.get_absolute_url()),
    }


def person(request, person):
    data = person_ref(request, person)
    data["image"] = image_url(request, person.photo)
    if person.is_group:
        data["member"] = [person_ref(request, member) for member in person.members.all()]
    else:
        data["memberOf"] = [person_ref(request, group) for group in person.groups.all()]
    return {
        "@context": SCHEMA,
        **clean({**data, "description": person.bio, "sameAs": person.same_as}),
    }


def movie(request, film, context=True):
    """A schema.org Movie from a film with its credits (and their people) prefetched."""
    data = clean(
        {
            "@type": "Movie",
            "name": film.title,
            "url": absolute(request, film.get_absolute_url()),
            "datePublished": date(film.release_date),
            "duration": iso_duration(film.runtime * 60) if film.runtime else None,
            "contentRating": film.certificate,
            "description": film.synopsis,
            "image": image_url(request, film.poster),
            "director": [person_ref(request, person) for person in film.directors],
            "producer": [person_ref(request, person) for person in film.producers],
            "musicBy": [person_ref(request, person) for person in film.composers],
            "actor": [person_ref(request, credit.person) for credit in film.cast],
            "sameAs": f"https://www.imdb.com/title/{film.imdb_id}/" if film.imdb_id else None,
        }
    )
    return {"@context": SCHEMA, **data} if context else data
