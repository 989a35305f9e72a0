"""Django's migrate, connected as the owner of the tables (core/db/owner.py); afterwards the
application role's grants and the row-level security are made again (core/db/rls.py)."""

from django.core.management.commands.migrate import Command as MigrateCommand

from core.db.owner import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with as_owner():
            return super().handle(*args, **options)
