"""Create or update the local editor account that `make run` prints, for development only."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEFAULT_USERNAME = "editor"
DEFAULT_PASSWORD = "cuesheet-editor"


class Command(BaseCommand):
    help = (
        "Create or update a local superuser for the demo site and print its login. "
        "The password is DEMO_EDITOR_PASSWORD, or 'cuesheet-editor'. Runs only with DEBUG on."
    )
    # migrate and runserver around it in `make run` already report the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--username",
            default=DEFAULT_USERNAME,
            help=f"Username of the account (default: {DEFAULT_USERNAME}).",
        )

    def handle(self, *args, username, **options):
        # A known password on a reachable site is an open door: this account is for laptops only.
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create the demo editor: DEBUG is off, so these are production "
                "settings. Create real accounts with 'manage.py createsuperuser'."
            )
        password = os.environ.get("DEMO_EDITOR_PASSWORD") or DEFAULT_PASSWORD

        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        user.is_active = user.is_staff = user.is_superuser = True
        # Reset the password on every run so that the login printed below always works.
        user.set_password(password)
        user.save()

        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo editor account."))
        self.stdout.write(f"Log in as: {username} / {password}")
