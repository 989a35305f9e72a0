"""CQL2 filters (text and JSON, OGC API Features part 3) as Django Q objects on a layer.

pygeofilter parses; the tree is translated here rather than by pygeofilter's Django backend,
which reads geometry literals without their CRS (envelopes take the column's SRID, `BBOX`
hands the CRS text to GDAL), compares without checking types (the database then fails with an
error instead of a 400), and puts the four numbers of a CQL2 JSON `bbox` in the wrong places.
Here every attribute must be a queryable of the layer, every literal must fit its type, and
every geometry literal is moved from the filter CRS into the storage grid before the query.
"""

from __future__ import annotations

import json
import re
from typing import Any

import shapely
import shapely.geometry
from django.conf import settings
from django.db.models import F, Q, Value
from django.utils.translation import gettext as _
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from layers.ogcapi.crs import (
    CRS84,
    STORAGE,
    WEB_MERCATOR,
    Crs,
    OutOfReach,
    parse_crs,
    to_storage,
)
from layers.ogcapi.queryables import Queryable, accepts, find
from layers.registry import Layer

MAX_FILTER_LENGTH = 20_000
COMPARISONS = {
    ast.Equal: "exact",
    ast.LessThan: "lt",
    ast.LessEqual: "lte",
    ast.GreaterThan: "gt",
    ast.GreaterEqual: "gte",
}
# The comparison seen from the other side: `5 < floors` is `floors > 5`.
MIRRORED = {"lt": "gt", "lte": "gte", "gt": "lt", "gte": "lte", "exact": "exact", "ne": "ne"}
SPATIAL = {
    ast.GeometryIntersects: "intersects",
    ast.GeometryDisjoint: "disjoint",
    ast.GeometryContains: "contains",
    ast.GeometryWithin: "within",
    ast.GeometryTouches: "touches",
    ast.GeometryCrosses: "crosses",
    ast.GeometryOverlaps: "overlaps",
    ast.GeometryEquals: "equals",
}
MIRRORED_SPATIAL = {"contains": "within", "within": "contains"}
# Predicates whose answer depends on all of the literal, so a literal cut to the data region
# (crs.to_storage) can match nothing: no feature contains or equals a shape beyond the region.
WHOLE_SHAPE = ("contains", "equals")
EWKT_SRIDS = {4326: CRS84, settings.SRID_STORAGE: STORAGE, 3857: WEB_MERCATOR}


class FilterError(ValueError):
    """A filter that cannot be run; the message says why, for people."""


def parse_filter(text: str, lang: str, *, layer: Layer, crs: Crs) -> Q:
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(
            _("The filter is longer than %(n)d characters.") % {"n": MAX_FILTER_LENGTH}
        )
    try:
        if lang == "cql2-json":
            tree = parse_json(_json_boxes(json.loads(text)))
        else:
            tree = parse_text(text)
    except FilterError:
        raise
    except Exception as exc:  # lark and pygeofilter raise many kinds for bad input
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FilterError(
            _("The filter is not valid %(lang)s: %(reason)s") % {"lang": lang, "reason": first_line}
        ) from None
    return _Translator(layer, crs).q(tree)


