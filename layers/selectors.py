"""Reads of any registered layer's features for cards, lists and pages, from its declaration alone.

Everything here goes through `Layer.get_queryset()`, `Layer.properties`, `Layer.fields()` and
`Layer.geometry_field`, so a layer declared tomorrow, or a dataset uploaded by GIS staff, is read
the same way as parcels or zones, with no code of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import (
    AsGeoJSON,
    Distance,
    Envelope,
    PointOnSurface,
    Transform,
)
from django.contrib.gis.geos import Point
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CharField, Count, F, Q, QuerySet, Value

from layers.registry import Layer, LayerField

# Names of the values a selector adds beside a layer's properties. Dataset attributes are
# plain identifiers too, so these are long enough never to be chosen for one by chance.
FEATURE_ID = "layers_selector_feature_id"
FEATURE_BBOX = "layers_selector_bbox_4326"
FEATURE_CENTER = "layers_selector_center_4326"
FEATURE_GEOJSON = "layers_selector_geojson_4326"
LAYER_NAME = "layers_selector_layer_name"
LAYER_COUNT = "layers_selector_count"

# Decimal places of longitude and latitude sent to browsers: 7 is about a centimetre.
COORDINATE_PRECISION = 7
PAGE_SIZE = 50
TEXT_FILTER_MAX_LENGTH = 100


class InvalidFeatureId(ValueError):
    """The id cannot be a key of this layer's features (not a number where ids are numbers)."""


class InvalidSort(ValueError):
    """The sort names no public property of the layer."""


@dataclass(frozen=True)
class Feature:
    """One feature of a layer: its id, its public properties and where it lies (EPSG:4326)."""

    layer: Layer = field(repr=False)
    id: Any
    properties: dict[str, Any]
    bbox: tuple[float, float, float, float] | None
    center: tuple[float, float] | None
    geometry: dict[str, Any] | None = None


@dataclass(frozen=True)
class FeaturePage:
    """One page of a layer's features, as the table shows them."""

    layer: Layer
    features: list[Feature]
    number: int
    per_page: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def end(self) -> int:
        return min(self.number * self.per_page, self.count)


def parse_feature_id(layer: Layer, raw: str) -> Any:
    """The feature id as the layer's primary key expects it; InvalidFeatureId when it cannot be."""
    try:
        value = layer.model._meta.pk.to_python(raw)
    except ValidationError:
        raise InvalidFeatureId(raw) from None
    if value is None or value == "":
        raise InvalidFeatureId(raw)
    return value


def _in_api_srid(layer: Layer):
    return Transform(F(layer.geometry_field), settings.SRID_API)


def _rows(layer: Layer, queryset: QuerySet, *, with_geometry: bool) -> QuerySet:
    """The layer's properties, id, bounds and an inner point, computed by PostGIS.

    The stored geometry is not loaded: a municipality's boundary has thousands of vertices and a
    card needs only where to fly; the page's small map asks for the outline itself.
    """
    expressions: dict[str, Any] = {
        FEATURE_ID: F("pk"),
        FEATURE_BBOX: Envelope(_in_api_srid(layer)),
        FEATURE_CENTER: PointOnSurface(_in_api_srid(layer)),
    }
    if with_geometry:
        expressions[FEATURE_GEOJSON] = AsGeoJSON(
            _in_api_srid(layer), precision=COORDINATE_PRECISION
        )
    return queryset.values(*layer.properties, **expressions)


def _feature(layer: Layer, row: dict[str, Any]) -> Feature:
    bbox = row.get(FEATURE_BBOX)
    center = row.get(FEATURE_CENTER)
    geojson = row.get(FEATURE_GEOJSON)
    return Feature(
        layer=layer,
        id=row[FEATURE_ID],
        properties={name: row.get(name) for name in layer.properties},
        bbox=tuple(round(v, COORDINATE_PRECISION) for v in bbox.extent) if bbox else None,
        center=(
            (round(center.x, COORDINATE_PRECISION), round(center.y, COORDINATE_PRECISION))
            if center
            else None
        ),
        geometry=json.loads(geojson) if geojson else None,
    )


def feature_by_id(layer: Layer, feature_id: Any, *, with_geometry: bool = False) -> Feature | None:
    """One feature of the layer by its id, in one query; None when the layer has no such one."""
    queryset = layer.get_queryset().filter(pk=feature_id).order_by()
    row = _rows(layer, queryset, with_geometry=with_geometry).first()
    return _feature(layer, row) if row else None


