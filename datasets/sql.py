"""SQL the ORM cannot write: copying a version's features into a new version in the database.

Django has no INSERT … SELECT; reading every feature into Python and writing it back would
move the whole dataset through the web process for an append of a few rows.
"""

from django.db import connection

from datasets.models import DatasetFeature


def copy_features(*, source_version_id: int, target_version_id: int, promote_multi: bool) -> int:
    """Copy a version's features into another; with `promote_multi`, as Multi* geometries."""
    table = connection.ops.quote_name(DatasetFeature._meta.db_table)
    geom = "ST_Multi(geom)" if promote_multi else "geom"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (version_id, fid, geom, properties) "  # noqa: S608
            f"SELECT %s, fid, {geom}, properties FROM {table} WHERE version_id = %s",
            [target_version_id, source_version_id],
        )
        return cursor.rowcount
