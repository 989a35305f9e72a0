"""The registry of spatial layers: each app declares its layers in `<app>/layers.py`.

Every registered layer is served, with no code of its own, as vector tiles, an OGC API
collection, a WFS feature type, downloads and a map style entry; all of them read the same
declaration. Layers that are rows (datasets uploaded by GIS staff) join through a source
function (`registry.add_source`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib.gis.db import models as gis_models
from django.db import models
from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language

if TYPE_CHECKING:
    from layers.models import ApiKey


LAYER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class Visibility:
    PUBLIC = "public"
    STAFF = "staff"


@dataclass(frozen=True)
class LayerField:
    """One public property of a layer: its name, a JSON-schema type and a title."""

    name: str
    type: str  # "string", "integer", "number", "boolean", "date", "date-time"
    title: str = ""


def _field_type(model_field) -> str:
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.IntegerField | models.AutoField | models.ForeignKey):
        return "integer"
    if isinstance(model_field, models.FloatField | models.DecimalField):
        return "number"
    if isinstance(model_field, models.DateTimeField):
        return "date-time"
    if isinstance(model_field, models.DateField):
        return "date"
    return "string"


# /tiles/all/… is every public layer in one tile, /tiles/style.json and basemap.json the styles.
RESERVED_NAMES = frozenset({"all", "style", "basemap"})


@dataclass(frozen=True)
class Layer:
    name: str
    title_ka: str
    title_en: str
    # The features; a layer declared in code must give the same query every time (no date of
    # today, no request): its pages and tiles run statements compiled once.
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
    # From min_zoom up to detail_zoom (excluded) tiles are overviews, so that a tile over a whole
    # city stays small: features less than `overview_min_pixels` screen pixels across (on a
    # 512-pixel tile) are left out, of the rest only the `overview_max_features` largest are
    # kept, and they are simplified by a pixel. None: no overviews.
    detail_zoom: int | None = None
    overview_min_pixels: float = 0.25
    overview_max_features: int = 4000
    basemap: bool = False
    order: int = 100
    legend: tuple[dict[str, str], ...] = field(default=())
    keywords: tuple[str, ...] = ()
    # Types of properties that are not model fields (annotations, JSON keys): name -> type.
    field_types: tuple[tuple[str, str], ...] = ()
    # Titles of such properties: (name, title in Georgian, title in English).
    field_titles: tuple[tuple[str, str, str], ...] = ()
    # The municipality whose staff may see a staff-only layer; None: staff of any.
    municipality_code: str | None = None
    # Tables whose writes change this layer (besides the queryset's own model's table).
    extra_tables: tuple[str, ...] = ()
    # A stored copy of the geometry in the tile projection (EPSG:3857, indexed): tiles then clip
    # it as it is, and their SQL is compiled once per zoom (the queryset must not change).
    tile_geometry_field: str | None = None
    # (from zoom, properties): the properties that tiles carry from that zoom up; below the
    # first entry, and without entries, tiles carry all `properties`.
    tile_properties: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # A page of the module that owns the features (a permit's register entry, say): its address
    # from a feature's properties (None: no page for this feature), and the link's text.
    page_url: Callable[[dict[str, Any]], str | None] | None = None
    page_label_ka: str = ""
    page_label_en: str = ""
    # Signed-in people may comment on its features (engagement/), while `comments_open` (called
    # with a feature's properties) answers None; a text it answers says why they may not now.
    comments: bool = False
    comments_open: Callable[[dict[str, Any]], str | None] | None = None

    def __post_init__(self) -> None:
        if not LAYER_NAME.match(self.name):
            raise ValueError(f"Layer name {self.name!r} must be a lower-case slug.")
        if self.name in RESERVED_NAMES:
            raise ValueError(f"Layer name {self.name!r} is taken by the tile server's own paths.")

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ka

    @property
    def page_label(self) -> str:
        return self.page_label_en if get_language() == "en" else self.page_label_ka

    def page_for(self, properties: dict[str, Any]) -> str | None:
        """The owning module's page of a feature with these properties, if the layer has one."""
        return self.page_url(properties) if self.page_url is not None else None

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_ka

    def get_queryset(self) -> QuerySet:
        return self.queryset()

    @cached_property
    def model(self) -> type[models.Model]:
        # Building a queryset costs more than a lookup, and every request asks this often.
        return self.get_queryset().model

    @cached_property
    def memo(self) -> dict[tuple, Any]:
        """What is derived from the declaration alone and asked several times by every request
        (the fields, the queryables), kept on the layer, by language where it holds titles."""
        return {}

    def remembered(self, key: tuple, compute: Callable[[], Any]) -> Any:
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = compute()
        return found

    def fields(self) -> tuple[LayerField, ...]:
        """The public properties with their types, for schemas, queryables and exports."""
        return self.remembered(("fields", get_language()), self._fields)

    def _fields(self) -> tuple[LayerField, ...]:
        declared = dict(self.field_types)
        english = get_language() == "en"
        titles = {name: (en if english else ka) or name for name, ka, en in self.field_titles}
        found = []
        meta = self.model._meta
        for name in self.properties:
            if name in declared:
                found.append(LayerField(name, declared[name], titles.get(name, name)))
                continue
            try:
                model_field = meta.get_field(name.removesuffix("_id"))
            except Exception:  # an annotation the declaration did not type
                found.append(LayerField(name, "string", name))
                continue
            title = str(getattr(model_field, "verbose_name", name))
            found.append(LayerField(name, _field_type(model_field), title))
        return tuple(found)

    @cached_property
    def srid(self) -> int:
        geometry = self.model._meta.get_field(self.geometry_field)
        assert isinstance(geometry, gis_models.GeometryField)
        return geometry.srid

    @property
    def first_detail_zoom(self) -> int:
        """The first zoom whose tiles carry every feature as it is (not an overview)."""
        return max(self.min_zoom, self.detail_zoom or 0)

    def is_overview(self, z: int) -> bool:
        return self.detail_zoom is not None and z < self.detail_zoom

    def tile_properties_at(self, z: int) -> tuple[str, ...]:
        found = self.properties
        for from_zoom, names in sorted(self.tile_properties):
            if from_zoom <= z:
                found = names
        return found

    @cached_property
    def signature(self) -> str:
        """Changes when the declaration changes, so caches of the old shape are not reused."""
        payload = json.dumps(
            [
                self.properties,
                self.geometry_field,
                self.simplify_pixels,
                self.min_zoom,
                self.detail_zoom,
                self.overview_min_pixels,
                self.overview_max_features,
                self.tile_geometry_field,
                self.tile_properties,
            ],
            default=str,
        )
        return hashlib.blake2b(payload.encode(), digest_size=4).hexdigest()

    def can_view(self, user=None, api_key: ApiKey | None = None) -> bool:
        if self.visibility == Visibility.PUBLIC:
            return True
        if api_key is not None and api_key.grants(self.name):
            return True
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        memberships = user.memberships.all()
        if self.municipality_code:
            memberships = memberships.filter(municipality__code=self.municipality_code)
        return user.is_staff and memberships.exists()


