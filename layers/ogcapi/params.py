"""Query parameters of the OGC API: each is checked here, and anything wrong is an `OgcError`
that names the parameter (the views answer it as 400 JSON in the OGC exception shape).

Unknown parameters are refused, as the OGC test suite expects; `f` (the format) and `api_key`
(read by layers.access for clients that can only add a parameter) are known everywhere.
`after-id` and `before-id` are our own, written into the `next` and `prev` links; a
hyphen keeps them apart from every property name (datasets allow letters, digits and `_`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from layers.ogcapi import crs as crs_module
from layers.ogcapi.cql import FilterError, parse_filter
from layers.ogcapi.crs import CRS84, Crs, OutOfReach, Shape, parse_crs, stored_shape
from layers.ogcapi.queryables import parse_value, queryables, time_field
from layers.registry import Layer

COMMON = frozenset({"f", "api_key"})
AFTER = "after-id"
BEFORE = "before-id"
ITEMS = COMMON | {
    AFTER,
    BEFORE,
    "bbox",
    "bbox-crs",
    "limit",
    "offset",
    "datetime",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
}
ITEM = COMMON | {"crs"}
DEFAULT_LIMIT = 10
FILTER_LANGS = ("cql2-text", "cql2-json")
NOTHING = Q(pk__in=[])


class OgcError(Exception):
    """An answer other than success: {"code", "description", "parameter"} with its status."""

    def __init__(self, status: int, code: str, description: str, parameter: str | None = None):
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.parameter = parameter

    def as_json(self) -> dict:
        body = {"code": self.code, "description": self.description}
        if self.parameter:
            body["parameter"] = self.parameter
        return body


def invalid(parameter: str, description: str) -> OgcError:
    return OgcError(400, "InvalidParameterValue", description, parameter)


def not_found(description: str) -> OgcError:
    return OgcError(404, "NotFound", description)


def check_known(query: QueryDict, allowed: frozenset[str] | set[str]) -> None:
    """Refuse a parameter this resource does not know, and one given twice with two values
    (GDAL repeats the parameters of its connection URL on links that already carry them)."""
    for name in query:
        if name not in allowed:
            raise invalid(
                name,
                _("The parameter %(name)s is not known here; known parameters: %(known)s.")
                % {"name": name, "known": ", ".join(sorted(allowed))},
            )
        if len(set(query.getlist(name))) > 1:
            raise invalid(
                name,
                _("The parameter %(name)s is given more than once, with different values.")
                % {"name": name},
            )


def text(query: QueryDict, name: str) -> str | None:
    value = query.get(name)
    return value.strip() if value is not None and value.strip() else None


def format_param(query: QueryDict) -> str | None:
    value = text(query, "f")
    if value is None:
        return None
    if value.lower() not in ("json", "html"):
        raise invalid("f", _("f must be json or html; got %(value)r.") % {"value": value})
    return value.lower()


# The largest offset taken: PostgreSQL's OFFSET is a bigint, and no layer comes near this.
MAX_OFFSET = 2**31 - 1


def _whole_number(
    query: QueryDict, name: str, *, default: int, minimum: int, maximum: int | None = None
) -> int:
    raw = text(query, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(
            name, _("%(name)s=%(value)r is not a whole number.") % {"name": name, "value": raw}
        ) from None
    if value < minimum:
        raise invalid(
            name,
            _("%(name)s must be at least %(minimum)d; got %(value)d.")
            % {"name": name, "minimum": minimum, "value": value},
        )
    if maximum is not None and value > maximum:
        raise invalid(
            name,
            _("%(name)s must be at most %(maximum)d.") % {"name": name, "maximum": maximum},
        )
    return value


def limit_param(query: QueryDict) -> int:
    """Features per page: at least 1; above the maximum it is cut to the maximum, as OGC API
    Features allows, and the page's `next` link says there is more."""
    raw = text(query, "limit")
    if raw is not None and raw.isdigit() and len(raw) > 9:
        return settings.API_MAX_PAGE_SIZE  # however large, it is cut to the maximum
    value = _whole_number(query, "limit", default=DEFAULT_LIMIT, minimum=1)
    return min(value, settings.API_MAX_PAGE_SIZE)


def offset_param(query: QueryDict) -> int:
    return _whole_number(query, "offset", default=0, minimum=0, maximum=MAX_OFFSET)


def key_param(query: QueryDict, name: str, layer: Layer):
    """A primary key of the layer, as its field reads it; None when the parameter is absent."""
    raw = text(query, name)
    if raw is None:
        return None
    try:
        value = layer.model._meta.pk.to_python(raw)
    except (ValidationError, ValueError, TypeError):
        value = None
    if value is None:
        raise invalid(
            name,
            _("%(name)s=%(value)r is not a feature id of this collection.")
            % {"name": name, "value": raw},
        )
    return value


