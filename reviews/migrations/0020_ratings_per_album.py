"""A review's one rating becomes a rating of the album it is about; the roles get the new models.

Before this, a review carried one score out of 10, which its page showed as "Rating: 8 out of
10" and its structured data gave as the rating of the album it reviewed: the album of the
review's film among those it covers, else the first of them. That is what an editor meant it
for, so that album is the one rated now:

- a review covering one album: that album gets the score;
- covering several: the album of its film, else the first (the same album the structured data
  named). The others are not given the same score: nobody rated them, and a rating copied onto
  them would say something the writer never said. Editors rate them if they mean to;
- covering none, when its film has exactly one album: the rating was of that film's score, so
  the review now covers that album too, and rates it;
- with no album to give it to (none covered, and its film has none or several): the score is
  kept where readers still see it, as the verdict line "Rated 8 out of 10." (when the review has
  no verdict, which none had before this), for an editor to give to an album.

Every score lands somewhere: nothing is dropped. Scores before this were out of 10, so these
ratings are on a scale of 10 whatever ``REVIEW_RATING_SCALE`` says.

Backwards, a review's rating is its album rating of that same album (its film's, else the
first rated), scaled to 10 if it was given on another scale; a verdict this migration wrote
becomes the rating again and is emptied. Ratings of the other albums have no column to go back
to and are lost going backwards; an album this migration added to a review stays added.

Editors also get every permission on badges, album ratings and corrections; writers rate the
albums of their own reviews and see badges and corrections (only editors publish, and only
those who publish may correct a published review: reviews.admin_verdicts).
"""

import re

from django.contrib.auth.management import create_permissions
from django.db import migrations

#: The scale the single rating was on.
OLD_SCALE = 10
KEPT_AS_VERDICT = "Rated {} out of 10."
_KEPT = re.compile(r"Rated (\d+) out of 10\.")

MODELS = ("badge", "albumrating", "correction")
WRITERS_MAY = (
    "view_badge",
    *("add_albumrating", "change_albumrating", "delete_albumrating", "view_albumrating"),
    "view_correction",
)


def _primary(review, albums):
    return next((album for album in albums if album.film_id == review.film_id), None) or (
        albums[0] if albums else None
    )


def forwards(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    AlbumRating = apps.get_model("reviews", "AlbumRating")
    Soundtrack = apps.get_model("soundtracks", "Soundtrack")
    rated = Review.objects.filter(rating__isnull=False).prefetch_related("soundtracks")
    for review in rated.iterator(chunk_size=500):
        album = _primary(review, list(review.soundtracks.all()))
        if album is None and review.film_id is not None:
            of_its_film = list(Soundtrack.objects.filter(film=review.film_id)[:2])
            if len(of_its_film) == 1:
                album = of_its_film[0]
                review.soundtracks.add(album)
        if album is not None:
            AlbumRating.objects.create(
                review=review, soundtrack=album, score=review.rating, out_of=OLD_SCALE
            )
        elif not review.verdict:
            review.verdict = KEPT_AS_VERDICT.format(review.rating)
            review.save(update_fields=["verdict"])


def backwards(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    reviews = Review.objects.prefetch_related("album_ratings__soundtrack")
    for review in reviews.iterator(chunk_size=500):
        ratings = list(review.album_ratings.all())
        by_album = {rating.soundtrack: rating for rating in ratings}
        album = _primary(review, sorted(by_album, key=lambda album: by_album[album].pk))
        kept = _KEPT.fullmatch(review.verdict)
        if album is not None:
            rating = by_album[album]
            score = round(rating.score * OLD_SCALE / rating.out_of)
            review.rating = min(max(score, 1), OLD_SCALE)
        elif kept:
            review.rating = int(kept[1])
            review.verdict = ""
        else:
            continue
        review.save(update_fields=["rating", "verdict"])


def _permissions(apps):
    config = apps.get_app_config("reviews")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="reviews", content_type__model__in=MODELS
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions)
    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.add(*permissions.filter(codename__in=WRITERS_MAY))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = _permissions(apps)
    for group in Group.objects.filter(name__in=["Editors", "Writers"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reviews", "0019_verdicts_badges_corrections"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(grant, revoke),
    ]
