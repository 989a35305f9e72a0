"""The queries of OGC API Features: a page of features, their count, one feature, extents.

Only a layer's declared `properties` are read, and geometries are transformed and written as
GeoJSON by PostGIS, so a page and its count cost one query. Pages after the first follow a
keyset (the primary key of the page's last feature), which costs the same at any depth.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.contrib.gis.db.models import Extent, GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import Count, F, Func, Max, Min, Q, QuerySet, Window

from layers.models import LayerState
from layers.ogcapi.crs import Crs, Shape
from layers.ogcapi.queryables import time_field
from layers.registry import Layer, registry
from layers.versions import is_versioned, layer_token

ID = "ogcapi_id"
GEOMETRY = "ogcapi_geometry"
MATCHED = "ogcapi_matched"
EXTENT_SECONDS = 24 * 3600


def _geometry_json(layer: Layer, crs: Crs) -> AsGeoJSON:
    geom = F(layer.geometry_field)
    if crs.srid != layer.srid:
        geom = Transform(geom, crs.srid)
    if crs.lat_first:
        # EPSG:4326 is defined latitude first; GeoJSON writes the axes in the CRS's order.
        geom = Func(geom, function="ST_FlipCoordinates", output_field=GeometryField(srid=crs.srid))
    # About 1 cm either way: 7 decimals of a degree, 2 of a metre.
    return AsGeoJSON(geom, precision=7 if crs.geographic else 2)


def rows(layer: Layer, where: Q, crs: Crs) -> QuerySet:
    """The layer's features as dicts: id, GeoJSON geometry text and the public properties,
    in a stable order (by primary key) so that pages neither repeat nor skip a feature."""
    return (
        layer.get_queryset()
        .filter(where)
        .order_by("pk")
        .values(*layer.properties, **{ID: F("pk"), GEOMETRY: _geometry_json(layer, crs)})
    )


def page(
    layer: Layer, where: Q, crs: Crs, *, limit: int, offset: int, only_bbox: Shape | None = None
) -> tuple[list[dict], int]:
    """One page of features and the number of all that match, in one query.

    `count(*) OVER ()` counts the matches in the same scan that finds the page (PostgreSQL
    writes the GeoJSON of the page's rows only, after the sort and the limit). A page past the
    end has no row to carry the number, and a DISTINCT queryset would count its duplicates:
    those cost a count of their own. A page filtered by a bbox alone (`only_bbox`, which
    `where` then is) or by nothing runs a statement compiled once (`_page_statement`); an
    unfiltered page takes its rows by the key's index and its number from a count cached by the
    layer's version (counting a million rows in the page's query took a second).
    """
    statement = None
    if only_bbox is not None or not where:
        statement = _page_statement(layer, crs, with_bbox=only_bbox is not None)
    if statement is not None and only_bbox is None:
        found = statement.run(None, limit, offset)
        return found, cached_count(layer, layer.get_queryset())
    if statement is not None:
        found = statement.run(only_bbox, limit, offset)
    else:
        found_rows = rows(layer, where, crs)
        if found_rows.query.distinct:
            found = list(found_rows[offset : offset + limit])
            return found, layer.get_queryset().filter(where).count()
        found_rows = found_rows.annotate(**{MATCHED: Window(Count("*"))})
        found = list(found_rows[offset : offset + limit])
    if found:
        return found, found[0][MATCHED]
    if offset == 0:
        return found, 0
    return found, layer.get_queryset().filter(where).count()


# A stand-in for the bbox while a page statement is compiled, replaced by the request's own.
_BBOX_STAND_IN = b"gisportal: the bbox of the request"


@dataclass(frozen=True)
class _PageStatement:
    """The SQL of a page of a layer's features (with its count), without LIMIT and OFFSET."""

    sql: str
    params: tuple
    names: tuple[str, ...]
    bbox_at: int | None  # the position of the bbox among the parameters

    def run(self, only_bbox: Shape | None, limit: int, offset: int) -> list[dict]:
        params = list(self.params)
        if self.bbox_at is not None and only_bbox is not None:
            params[self.bbox_at] = only_bbox.ewkb
        with connection.cursor() as cursor:
            cursor.execute(self.sql + " LIMIT %s OFFSET %s", [*params, limit, offset])
            found = cursor.fetchall()
        return [dict(zip(self.names, row, strict=True)) for row in found]


# Page statements per (layer, declaration, CRS, whether filtered by a bbox); None where the
# ORM must build each page (a DISTINCT queryset, a column whose value Django converts).
_page_statements: dict[tuple, _PageStatement | None] = {}


