"""generate_content: what it makes, that it makes it the same way twice, and that the pages and
changelists built on it cost the same number of queries whatever its size."""

import hashlib
import io
import re
from collections import Counter

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from reversion.models import Revision

from editorial.revisions import DELETED
from films.models import Credit, Film, Franchise, Person
from pagecache import keys as pagecache
from reviews.models import Author, Review, Tag
from soundtracks.models import Cue, CueTrack, Soundtrack, Theme, ThemeAppearance, Track, TrackNote

pytestmark = pytest.mark.django_db

TINY = {"reviews": 40, "films": 12, "albums": 9}
SMALL = {"reviews": 120, "films": 36, "albums": 27}


def generate(**options):
    out = io.StringIO()
    call_command("generate_content", no_progress=True, jobs=1, stdout=out, **options)
    return out.getvalue()


def generated(model, field="slug"):
    return model.objects.filter(**{f"{field}__startswith": "gen-"})


def with_foreign_keys(queryset):
    """Each foreign key's natural key from the same query, not from one query a row."""
    names = [field.name for field in queryset.model._meta.concrete_fields if field.many_to_one]
    return queryset.select_related(*names) if names else queryset


def digest():
    """A fingerprint of every generated row, by natural keys: primary keys differ between runs."""
    querysets = (
        generated(Person),
        generated(Franchise),
        generated(Film),
        Credit.objects.filter(film__slug__startswith="gen-").order_by("film__slug", "role", "pk"),
        generated(Soundtrack),
        generated(Track, "soundtrack__slug"),
        TrackNote.objects.filter(track__soundtrack__slug__startswith="gen-").order_by("uid"),
        generated(Cue, "film__slug").order_by("film__slug", "order"),
        generated(CueTrack, "cue__film__slug").order_by("cue__uid", "track__position", "pk"),
        generated(Theme),
        generated(ThemeAppearance, "theme__slug").order_by("theme__slug", "cue__uid"),
        generated(Author),
        generated(Tag),
        generated(Review),
    )
    hasher = hashlib.sha256()
    for queryset in querysets:
        hasher.update(
            serializers.serialize(
                "json",
                with_foreign_keys(queryset),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            ).encode()
        )
    return hasher.hexdigest()


@pytest.fixture(scope="class")
def tiny_output(django_db_setup, django_db_blocker):
    """``generate(**TINY)`` once for a class, in a transaction rolled back after it: what it
    printed. Each test still runs in a savepoint of its own, so what one test changes (a
    ``--replace``, a delete) is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate(**TINY)
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def tiny_digest(tiny_output, django_db_blocker):
    """The fingerprint of the class's generated content, taken once (it takes seconds)."""
    with django_db_blocker.unblock():
        return digest()


@pytest.fixture
def tiny(tiny_output, db):
    return tiny_output


