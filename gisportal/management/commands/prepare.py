"""Bring the database up to date and load the demo data into an empty one, in one process."""

from django.conf import settings
from django.core.management import BaseCommand, call_command

from core.db.owner import as_owner


class Command(BaseCommand):
    help = "Migrate, then load the demo data when the database is empty (GISPORTAL_DEMO)."

    def handle(self, *args, **options):
        # As the owner of the tables (core/db/owner.py): the demo data is copied straight in.
        with as_owner():
            call_command("migrate", interactive=False, verbosity=0)
            if settings.GISPORTAL_DEMO:
                call_command("load_demo", if_empty=True, stdout=self.stdout)