def crs_param(query: QueryDict, name: str) -> Crs:
    raw = text(query, name)
    if raw is None:
        return CRS84
    found = parse_crs(raw)
    if found is None:
        offered = ", ".join(c.uri for c in crs_module.SUPPORTED)
        raise invalid(
            name,
            _("%(name)s=%(value)r is not offered; use one of %(offered)s.")
            % {"name": name, "value": raw, "offered": offered},
        )
    return found


def _bbox_numbers(raw: str) -> list[float]:
    """The four numbers of `bbox` (lower corner, upper corner); of six, the heights are left
    out."""
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise invalid(
            "bbox",
            _("bbox needs four or six numbers separated by commas; got %(count)d values.")
            % {"count": len(parts)},
        )
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise invalid(
            "bbox", _("bbox %(value)r holds something that is not a number.") % {"value": raw}
        ) from None
    if not all(math.isfinite(n) for n in numbers):
        raise invalid("bbox", _("bbox holds a number that is not finite."))
    if len(numbers) == 6:
        if numbers[2] > numbers[5]:
            raise invalid(
                "bbox", _("bbox must be given as the lower corner, then the upper corner.")
            )
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return numbers


def _bbox_shape(numbers: list[float], box_crs: Crs) -> shapely.Geometry:
    """The box, in the CRS's axis order; in degrees, a box whose west edge lies east of its
    east edge crosses the antimeridian and is the union of the parts on either side."""
    lower, upper = numbers[:2], numbers[2:]
    lon = 1 if box_crs.lat_first else 0
    if box_crs.geographic:
        lons, lats = (lower[lon], upper[lon]), (lower[1 - lon], upper[1 - lon])
        if any(abs(v) > 180 for v in lons) or any(abs(v) > 90 for v in lats):
            raise invalid("bbox", _("bbox lies outside the range of longitude and latitude."))
    for axis in (0, 1):
        if lower[axis] > upper[axis] and not (box_crs.geographic and axis == lon):
            raise invalid(
                "bbox", _("bbox must be given as the lower corner, then the upper corner.")
            )
    if lower[lon] <= upper[lon]:
        return _box(lower, upper)
    east_end, west_end = list(upper), list(lower)
    east_end[lon], west_end[lon] = 180.0, -180.0
    return shapely.union(_box(lower, east_end), _box(west_end, upper))


def _box(lower: list[float], upper: list[float]) -> shapely.Geometry:
    """The box between two corners; a box of no width or height is the line or the point it
    is, which features can still intersect (a polygon of no area cannot be projected)."""
    return shapely.envelope(shapely.multipoints([lower, upper]))


def bbox_q(query: QueryDict, layer: Layer) -> Q:
    """`bbox` (in `bbox-crs`, CRS84 by default) as a filter on the layer's geometry."""
    found = bbox_shape(query, layer)
    if found is None:
        return Q()
    if isinstance(found, Q):
        return found
    return Q(**{f"{layer.geometry_field}__intersects": found})


def bbox_shape(query: QueryDict, layer: Layer) -> Shape | Q | None:
    """`bbox` as the shape that features must intersect, in the layer's SRID; NOTHING when no
    feature can lie in it; None when there is no bbox."""
    box_crs = crs_param(query, "bbox-crs")
    raw = text(query, "bbox")
    if raw is None:
        if text(query, "bbox-crs") is not None:
            raise invalid("bbox-crs", _("bbox-crs is given without a bbox."))
        return None
    shape = _bbox_shape(_bbox_numbers(raw), box_crs)
    try:
        geom, _cut = stored_shape(shape, box_crs, layer.srid)
    except OutOfReach as exc:
        raise invalid("bbox", str(exc)) from None
    if geom is None:
        return NOTHING
    return Shape(geom, layer.srid)


@dataclass(frozen=True)
class _Moment:
    """One end of a datetime parameter: the first and the last instant that it covers."""

    first: datetime
    last: datetime  # exclusive for a whole day, inclusive for an instant
    whole_day: bool


def _moment(raw: str) -> _Moment | None:
    value = parse_datetime(raw) if "T" in raw.upper() else None
    if value is not None:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return _Moment(value, value, False)
    day = parse_date(raw)
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=UTC)
        return _Moment(start, start + timedelta(days=1), True)
    return None