# Under xdist a class's tests share one worker (loadgroup), so that its content is made once.
@pytest.mark.usefixtures("tiny")
@pytest.mark.xdist_group("generate-content-tiny")
class TestGenerateContent:
    def test_creates_what_it_says(self, tiny):
        output = tiny

        assert generated(Review).count() == TINY["reviews"]
        assert generated(Film).count() == TINY["films"]
        assert generated(Soundtrack).count() == TINY["albums"]
        assert "Generated 40 reviews, 12 films" in output
        assert generated(Franchise).exists()
        assert generated(Person).filter(is_group=True, members__isnull=False).exists()
        credits = Credit.objects.filter(film__slug__startswith="gen-")
        assert 12 * TINY["films"] <= credits.count() <= 18 * TINY["films"]
        assert credits.filter(role=Credit.Role.COMPOSER).count() >= TINY["films"]
        tracks = generated(Track, "soundtrack__slug")
        assert 14 * TINY["albums"] <= tracks.count() <= 26 * TINY["albums"]
        assert TrackNote.objects.filter(track__in=tracks).exists()
        cues = generated(Cue, "film__slug")
        assert 32 * TINY["films"] <= cues.count() <= 48 * TINY["films"] + 200
        assert generated(Theme).exists()
        assert generated(Tag).exists()
        assert generated(Author).exists()

    def test_reviews_are_long_markdown_rendered_with_track_links(self):
        review = generated(Review).filter(status=Review.Status.PUBLISHED).first()
        assert 750 <= len(review.body.split()) <= 1100
        assert "\n## " in review.body
        assert "<h2>" in review.body_html
        assert review.cited_tracks.exists()
        track = review.cited_tracks.select_related("soundtrack").first()
        assert f'href="{track.get_absolute_url()}"' in review.body_html
        assert review.film.soundtracks.exists()
        # And cues of its film's cue sheet, by code or by slug.
        assert f"(cue:{review.film.slug}/" in review.body
        cue = review.cited_cues.select_related("film").first()
        assert cue.film == review.film
        assert f'href="{cue.get_absolute_url()}"' in review.body_html

    def test_is_deterministic(self, tiny_digest):
        generate(replace=True, **TINY)

        assert digest() == tiny_digest

    def test_another_seed_gives_another_publication(self, tiny_digest):
        generate(replace=True, seed=7, **TINY)

        assert digest() != tiny_digest

    def test_replace_deletes_for_good_and_other_deletes_stay_recoverable(self):
        generate(replace=True, **TINY)

        assert not Revision.objects.filter(comment=DELETED).exists()
        # Outside the command a delete still keeps what recovery needs.
        generated(Review).first().delete()
        assert Revision.objects.filter(comment=DELETED).count() == 1

    def test_refuses_to_run_twice_without_replace(self):
        with pytest.raises(CommandError, match="--replace"):
            generate(**TINY)


# Starting from no generated content ------------------------------------------------------


def test_replace_leaves_other_content_alone():
    call_command("loaddata", "tron", verbosity=0)
    before = {model: model.objects.count() for model in (Review, Film, Soundtrack, Person)}
    generate(**TINY)

    generate(replace=True, reviews=5, films=3, albums=2)

    assert Review.objects.exclude(slug__startswith="gen-").count() == before[Review]
    assert Film.objects.exclude(slug__startswith="gen-").count() == before[Film]
    assert generated(Review).count() == 5
    # And the fixtures still load on top of generated content: no slug or name collides.
    call_command("loaddata", "tron", verbosity=0)


def test_scale_multiplies_the_default_sizes():
    generate(scale=0.002)

    assert generated(Review).count() == 20
    assert generated(Film).count() == 4
    assert generated(Soundtrack).count() == 3


def test_tells_the_page_caches_every_page_is_stale(monkeypatch):
    purged = []
    monkeypatch.setattr(pagecache, "purge", lambda keys, using=None: purged.append(keys))

    generate(reviews=3, films=2, albums=1)

    assert {"all"} in purged