def _page_statement(layer: Layer, crs: Crs, *, with_bbox: bool) -> _PageStatement | None:
    """The page of features by a bbox, or unfiltered, compiled once: GIS clients ask it most
    (QGIS and GDAL read a map's view by bbox), and building it through the ORM every time
    cost more than PostgreSQL takes to run it. Only for layers declared in code, whose
    queryset is the same query every time (layers.registry)."""
    if registry.get_declared(layer.name) is not layer:
        return None  # a dataset's layer: its queryset names the version published now
    key = (layer.name, layer.signature, crs.srid, crs.lat_first, crs.geographic, with_bbox)
    if key in _page_statements:
        return _page_statements[key]
    where = Q()
    if with_bbox:
        stand_in = Shape(None, layer.srid, ewkb=_BBOX_STAND_IN)
        where = Q(**{f"{layer.geometry_field}__intersects": stand_in})
    found = rows(layer, where, crs)
    if with_bbox:
        found = found.annotate(**{MATCHED: Window(Count("*"))})
    statement = None
    if not found.query.distinct:
        compiler = found.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        query = found.query
        # The columns' names in their order, as Django's ValuesIterable reads them.
        names = tuple(query.selected or ())
        names = names or (*query.extra_select, *query.values_select, *query.annotation_select)
        columns = [expression for expression, _, _ in compiler.select]
        # The count's own converter only makes an int of what psycopg gives as one.
        converted = set(compiler.get_converters(columns))
        converted -= {names.index(MATCHED)} if with_bbox else set()
        # Django wraps bytes for the driver (psycopg's Binary keeps them as `obj`).
        raw = [getattr(p, "obj", p) for p in params]
        bbox_at = next((i for i, p in enumerate(raw) if p == _BBOX_STAND_IN), None)
        if not converted and (bbox_at is not None or not with_bbox):
            statement = _PageStatement(sql, tuple(params), tuple(names), bbox_at)
    _page_statements[key] = statement
    return statement


def _matched(layer: Layer, where: Q) -> int:
    """The number of features that match: every page of a keyset walk shows it, and counting a
    million rows per page would undo the walk's gain."""
    return cached_count(layer, layer.get_queryset().filter(where))


def cached_count(layer: Layer, found: QuerySet, *, token: str | None = None) -> int:
    """The number of rows of a query of the layer, cached by the layer's version (`token`, when
    the caller has it) and the query's SQL (the same filters give the same SQL, whatever the
    page)."""
    try:
        sql, values = found.order_by().query.sql_with_params()
    except EmptyResultSet:  # a filter that nothing can match, such as `pk__in=[]`
        return 0
    token = token or layer_token(layer)
    if not is_versioned(token):
        return found.count()
    digest = hashlib.sha256("|".join([sql, *map(str, values)]).encode()).hexdigest()
    key = f"ogcapi:matched:{layer.name}:{token}:{digest}"
    cache = caches["local"]
    count = cache.get(key)
    if count is None:
        count = found.count()
        cache.set(key, count, EXTENT_SECONDS)
    return count


def keyset_page(
    layer: Layer, where: Q, crs: Crs, *, limit: int, offset: int, after=None, before=None
) -> tuple[list[dict], int, bool]:
    """The page of features whose keys follow `after` (or precede `before`), in key order, the
    number of all that match (whatever the key) and whether more lie beyond the page in the
    direction of travel (one row more than the page is read to tell)."""
    found_rows = rows(layer, where, crs)
    if before is not None:
        found_rows = found_rows.filter(pk__lt=before).order_by("-pk")
    elif after is not None:
        found_rows = found_rows.filter(pk__gt=after)
    found = list(found_rows[offset : offset + limit + 1])
    more = len(found) > limit
    found = found[:limit]
    if before is not None:
        found.reverse()
    return found, _matched(layer, where), more


def one(layer: Layer, feature_id: str, crs: Crs) -> dict | None:
    try:
        return rows(layer, Q(pk=feature_id), crs).first()
    except (ValueError, TypeError, ValidationError):  # not a key of this layer's type
        return None


def _tokens(layers: list[Layer]) -> dict[str, str]:
    """layers.versions.layer_token for many layers in one query."""
    states = {s.name: s.token for s in LayerState.objects.filter(name__in=[x.name for x in layers])}
    return {layer.name: f"{layer.signature}-{states.get(layer.name, '0')}" for layer in layers}


def _instant(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    return str(value)


def _outward(box: tuple[float, float, float, float]) -> list[float]:
    """A box in degrees rounded to 7 decimals (about 1 cm) away from its inside."""
    scale = 10**7
    minx, miny, maxx, maxy = box
    lower = [math.floor(v * scale) / scale for v in (minx, miny)]
    upper = [math.ceil(v * scale) / scale for v in (maxx, maxy)]
    return lower + upper


def _measure(layer: Layer) -> dict:
    """The extent of the layer's data: the box of the geometries transformed to CRS84 one by
    one, exact however far the storage grid's axes turn from the meridians (a second or
    two on a million features, so it is cached)."""
    geom = F(layer.geometry_field)
    if layer.srid != 4326:
        geom = Transform(geom, 4326)
    aggregates = {"box": Extent(geom)}
    timed = time_field(layer)
    if timed:
        aggregates |= {"start": Min(timed[0]), "end": Max(timed[0])}
    found = layer.get_queryset().order_by().aggregate(**aggregates)
    extent: dict = {}
    if found["box"] is not None:
        extent["bbox"] = _outward(found["box"])
    if timed and found["start"] is not None:
        extent["interval"] = [_instant(found["start"]), _instant(found["end"])]
    return extent


def extents(layers: list[Layer]) -> dict[str, dict]:
    """Each layer's extent: {"bbox": [CRS84], "interval": [start, end]}, either missing when
    the layer has no data; computed by PostGIS and cached by the layer's version.

    The interval spans the layer's time property (queryables.time_field), if it has one.
    """
    if not layers:
        return {}
    cache = caches["local"]
    keys = {name: f"ogcapi:extent-crs84:{name}:{token}" for name, token in _tokens(layers).items()}
    cached = cache.get_many(list(keys.values()))
    result = {}
    for layer in layers:
        key = keys[layer.name]
        if key not in cached:
            cached[key] = _measure(layer)
            cache.set(key, cached[key], EXTENT_SECONDS)
        result[layer.name] = cached[key]
    return result