def _json_boxes(node: Any) -> Any:
    """CQL2 JSON with each `{"bbox": [...]}` written as the polygon it is."""
    if isinstance(node, list):
        return [_json_boxes(item) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"bbox"}:
        box = node["bbox"]
        if not (isinstance(box, list) and len(box) == 4 and all(_is_number(v) for v in box)):
            raise FilterError(_("A bbox in the filter needs four numbers."))
        return shapely.geometry.mapping(shapely.box(*box))
    return {key: _json_boxes(value) for key, value in node.items()}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _like_regex(pattern: str) -> str:
    """A CQL2 LIKE pattern (`%` any text, `_` one character, `\\` escapes) as a regex."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "^" + "".join(out) + "$"


class _Translator:
    def __init__(self, layer: Layer, crs: Crs):
        self.layer = layer
        self.crs = crs

    def q(self, node) -> Q:
        if isinstance(node, ast.And):
            return self.q(node.lhs) & self.q(node.rhs)
        if isinstance(node, ast.Or):
            return self.q(node.lhs) | self.q(node.rhs)
        if isinstance(node, ast.Not):
            return ~self.q(node.sub_node)
        if isinstance(node, bool):
            return Q() if node else Q(pk__in=[])
        if isinstance(node, ast.Comparison):
            return self._comparison(node)
        if isinstance(node, ast.Between):
            found = self._scalar(node.lhs)
            low, high = self._literal(found, node.low), self._literal(found, node.high)
            q = Q(**{f"{found.path}__gte": Value(low), f"{found.path}__lte": Value(high)})
            return ~q & Q(**{f"{found.path}__isnull": False}) if node.not_ else q
        if isinstance(node, ast.Like):
            found = self._scalar(node.lhs)
            if found.type != "string":
                raise FilterError(
                    _("LIKE needs a text property; %(name)s is not.") % {"name": found.name}
                )
            q = Q(**{f"{found.path}__regex": _like_regex(node.pattern)})
            return ~q & Q(**{f"{found.path}__isnull": False}) if node.not_ else q
        if isinstance(node, ast.In):
            found = self._scalar(node.lhs)
            options = [self._literal(found, option) for option in node.sub_nodes]
            q = Q(**{f"{found.path}__in": options})
            return ~q & Q(**{f"{found.path}__isnull": False}) if node.not_ else q
        if isinstance(node, ast.IsNull):
            found = self._attribute(node.lhs)
            return Q(**{f"{found.path}__isnull": not node.not_})
        if isinstance(node, ast.SpatialComparisonPredicate):
            return self._spatial(node)
        if isinstance(node, ast.BBox):
            box = shapely.box(node.minx, node.miny, node.maxx, node.maxy)
            crs = self._crs_named(node.crs) if node.crs else self.crs
            return self._spatial_q(self._geometry_attribute(node.lhs), "intersects", box, crs)
        raise FilterError(_("%(what)s is not supported in filters.") % {"what": _describe(node)})

    # Attributes and literals.

    def _attribute(self, node) -> Queryable:
        if not isinstance(node, ast.Attribute):
            raise FilterError(
                _("Expected a property name, found %(what)s.") % {"what": _describe(node)}
            )
        found = find(self.layer, node.name)
        if found is None:
            raise FilterError(
                _("%(name)s is not a queryable of this collection; see its queryables.")
                % {"name": node.name}
            )
        return found

    def _scalar(self, node) -> Queryable:
        found = self._attribute(node)
        if found.is_geometry:
            raise FilterError(
                _("The geometry can only be compared with spatial functions (S_INTERSECTS …).")
            )
        return found

    def _geometry_attribute(self, node) -> Queryable:
        found = self._attribute(node)
        if not found.is_geometry:
            raise FilterError(_("%(name)s is not a geometry.") % {"name": found.name})
        return found

    def _literal(self, found: Queryable, value):
        if isinstance(value, ast.Node | values.Geometry | values.Envelope | values.Interval):
            raise FilterError(
                _("%(name)s must be compared with a value, not %(what)s.")
                % {"name": found.name, "what": _describe(value)}
            )
        if not accepts(found, value):
            raise FilterError(
                _("%(name)s is of type %(type)s; %(value)r does not fit it.")
                % {"name": found.name, "type": found.type, "value": value}
            )
        return value

    # Predicates.

    def _comparison(self, node) -> Q:
        lookup = COMPARISONS.get(type(node), "ne")
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute):
            lhs, rhs, lookup = rhs, lhs, MIRRORED[lookup]
        found = self._scalar(lhs)
        if isinstance(rhs, ast.Attribute):
            other = self._scalar(rhs)
            if (found.type == "string") != (other.type == "string"):
                raise FilterError(
                    _("%(a)s and %(b)s have different types.") % {"a": found.name, "b": other.name}
                )
            value = F(other.path)
        else:
            value = Value(self._literal(found, rhs))
        if lookup == "ne":
            # CQL2: a comparison with a missing value is not true, so <> skips nulls too.
            return ~Q(**{found.path: value}) & Q(**{f"{found.path}__isnull": False})
        return Q(**{f"{found.path}__{lookup}": value})

    def _spatial(self, node) -> Q:
        lookup = SPATIAL[type(node)]
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute):
            lhs, rhs, lookup = rhs, lhs, MIRRORED_SPATIAL.get(lookup, lookup)
        found = self._geometry_attribute(lhs)
        geom, crs = self._shape(rhs)
        return self._spatial_q(found, lookup, geom, crs)

    def _shape(self, node) -> tuple[shapely.Geometry, Crs]:
        if isinstance(node, values.Geometry):
            geometry = dict(node.geometry)
            crs = self.crs
            if "crs" in geometry:  # EWKT: SRID=…;POINT(…), in x/y order whatever the SRID
                srid = int(str(geometry.pop("crs")["properties"]["name"]).rsplit(":", 1)[-1])
                if srid not in EWKT_SRIDS:
                    raise FilterError(_("SRID=%(srid)d is not offered.") % {"srid": srid})
                crs = EWKT_SRIDS[srid]
            try:
                return shapely.geometry.shape(geometry), crs
            except Exception:
                raise FilterError(_("A geometry in the filter is malformed.")) from None
        if isinstance(node, values.Envelope):
            xs, ys = sorted((node.x1, node.x2)), sorted((node.y1, node.y2))
            return shapely.box(xs[0], ys[0], xs[1], ys[1]), self.crs
        if isinstance(node, ast.Function) and node.name.lower() == "bbox":
            if len(node.arguments) != 4 or not all(_is_number(v) for v in node.arguments):
                raise FilterError(_("BBOX in the filter needs four numbers."))
            return shapely.box(*node.arguments), self.crs
        raise FilterError(
            _("Expected a geometry (WKT, GeoJSON or BBOX), found %(what)s.")
            % {"what": _describe(node)}
        )

    def _spatial_q(self, found: Queryable, lookup: str, geom: shapely.Geometry, crs: Crs) -> Q:
        if geom.is_empty or not shapely.is_valid(geom):
            raise FilterError(_("A geometry in the filter is empty or not valid."))
        if shapely.get_num_coordinates(geom) > settings.GEOMETRY_MAX_VERTICES:
            raise FilterError(_("A geometry in the filter has too many vertices."))
        try:
            stored, cut = to_storage(geom, crs, self.layer.srid)
        except OutOfReach as exc:
            raise FilterError(str(exc)) from None
        if stored is None:
            # Nothing of the shape lies where the data is: only "disjoint" can hold.
            return Q() if lookup == "disjoint" else Q(pk__in=[])
        if cut and lookup in WHOLE_SHAPE:
            return Q(pk__in=[])
        return Q(**{f"{found.path}__{lookup}": stored})

    def _crs_named(self, name: str) -> Crs:
        found = parse_crs(name)
        if found is None:
            raise FilterError(_("The CRS %(name)r is not offered.") % {"name": name})
        return found


def _describe(node) -> str:
    if isinstance(node, ast.Function):
        return _("the function %(name)s") % {"name": node.name.upper()}
    if isinstance(node, ast.Node):
        return type(node).__name__
    return repr(node)
