from django.apps import AppConfig


class FilmsConfig(AppConfig):
    name = "films"
    verbose_name = "Films and people"

    def ready(self):
        from films.models import Credit, Film, Franchise, Person
        from pagecache import keys
        from permalinks import tracking as permalinks

        # How the catalogue's rows appear on public pages, for the surrogate keys that purge
        # them: a credit is part of its film's page and is listed on its person's.
        keys.register(Franchise)
        # A person's sort key (from their name and sort name) places them on the people and
        # composer indexes: a rename or a new sort name moves them.
        keys.register(Person, placement=["sort_key", "name"])
        # The film list is in title order and a franchise's in its order, then by release: a
        # change to any of them moves the film between pages.
        keys.register(
            Film, parents=["franchise"], placement=["title", "release_date", "franchise_order"]
        )
        keys.register(Credit, via="film", parents=["person"])
        # Their pages keep their old addresses when a slug changes (a 301 to the new one).
        permalinks.track(Film, Person, Franchise)