class LayerRegistry:
    def __init__(self) -> None:
        self._layers: dict[str, Layer] = {}
        self._sources: list[Callable[[], Iterable[Layer]]] = []

    def register(self, layer: Layer) -> Layer:
        if layer.name in self._layers and self._layers[layer.name] != layer:
            raise ValueError(f"Layer {layer.name!r} is registered twice.")
        self._layers[layer.name] = layer
        return layer

    def unregister(self, name: str) -> None:
        self._layers.pop(name, None)

    def add_source(self, source: Callable[[], Iterable[Layer]]) -> None:
        """A function that yields layers kept as rows (uploaded datasets), asked on each use."""
        if source not in self._sources:
            self._sources.append(source)

    def remove_source(self, source: Callable[[], Iterable[Layer]]) -> None:
        if source in self._sources:
            self._sources.remove(source)

    def declared(self) -> list[Layer]:
        """The layers declared in code, without asking the sources (no database access)."""
        return sorted(self._layers.values(), key=lambda layer: (layer.order, layer.name))

    def get_declared(self, name: str) -> Layer | None:
        """A layer declared in code, without asking the sources (no database access)."""
        return self._layers.get(name)

    def get(self, name: str) -> Layer | None:
        if name in self._layers:
            return self._layers[name]
        for source in self._sources:
            for layer in source():
                if layer.name == name:
                    return layer
        return None

    def all(self) -> list[Layer]:
        layers = dict(self._layers)
        for source in self._sources:
            for layer in source():
                layers.setdefault(layer.name, layer)
        return sorted(layers.values(), key=lambda layer: (layer.order, layer.name))

    def visible_to(self, user=None, api_key: ApiKey | None = None) -> list[Layer]:
        return [layer for layer in self.all() if layer.can_view(user, api_key)]

    def autodiscover(self) -> None:
        autodiscover_modules("layers")


registry = LayerRegistry()
register = registry.register


def visible_layer_for(request, name: str) -> Layer | None:
    """The layer if the request may see it (its user or API key), else None."""
    layer = registry.get(name)
    if layer is None or not layer.can_view(request.user, getattr(request, "api_key", None)):
        return None
    return layer
