"""Django's createcachetable, connected as the owner of the tables (core/db/owner.py)."""

from django.core.management.commands.createcachetable import Command as CreateCacheTableCommand

from core.db.owner import as_owner


class Command(CreateCacheTableCommand):
    def handle(self, *args, **options):
        with as_owner():
            return super().handle(*args, **options)
