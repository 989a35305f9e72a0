"""The registry of spatial layers: each app declares its layers in `<app>/layers.py`.

Every registered layer is served, with no code of its own, as vector tiles and a map style
entry; later publishing paths (OGC API, WFS, downloads) read the same declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language


class Visibility:
    PUBLIC = "public"
    STAFF = "staff"


@dataclass(frozen=True)
class Layer:
    name: str
    title_ka: str
    title_en: str
    queryset: Callable[[], QuerySet]
    properties: tuple[str, ...]
    description_ka: str = ""
    description_en: str = ""
    geometry_field: str = "geom"
    geometry_type: str = "MultiPolygon"
    min_zoom: int = 0
    max_zoom: int = 22
    # MapLibre layer definitions without id/source/source-layer, which the portal fills in.
    style: tuple[dict[str, Any], ...] = ()
    visibility: str = Visibility.PUBLIC
    downloadable: bool = True
    time_field: str | None = None
    # Tolerance, in tile pixels, by which geometries are simplified below max_zoom.
    simplify_pixels: float = 0.0
    basemap: bool = False
    order: int = 100
    legend: tuple[dict[str, str], ...] = field(default=())

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ka

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_ka

    def get_queryset(self) -> QuerySet:
        return self.queryset()

    def can_view(self, user) -> bool:
        if self.visibility == Visibility.PUBLIC:
            return True
        return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff))


class LayerRegistry:
    def __init__(self) -> None:
        self._layers: dict[str, Layer] = {}

    def register(self, layer: Layer) -> Layer:
        if layer.name in self._layers and self._layers[layer.name] != layer:
            raise ValueError(f"Layer {layer.name!r} is registered twice.")
        self._layers[layer.name] = layer
        return layer

    def get(self, name: str) -> Layer | None:
        return self._layers.get(name)

    def all(self) -> list[Layer]:
        return sorted(self._layers.values(), key=lambda layer: (layer.order, layer.name))

    def visible_to(self, user) -> list[Layer]:
        return [layer for layer in self.all() if layer.can_view(user)]

    def autodiscover(self) -> None:
        autodiscover_modules("layers")


registry = LayerRegistry()
register = registry.register
