from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """Editors' tools every content app shares: audit stamps, lock versions, revisions, guards."""

    name = "editorial"
    verbose_name = "Editorial"