# Cue sheets -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("tiny")
@pytest.mark.xdist_group("generate-content-cue-sheets")
class TestCueSheets:
    def test_about_forty_cues_a_film_and_one_long_sheet(self):
        counts = sorted(
            generated(Film).annotate(cues_count=Count("cues")).values_list("cues_count", flat=True)
        )
        assert counts[-1] == 200  # the first film's: the music page and admin at scale
        assert all(32 <= count <= 48 for count in counts[:-1])

    def test_timecodes_run_in_film_order_inside_the_runtime(self):
        for film in generated(Film).prefetch_related("cues"):
            cues = list(film.cues.all())
            runtime = film.runtime * 60
            assert [cue.order for cue in cues] == list(range(1, len(cues) + 1))
            starts = [cue.start for cue in cues]
            assert None not in starts
            assert starts == sorted(starts)
            assert len(set(starts)) == len(starts)
            for cue in cues:
                assert 0 <= cue.start < (cue.end if cue.end is not None else runtime) <= runtime
                # The length a save would derive from in and out.
                assert cue.duration == (None if cue.end is None else cue.end - cue.start)
            assert cues[0].usage == Cue.Usage.MAIN_TITLE
            assert cues[-1].usage == Cue.Usage.END_TITLE
            # Overlaps are a song fading in over the cue before, by seconds, never more.
            for before, after in zip(cues, cues[1:], strict=False):
                if before.end is not None and after.start < before.end:
                    assert before.end - after.start <= 8
                    assert after.usage in {Cue.Usage.BACKGROUND_VOCAL, Cue.Usage.VISUAL_VOCAL}

    def test_cue_codes_are_reel_and_number_and_name_the_cue(self):
        cues = generated(Cue, "film__slug")
        for code, slug, start in cues.values_list("code", "slug", "start"):
            reel, number = re.fullmatch(r"(\d)M(\d\d)", code).groups()
            assert int(reel) == start // 1200 + 1
            assert int(number) >= 1
            assert slug == code.lower()
        assert cues.filter(source_detail__icontains="generated").exists()

    def test_every_row_passes_its_models_own_checks(self):
        for cue in generated(Cue, "film__slug").select_related("film"):
            cue.full_clean()
        for link in generated(CueTrack, "cue__film__slug").select_related(
            "cue__film", "track__soundtrack"
        ):
            link.full_clean()
        for appearance in generated(ThemeAppearance, "theme__slug").select_related(
            "theme__film", "theme__franchise", "cue__film"
        ):
            appearance.full_clean()
        for theme in generated(Theme):
            theme.full_clean()

    def test_composers_are_the_films_composers_and_songs_have_performers(self):
        for film in generated(Film).prefetch_related("credits", "cues__composers"):
            composers = {
                credit.person_id for credit in film.credits.all() if credit.role == "composer"
            }
            for cue in film.cues.all():
                assert {person.pk for person in cue.composers.all()} == composers
        vocal = generated(Cue, "film__slug").filter(usage__in=["bv", "vv"])
        assert vocal.exists()
        assert not vocal.filter(performers__isnull=True).exists()

    def test_albums_link_to_cues_whole_in_part_and_edited_with_suites_and_gaps(self):
        links = generated(CueTrack, "cue__film__slug")
        assert set(links.values_list("extent", flat=True)) == {"whole", "part", "edited"}
        tracks = generated(Track, "soundtrack__slug")
        # A suite holds several cues; some tracks are not in the film; some cues unreleased.
        suites = tracks.annotate(cues_count=Count("cue_links")).filter(cues_count__gte=3)
        assert suites.exists()
        assert all(track.title.endswith(" Suite") for track in suites)
        assert tracks.filter(cue_links__isnull=True).exists()
        # Each generated cue sheet is whole: a track in none of its cues is not in the film.
        films = generated(Film, "slug")
        assert films.exists()
        assert not films.filter(cue_sheet_complete=False).exists()
        cues = generated(Cue, "film__slug")
        assert cues.filter(track_links__isnull=True).exists()
        released = cues.filter(track_links__isnull=False).distinct()
        assert released.count() > cues.count() // 5
        # A released cue is named as its track (or as the suite's part it is).
        one_to_one = links.exclude(track__in=suites).select_related("cue", "track")
        assert all(link.cue.title == link.track.title for link in one_to_one)

    def test_scenes_with_some_spoilers(self):
        cues = generated(Cue, "film__slug")
        assert not cues.filter(scene="").exists()
        spoilers = cues.filter(scene_is_spoiler=True).count()
        assert 0 < spoilers < cues.count() // 4

    def test_themes_of_films_and_franchises_with_appearances(self):
        film_themes = generated(Theme).filter(film__isnull=False)
        assert film_themes.count() >= 2 * TINY["films"]
        assert not film_themes.filter(appearances__isnull=True).exists()
        franchise_theme = generated(Theme).filter(franchise__isnull=False).first()
        films = {appearance.cue.film_id for appearance in franchise_theme.appearances.all()}
        assert len(films) >= 2
        assert ThemeAppearance.objects.exclude(note="").exists()

    def test_reviews_are_the_source_of_some_cues_and_notes(self):
        sourced = Cue.objects.filter(source_reviews__slug__startswith="gen-")
        assert sourced.exists()
        assert not sourced.exclude(known_from=Cue.Source.ARTICLE).exists()
        assert TrackNote.objects.filter(source_reviews__slug__startswith="gen-").exists()
        for review in Review.objects.filter(cues_sourced__isnull=False).distinct():
            assert {cue.film_id for cue in review.cues_sourced.all()} == {review.film_id}