def features_at(
    layer: Layer, point: Point, *, tolerance_m: float = 0.0, limit: int = 10
) -> list[Feature]:
    """The layer's features at a point (any SRID it states), nearest first, in one query.

    A tolerance lets a click find a line or a point, which a point never exactly meets. It is in
    metres, measured in the layer's own grid when that is projected (the storage SRID is).
    """
    if point.srid is None:
        raise ValueError("features_at needs a point with its SRID stated.")
    where = point.transform(layer.srid, clone=True)
    geometry = layer.geometry_field
    queryset = layer.get_queryset()
    if tolerance_m > 0:
        distance = tolerance_m
        if where.srs is not None and where.srs.geographic:
            distance = tolerance_m / 111_320.0  # degrees of latitude; enough to pick by a click
        queryset = queryset.filter(**{f"{geometry}__dwithin": (where, distance)})
    else:
        queryset = queryset.filter(**{f"{geometry}__intersects": where})
    queryset = queryset.annotate(layers_selector_distance=Distance(geometry, where)).order_by(
        "layers_selector_distance", "pk"
    )
    return [_feature(layer, row) for row in _rows(layer, queryset, with_geometry=False)[:limit]]


def text_fields(layer: Layer) -> list[LayerField]:
    return [f for f in layer.fields() if f.type == "string"]


def property_choices(layer: Layer) -> dict[str, dict[Any, str]]:
    """For properties that are model fields with choices: each stored value's label.

    Asked of the model's own field declarations, so it needs no query and no layer-specific code;
    the labels are lazy and read in the active language.
    """
    found: dict[str, dict[Any, str]] = {}
    meta = layer.model._meta
    declared = dict(layer.field_types)
    for name in layer.properties:
        if name in declared:
            continue
        try:
            model_field = meta.get_field(name)
        except FieldDoesNotExist:  # an annotation: it has no choices of its own
            continue
        if getattr(model_field, "choices", None):
            found[name] = {value: label for value, label in model_field.flatchoices}
    return found


def related_labels(layer: Layer, features: list[Feature]) -> dict[str, dict[Any, str]]:
    """For properties that are foreign keys (`municipality_id`): what each referenced row is
    called (its str), in one query per such property however many features are shown.

    The referenced rows' geometries are not loaded: a name needs no boundary.
    """
    found: dict[str, dict[Any, str]] = {}
    meta = layer.model._meta
    declared = dict(layer.field_types)
    for name in layer.properties:
        if name in declared or not name.endswith("_id"):
            continue
        try:
            model_field = meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            continue
        if not (model_field.is_relation and model_field.many_to_one):
            continue
        ids = {feature.properties.get(name) for feature in features} - {None}
        if not ids:
            continue
        related = model_field.related_model
        heavy = [f.name for f in related._meta.concrete_fields if isinstance(f, GeometryField)]
        rows = related._default_manager.filter(pk__in=ids).defer(*heavy)
        found[name] = {row.pk: str(row) for row in rows}
    return found


def features_page(
    layer: Layer,
    *,
    number: int = 1,
    per_page: int = PAGE_SIZE,
    sort: str | None = None,
    descending: bool = False,
    text: str | None = None,
) -> FeaturePage:
    """A page of the layer's features, in two queries (the count and the page) whatever its size.

    `sort` is one of the layer's properties (InvalidSort otherwise); ties and the default order
    go by id, so that pages never overlap. `text` keeps features in which any string property
    contains it, ignoring case.
    """
    queryset = layer.get_queryset().order_by()
    if text:
        condition = Q()
        for found in text_fields(layer):
            condition |= Q(**{f"{found.name}__icontains": text[:TEXT_FILTER_MAX_LENGTH]})
        queryset = queryset.filter(condition) if condition else queryset.none()
    if sort is not None and sort not in layer.properties:
        raise InvalidSort(sort)
    order = [f"-{sort}" if descending else sort] if sort else []
    order.append("-pk" if descending and not sort else "pk")
    count = queryset.count()
    per_page = max(1, per_page)
    number = max(1, number)
    start = (number - 1) * per_page
    rows = _rows(layer, queryset.order_by(*order), with_geometry=False)[start : start + per_page]
    return FeaturePage(
        layer=layer,
        features=[_feature(layer, row) for row in rows],
        number=number,
        per_page=per_page,
        count=count,
    )


def feature_counts(layers: list[Layer]) -> dict[str, int]:
    """How many features each layer has, in one query for all of them (a UNION ALL of counts)."""
    parts = [
        layer.get_queryset()
        .order_by()
        .annotate(**{LAYER_NAME: Value(layer.name, output_field=CharField())})
        .values(LAYER_NAME)
        .annotate(**{LAYER_COUNT: Count("pk")})
        .values_list(LAYER_NAME, LAYER_COUNT)
        for layer in layers
    ]
    if not parts:
        return {}
    counts = {layer.name: 0 for layer in layers}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for name, count in query:
        counts[name] = count
    return counts
