"""What a layer can be filtered on: its public properties, with their types, and its geometry.

Filters (CQL2 and `?name=value`) and the queryables document read this one list, so a client
can filter on exactly what it is told it can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language

from layers.registry import Layer

GEOMETRY = "geometry"
TIME_TYPES = ("date", "date-time")
JSON_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
}


@dataclass(frozen=True)
class Queryable:
    name: str
    type: str  # a LayerField type, or "geometry"
    title: str
    path: str  # the ORM lookup path
    enum: tuple[str, ...] = ()

    @property
    def is_geometry(self) -> bool:
        return self.type == GEOMETRY


def _choices(layer: Layer, name: str) -> tuple[str, ...]:
    try:
        field = layer.model._meta.get_field(name)
    except FieldDoesNotExist:
        return ()
    return tuple(str(value) for value, _ in field.choices or ())


def queryables(layer: Layer) -> dict[str, Queryable]:
    """The layer's queryables by name: the geometry (as `geometry`, unless a property has that
    name), then each public property."""
    return layer.remembered(("queryables", get_language()), lambda: _queryables(layer))


def _queryables(layer: Layer) -> dict[str, Queryable]:
    found = {
        field.name: Queryable(
            field.name, field.type, str(field.title), field.name, _choices(layer, field.name)
        )
        for field in layer.fields()
    }
    name = GEOMETRY if GEOMETRY not in found else layer.geometry_field
    return {name: Queryable(name, GEOMETRY, GEOMETRY, layer.geometry_field)} | found


def find(layer: Layer, name: str) -> Queryable | None:
    """A queryable by name; the geometry answers to its field's name too (e.g. `geom`)."""
    found = queryables(layer)
    if name == layer.geometry_field and name not in found:
        return next(q for q in found.values() if q.is_geometry)
    return found.get(name)


def time_field(layer: Layer) -> tuple[str, str] | None:
    """The property that `datetime` filters on and the temporal extent spans, with its type
    ("date" or "date-time"): the layer's declared `time_field`, else its only public property
    of such a type; None when it has none (or several, and declares none)."""
    timed = [(f.name, f.type) for f in layer.fields() if f.type in TIME_TYPES]
    if layer.time_field:
        declared = dict(timed) | dict(layer.field_types)
        return layer.time_field, declared.get(layer.time_field) or _model_time_type(layer)
    return timed[0] if len(timed) == 1 else None


def _model_time_type(layer: Layer) -> str:
    try:
        field = layer.model._meta.get_field(layer.time_field)
    except FieldDoesNotExist:
        return "date-time"
    is_date = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    return "date" if is_date else "date-time"


def json_schema(layer: Layer, *, url: str) -> dict:
    """The queryables as a JSON Schema (OGC API Features part 3)."""
    properties = {}
    for q in queryables(layer).values():
        if q.is_geometry:
            properties[q.name] = {
                "title": q.title,
                "format": f"geometry-{layer.geometry_type.lower()}",
                "x-ogc-role": "primary-geometry",
            }
            continue
        schema = {"title": q.title, **JSON_TYPES.get(q.type, {"type": "string"})}
        if q.enum:
            schema["enum"] = list(q.enum)
        properties[q.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": layer.title,
        "properties": properties,
        "additionalProperties": False,
    }


def parse_value(queryable: Queryable, text: str) -> str | int | float | bool | date | datetime:
    """A query parameter's text as a value of the queryable's type; ValueError if it is not."""
    kind = queryable.type
    if kind == "integer":
        return int(text)
    if kind == "number":
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(text)
        return value
    if kind == "boolean":
        # GDAL writes booleans as 1 and 0.
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text.lower() in ("true", "1")
    if kind == "date":
        value = parse_date(text)
        if value is None:
            raise ValueError(text)
        return value
    if kind == "date-time":
        value = parse_datetime(text)
        if value is None:
            raise ValueError(text)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if queryable.enum and text not in queryable.enum:
        raise ValueError(text)
    return text


def accepts(queryable: Queryable, value) -> bool:
    """Whether a filter literal fits the queryable's type, so the database never compares
    unlike types (which it would answer with an error)."""
    kind = queryable.type
    if isinstance(value, bool):
        return kind == "boolean"
    if kind in ("integer", "number"):
        return isinstance(value, int | float)
    if kind == "string":
        return isinstance(value, str)
    if kind in ("date", "date-time"):
        return isinstance(value, date)
    return False
