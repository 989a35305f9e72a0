"""Django's flush, connected as the owner of the tables: TRUNCATE passes over row-level security,
so the application role is not allowed it (core/db/rls.py)."""

from django.core.management.commands.flush import Command as FlushCommand

from core.db.owner import as_owner


class Command(FlushCommand):
    def handle(self, *args, **options):
        with as_owner():
            return super().handle(*args, **options)