def datetime_q(query: QueryDict, layer: Layer) -> Q:
    """`datetime`: an instant or an interval (`a/b`, `../b`, `a/..`), on the layer's time
    property (`queryables.time_field`).

    A layer without a time field has features with no time, which no instant excludes: the
    parameter is checked and then has no effect there (OGC API Features leaves this open).
    """
    raw = text(query, "datetime")
    if raw is None:
        return Q()
    ends = raw.split("/")
    if len(ends) > 2:
        raise invalid("datetime", _("datetime is an instant or an interval a/b."))
    moments: list[_Moment | None] = []
    for end in ends:
        if end in ("", "..") and len(ends) == 2:
            moments.append(None)
            continue
        try:
            moment = _moment(end)
        except ValueError:
            moment = None
        if moment is None:
            raise invalid(
                "datetime",
                _("%(value)r is not an RFC 3339 date or date-time, nor '..'.") % {"value": end},
            )
        moments.append(moment)
    if len(moments) == 2 and moments[0] is None and moments[1] is None:
        raise invalid("datetime", _("An interval needs at least one end."))
    if len(moments) == 2 and moments[0] and moments[1] and moments[0].first > moments[1].first:
        raise invalid("datetime", _("The interval ends before it starts."))
    timed = time_field(layer)
    if timed is None:
        return Q()
    field, kind = timed
    is_date = kind == "date"
    start, end = (moments[0], moments[0]) if len(moments) == 1 else moments
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start.first.astimezone(UTC).date() if is_date else start.first})
    if end is not None:
        if is_date:
            q &= Q(**{f"{field}__lte": end.first.astimezone(UTC).date()})
        elif end.whole_day:
            q &= Q(**{f"{field}__lt": end.last})
        else:
            q &= Q(**{f"{field}__lte": end.last})
    return q


def properties_q(query: QueryDict, layer: Layer) -> Q:
    """`?name=value` for each queryable property: equality, in the property's type."""
    q = Q()
    for name, found in queryables(layer).items():
        raw = query.get(name)
        # A property named like a parameter of the API (`limit`) is filtered with CQL2 only.
        if raw is None or found.is_geometry or name in ITEMS:
            continue
        try:
            value = parse_value(found, raw)
        except ValueError:
            expected = f" ({', '.join(found.enum)})" if found.enum else ""
            raise invalid(
                name,
                _("%(name)s=%(value)r is not a valid %(type)s%(expected)s.")
                % {"name": name, "value": raw, "type": found.type, "expected": expected},
            ) from None
        q &= Q(**{found.path: value})
    return q


def filter_q(query: QueryDict, layer: Layer) -> Q:
    lang = (text(query, "filter-lang") or "cql2-text").lower()
    if lang not in FILTER_LANGS:
        raise invalid(
            "filter-lang",
            _("filter-lang must be cql2-text or cql2-json; got %(value)r.") % {"value": lang},
        )
    filter_crs = crs_param(query, "filter-crs")
    raw = text(query, "filter")
    if raw is None:
        return Q()
    try:
        return parse_filter(raw, lang, layer=layer, crs=filter_crs)
    except FilterError as exc:
        raise invalid("filter", str(exc)) from None


@dataclass(frozen=True)
class ItemsQuery:
    where: Q
    limit: int
    offset: int
    crs: Crs
    after: object = None  # the primary key that the page's features follow
    before: object = None  # the primary key that they precede
    # The bbox when it is the only filter (features.page then runs a compiled statement).
    only_bbox: Shape | None = None

    @property
    def keyset(self) -> bool:
        return self.after is not None or self.before is not None


def items_query(query: QueryDict, layer: Layer) -> ItemsQuery:
    names = {name for name, q in queryables(layer).items() if not q.is_geometry}
    check_known(query, ITEMS | names)
    format_param(query)
    box = bbox_shape(query, layer)
    rest = datetime_q(query, layer) & properties_q(query, layer) & filter_q(query, layer)
    if box is None:
        where = rest
    elif isinstance(box, Q):
        where = box & rest
    else:
        where = Q(**{f"{layer.geometry_field}__intersects": box}) & rest
    after, before = key_param(query, AFTER, layer), key_param(query, BEFORE, layer)
    if after is not None and before is not None:
        raise invalid(BEFORE, _("after-id and before-id cannot be given together."))
    return ItemsQuery(
        where,
        limit_param(query),
        offset_param(query),
        crs_param(query, "crs"),
        after=after,
        before=before,
        only_bbox=box if isinstance(box, Shape) and not rest else None,
    )


def item_crs(query: QueryDict) -> Crs:
    check_known(query, ITEM)
    format_param(query)
    return crs_param(query, "crs")


def simple(query: QueryDict) -> None:
    """The parameters of a resource that takes none but the format."""
    check_known(query, COMMON)
    format_param(query)