def inserts(**options):
    with CaptureQueriesContext(connection) as queries:
        generate(**options)
    return Counter(
        re.match(r'INSERT INTO "(\w+)"', query["sql"])[1]
        for query in queries
        if query["sql"].startswith("INSERT INTO")
    )


# Query counts ---------------------------------------------------------------------------------


def richest(queryset, *relations):
    """The row with the most related rows: a page that repeats a query per row shows it most."""
    richness = sum(Count(relation, distinct=True) for relation in relations)
    return queryset.annotate(richness=richness).order_by("-richness", "pk").first()


def sample_urls():
    """One URL per public page type, for the richest object of its kind at this size."""
    review = richest(
        Review.objects.published().filter(slug__startswith="gen-", film__franchise__isnull=False),
        "tags",
        "authors",
        "cited_tracks",
        "other_films",
        "soundtracks",
        "film__credits",
    )
    film = richest(
        generated(Film).filter(franchise__isnull=False, reviews__isnull=False),
        "credits",
        "soundtracks",
        "reviews",
        "mentioned_in_reviews",
    )
    album = richest(
        generated(Soundtrack).filter(reviews__status=Review.Status.PUBLISHED),
        "tracks",
        "tracks__notes",
        "tracks__citing_reviews",
        "reviews",
        "artists",
    )
    # A member of a group: their page also follows the group to its films and albums.
    composer = richest(
        generated(Person).filter(
            is_group=False, credits__role=Credit.Role.COMPOSER, groups__isnull=False
        ),
        "credits",
        "albums",
        "groups",
    )
    group = richest(generated(Person).filter(is_group=True), "credits", "albums", "members")
    tag = richest(generated(Tag), "reviews")
    author = richest(generated(Author), "reviews")
    # The long cue sheet (200 cues), and the theme heard in the most cues.
    scored = richest(generated(Film), "cues", "cues__track_links", "themes")
    theme = richest(generated(Theme), "appearances")
    cue = richest(generated(Cue, "film__slug"), "track_links", "citing_reviews")
    pages = {
        "home": ("sitewide:home", []),
        "archive": ("reviews:review_list", []),
        "archive page 2": ("reviews:review_list", [], "?page=2"),
        "review": ("reviews:review_detail", [review.slug]),
        "films": ("films:film_list", []),
        "film": ("films:film_detail", [film.slug]),
        "soundtrack": ("soundtracks:soundtrack_detail", [album.slug]),
        "person": ("films:person_detail", [composer.slug]),
        "group": ("films:person_detail", [group.slug]),
        "franchise": ("films:franchise_detail", [review.film.franchise.slug]),
        "music": ("soundtracks:film_music", [scored.slug]),
        "theme": ("soundtracks:theme_detail", [theme.slug]),
        "cue": ("soundtracks:cue_detail", [cue.film.slug, cue.slug]),
        "tag": ("reviews:tag_detail", [tag.slug]),
        "author": ("reviews:author_detail", [author.slug]),
        "search": ("sitewide:search", [], "?q=score"),
        "search one kind": ("sitewide:search", [], "?q=score&kind=reviews&page=2"),
        "feed": ("reviews:feed", []),
        "atom feed": ("reviews:atom_feed", []),
        "sitemap": ("sitewide:sitemap", []),
    }
    urls = {}
    for page, (name, args, *query) in pages.items():
        try:
            urls[page] = reverse(name, args=args) + "".join(query)
        except NoReverseMatch:
            continue  # A page the reader site does not have (yet).
    return urls


def changelist_urls():
    return {
        model._meta.label: reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
    }


def query_counts(client, urls):
    """Queries per page, each from the same start: content types read afresh, so that what ran
    before in this process (a warm cache or a cold one) is not counted for one size only."""
    counts = {}
    for page, url in urls.items():
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (page, url, response.status_code)
        counts[page] = len(queries)
    return counts


