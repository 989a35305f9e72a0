"""SQL the ORM cannot write: copying a version's features into a new version in the database,
writing an upload's features with COPY, and promoting a version's geometries to Multi*.

Django has no INSERT … SELECT; reading every feature into Python and writing it back would
move the whole dataset through the worker for an append of a few rows. Nor does it have COPY,
or an UPDATE with a PostGIS function that a test of its own could not check as simply.
"""

import json
from itertools import count

import numpy as np
import shapely
from django.conf import settings
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


def features_copy(
    *, version_id: int, first_fid: int, geoms: np.ndarray, properties: list[dict]
) -> int:
    """Write a batch of features with COPY; return how many.

    One COPY per batch streams the rows to PostgreSQL without a model instance or an INSERT
    statement for each: an upload of half a million features stays a few batches in memory.
    """
    if not len(geoms):
        return 0
    table = connection.ops.quote_name(DatasetFeature._meta.db_table)
    ewkb = shapely.to_wkb(
        shapely.set_srid(geoms, settings.SRID_STORAGE), hex=True, include_srid=True
    )
    with connection.cursor() as cursor:
        # Django's cursor wraps psycopg's, whose copy() the ORM does not offer.
        with cursor.cursor.copy(
            f"COPY {table} (version_id, fid, geom, properties) FROM STDIN"  # noqa: S608
        ) as copy:
            for fid, geom, values in zip(count(first_fid), ewkb, properties, strict=False):
                copy.write_row((version_id, fid, geom, json.dumps(values, ensure_ascii=False)))
    return len(geoms)


def features_promote_multi(*, version_id: int) -> int:
    """Make every single geometry of a version a Multi* one, as its other features are."""
    table = connection.ops.quote_name(DatasetFeature._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET geom = ST_Multi(geom) "  # noqa: S608
            "WHERE version_id = %s AND GeometryType(geom) NOT LIKE 'MULTI%%'",
            [version_id],
        )
        return cursor.rowcount
