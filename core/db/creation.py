"""Test databases are created, migrated and dropped by the owner of the tables (core/db/owner.py);
the tests themselves then connect as the application role."""

from django.db.backends.postgresql.creation import DatabaseCreation as PostgreSQLCreation

from core.db.owner import as_owner


class DatabaseCreation(PostgreSQLCreation):
    def create_test_db(self, *args, **kwargs):
        with as_owner():
            return super().create_test_db(*args, **kwargs)

    def destroy_test_db(self, *args, **kwargs):
        with as_owner():
            return super().destroy_test_db(*args, **kwargs)