def film_admin_url():
    film = generated(Film).annotate(cues_count=Count("cues")).get(cues_count=200)
    return {"film admin": reverse("admin:films_film_change", args=[film.pk])}


@pytest.fixture(scope="class")
def two_sizes(django_db_setup, django_db_blocker):
    """The content made at two sizes, once for the class, in a transaction rolled back after it:
    for each size, the INSERTs that made it (everything in one batch) and the queries of the
    public pages, the changelists and the film admin built on it. Making the content twice takes
    seconds, so the tests below compare what one pass measured, each its own part of it."""
    from editorial.tests.factories import UserFactory

    measured = {}
    with django_db_blocker.unblock(), transaction.atomic():
        reader, editor = Client(), Client()
        editor.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
        for size, options in (("tiny", TINY), ("small", {"replace": True, **SMALL})):
            measured[size] = {
                "inserts": inserts(batch_size=100_000, **options),
                "public": query_counts(reader, sample_urls()),
                "changelists": query_counts(editor, changelist_urls()),
                "film admin": query_counts(editor, film_admin_url()),
            }
        yield measured
        transaction.set_rollback(True)


# Under xdist the class's tests share one worker (loadgroup), so that the content is made once.
@pytest.mark.xdist_group("generate-content-two-sizes")
class TestTwoSizes:
    def test_rows_are_written_in_a_fixed_number_of_inserts_per_batch(self, two_sizes):
        # Everything fits one batch at both sizes: one INSERT per table, whatever the size.
        tiny, small = two_sizes["tiny"]["inserts"], two_sizes["small"]["inserts"]

        assert small == tiny
        assert {"soundtracks_cue", "soundtracks_cuetrack", "soundtracks_themeappearance"} <= set(
            tiny
        )
        assert set(tiny.values()) == {1}
        # And a batch is a batch: 645-odd cues in batches of 100 are that many INSERTs, no more.
        batched = inserts(batch_size=100, replace=True, **TINY)
        cues = generated(Cue, "film__slug").count()
        assert batched["soundtracks_cue"] == -(-cues // 100)

    def test_public_pages_cost_the_same_queries_at_two_sizes(self, two_sizes):
        tiny, small = two_sizes["tiny"]["public"], two_sizes["small"]["public"]

        assert {"home", "review", "film", "soundtrack", "person", "franchise"} <= tiny.keys()
        assert {"music", "theme"} <= tiny.keys()
        assert small == tiny

    def test_admin_changelists_cost_the_same_queries_at_two_sizes(self, two_sizes):
        tiny, small = two_sizes["tiny"]["changelists"], two_sizes["small"]["changelists"]

        assert "reviews.Review" in tiny
        assert small == tiny

    def test_the_film_admin_with_its_long_cue_sheet_costs_the_same_queries_at_two_sizes(
        self, two_sizes
    ):
        assert two_sizes["small"]["film admin"] == two_sizes["tiny"]["film admin"]


@pytest.mark.django_db(databases=[])
def test_word_lists_are_data_files_whose_templates_name_only_known_fields():
    """Every list in demo/generate/data/ is loaded (none empty, no blank entries), and every
    template's fields are ones the prose fills: a typo there would fail only when drawn."""
    import string

    from demo.generate import words

    loaded = {path.stem for path in words.DATA.glob("*.txt")}
    assert len(loaded) == 23
    for path in words.DATA.glob("*.txt"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines, path.name
        assert all(line and line.strip() == line for line in lines), path.name
        assert len(words._load(path.stem)) == len(lines)
    prose = {"adj", "adj2", "noun", "instrument", "verb", "scene"}
    fields = {
        "SENTENCE_TEMPLATES": prose,
        "SUBHEADS": prose,
        "HEADLINES": prose | {"film", "composer"},
        "DEKS": prose | {"film", "composer"},
        "NOTE_TEXTS": {"scene"},
    }
    for name, allowed in fields.items():
        for template in getattr(words, name):
            used = {field for _, field, _, _ in string.Formatter().parse(template) if field}
            assert used <= allowed, (name, template)
    assert "Labyrinth" in words.TITLE_NOUNS  # the bench searches for it (q=labyrinth)
