"""Writing the planned publication with ``bulk_create``; finding or deleting what was written."""

import uuid

from django.db import models
from django.db.models.functions import Coalesce

from demo.generate import ANCHOR, PREFIX
from editorial.revisions import deleting_for_good
from films.models import Credit, Film, Franchise, Person
from reviews.models import AlbumRating, Author, Review, Tag
from soundtracks.models import Cue, CueTrack, Soundtrack, Theme, ThemeAppearance, Track, TrackNote

#: Catalogue models whose uid the slug gives (editorial.models.uid_field). A cue's is its
#: film's slug and its own (demo.generate.cues).
SLUG_UIDS = (Person, Franchise, Film, Soundtrack, Theme)


class Writer:
    def __init__(self, progress, batch_size):
        self.progress = progress
        self.batch_size = batch_size

    def insert(self, label, model, objects):
        objects = list(objects)
        if model in SLUG_UIDS:
            # From the slug, so the same seed gives the same rows without drawing from (and so
            # shifting) the seeded RNG that reviews' and notes' uids come from.
            for obj in objects:
                obj.uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{model._meta.label_lower}:{obj.slug}")
        self.progress.start(label, len(objects))
        for start in range(0, len(objects), self.batch_size):
            batch = objects[start : start + self.batch_size]
            model.objects.bulk_create(batch, batch_size=self.batch_size)
            self.progress.advance(len(batch))
        self.progress.finish()

    def link(self, label, field, pairs):
        """Rows of a many-to-many table, from (source, target) pairs of saved objects."""
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = []
        seen = set()
        for left, right in pairs:
            if (left.pk, right.pk) not in seen:
                seen.add((left.pk, right.pk))
                rows.append(through(**{f"{source}_id": left.pk, f"{target}_id": right.pk}))
        self.insert(label, through, rows)


def fix_timestamps(queryset, value):
    """Replace what ``auto_now``/``auto_now_add`` stamped during the run with ``value``."""
    stamped = [
        field.name
        for field in queryset.model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    if stamped:
        queryset.update(**dict.fromkeys(stamped, value))


def write(publication, writer):
    p = publication
    writer.insert("people", Person, p.people)
    writer.link("group members", Person._meta.get_field("members"), p.members)
    writer.insert("franchises", Franchise, p.franchises)
    writer.insert("films", Film, p.films)
    writer.insert("credits", Credit, p.credits)
    writer.insert("albums", Soundtrack, p.albums)
    writer.link("album artists", Soundtrack._meta.get_field("artists"), p.album_artists)
    writer.insert("tracks", Track, p.tracks)
    writer.insert("cues", Cue, p.cues)
    writer.link("cue composers", Cue._meta.get_field("composers"), p.cue_composers)
    writer.link("cue performers", Cue._meta.get_field("performers"), p.cue_performers)
    writer.insert("cue tracks", CueTrack, p.cue_tracks)
    writer.insert("themes", Theme, p.themes)
    writer.insert("theme appearances", ThemeAppearance, p.appearances)
    writer.insert("authors", Author, p.authors)
    writer.insert("tags", Tag, p.tags)
    writer.insert("reviews", Review, p.reviews)
    for name, pairs in p.review_links.items():
        writer.link(f"review {name}".replace("_", " "), Review._meta.get_field(name), pairs)
    writer.insert("album ratings", AlbumRating, p.ratings)
    cited = ((review, track) for review in p.reviews for track in review.cited)
    writer.link("cited tracks", Review._meta.get_field("cited_tracks"), cited)
    cited = ((review, cue) for review in p.reviews for cue in review.cited_cue_rows)
    writer.link("cited cues", Review._meta.get_field("cited_cues"), cited)
    writer.insert("track notes", TrackNote, p.notes)
    writer.link("note sources", Review._meta.get_field("notes_sourced"), p.note_sources)
    writer.link("cue sources", Review._meta.get_field("cues_sourced"), p.cue_sources)

    for model, queryset in generated().items():
        # A review was last saved when it went live (drafts: at the anchor): none reads "Updated".
        if model is Review:
            fix_timestamps(queryset, Coalesce(models.F("publish_at"), models.Value(ANCHOR)))
        else:
            fix_timestamps(queryset, ANCHOR)


def generated():
    """Everything the command makes, by model, dependants first (films and people are
    protected from deletion while anything points at them)."""
    return {
        TrackNote: TrackNote.objects.filter(track__soundtrack__slug__startswith=PREFIX),
        Review: Review.objects.filter(slug__startswith=PREFIX),
        ThemeAppearance: ThemeAppearance.objects.filter(theme__slug__startswith=PREFIX),
        Theme: Theme.objects.filter(slug__startswith=PREFIX),
        CueTrack: CueTrack.objects.filter(cue__film__slug__startswith=PREFIX),
        Cue: Cue.objects.filter(film__slug__startswith=PREFIX),
        Track: Track.objects.filter(soundtrack__slug__startswith=PREFIX),
        Soundtrack: Soundtrack.objects.filter(slug__startswith=PREFIX),
        Credit: Credit.objects.filter(film__slug__startswith=PREFIX),
        Film: Film.objects.filter(slug__startswith=PREFIX),
        Person: Person.objects.filter(slug__startswith=PREFIX),
        Franchise: Franchise.objects.filter(slug__startswith=PREFIX),
        Tag: Tag.objects.filter(slug__startswith=PREFIX),
        Author: Author.objects.filter(slug__startswith=PREFIX),
    }


def generated_counts():
    return {
        "reviews": Review.objects.filter(slug__startswith=PREFIX).count(),
        "films": Film.objects.filter(slug__startswith=PREFIX).count(),
        "albums": Soundtrack.objects.filter(slug__startswith=PREFIX).count(),
        "people": Person.objects.filter(slug__startswith=PREFIX).count(),
    }


def delete_generated(progress):
    """Delete everything the command made, and nothing else, for good (it is made again)."""
    querysets = generated().values()
    progress.start("deleting", len(querysets))
    with deleting_for_good():
        for queryset in querysets:
            queryset.only("pk").delete()
            progress.advance()
    progress.finish()
