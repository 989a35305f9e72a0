"""Published datasets join the layer registry: each is a Layer over its active version.

The source is asked on every tile, OGC API and WFS request that names a layer the code does not
declare, so it costs one small query (published datasets with their active version) and no
more. It is not cached across requests: publishing, unpublishing or marking a dataset staff-only
must take effect at once in every worker process, and a stale cache would leak a layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import BigIntegerField, BooleanField, DateField, FloatField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from datasets.models import Dataset, DatasetFeature, default_style
from layers.registry import Layer, registry

_CASTS = {
    "integer": BigIntegerField,
    "number": FloatField,
    "boolean": BooleanField,
    "date": DateField,
}


def property_expression(entry: dict):
    """The typed value of one attribute, from the JSONB key it is kept under."""
    text = KeyTextTransform(entry["source"], "properties")
    cast = _CASTS.get(entry["type"])
    return Cast(text, cast()) if cast else text


def features_queryset(version_id: int, schema: list[dict]):
    """A version's features with one annotation per attribute, named as published."""
    return DatasetFeature.objects.filter(version_id=version_id).annotate(
        **{entry["name"]: property_expression(entry) for entry in schema}
    )


def family_of(geometry_type: str) -> str:
    kind = geometry_type.removeprefix("Multi")
    return {"Point": "point", "LineString": "line"}.get(kind, "polygon")


def maplibre_style(style: dict[str, Any] | None, geometry_type: str) -> tuple[dict, ...]:
    """MapLibre layer definitions for the basic style an officer edits."""
    s = {**default_style(), **(style or {})}
    opacity = float(s.get("opacity", 1.0))
    family = family_of(geometry_type)
    if family == "point":
        return (
            {
                "type": "circle",
                "paint": {
                    "circle-color": s["fill_color"],
                    "circle-radius": float(s["circle_radius"]),
                    "circle-opacity": opacity,
                    "circle-stroke-color": s["line_color"],
                    "circle-stroke-width": float(s["line_width"]),
                },
            },
        )
    if family == "line":
        return (
            {
                "type": "line",
                "paint": {
                    "line-color": s["line_color"],
                    "line-width": float(s["line_width"]),
                    "line-opacity": opacity,
                },
                "layout": {"line-cap": "round", "line-join": "round"},
            },
        )
    return (
        {
            "type": "fill",
            "paint": {
                "fill-color": s["fill_color"],
                "fill-opacity": float(s["fill_opacity"]) * opacity,
            },
        },
        {
            "type": "line",
            "paint": {
                "line-color": s["line_color"],
                "line-width": float(s["line_width"]),
                "line-opacity": opacity,
            },
        },
    )


def layer_of(dataset: Dataset) -> Layer:
    version = dataset.active_version
    schema = list(version.schema)
    version_id = version.pk
    family = family_of(version.geometry_type)
    style = {**default_style(), **(dataset.style or {})}
    return Layer(
        name=dataset.name,
        title_ka=dataset.title_ka,
        title_en=dataset.title_en,
        description_ka=dataset.abstract_ka,
        description_en=dataset.abstract_en,
        queryset=lambda: features_queryset(version_id, schema),
        properties=tuple(entry["name"] for entry in schema),
        field_types=tuple((entry["name"], entry["type"]) for entry in schema),
        field_titles=tuple(
            (entry["name"], entry.get("title_ka", ""), entry.get("title_en", ""))
            for entry in schema
        ),
        geometry_field="geom",
        geometry_type=version.geometry_type,
        style=maplibre_style(style, version.geometry_type),
        visibility=dataset.visibility,
        downloadable=dataset.downloadable,
        municipality_code=dataset.municipality.code,
        keywords=tuple(dataset.keywords),
        legend=(
            {
                "label": dataset.title_en,
                "label_ka": dataset.title_ka,
                "kind": family,
                "color": style["line_color"] if family == "line" else style["fill_color"],
            },
        ),
        order=200,
    )


def published_layers() -> Iterator[Layer]:
    datasets = (
        Dataset.objects.published()
        .select_related("active_version", "municipality")
        .only(
            "name",
            "title_ka",
            "title_en",
            "abstract_ka",
            "abstract_en",
            "keywords",
            "style",
            "visibility",
            "downloadable",
            "municipality__code",
            "active_version__schema",
            "active_version__geometry_type",
        )
        .order_by("name")
    )
    for dataset in datasets:
        yield layer_of(dataset)


registry.add_source(published_layers)
