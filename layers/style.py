"""The portal's MapLibre style, built from the layer registry for the user who asks for it,
with what the map's layer panel shows of each layer (legend swatches read from the layer's own
style, whether it starts shown, what names its features) in the style's metadata."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from layers.registry import Layer, registry
from layers.selectors import property_choices
from layers.tiles import max_zoom_of
from layers.versions import layer_token

# The sea around Batumi; land is drawn by the municipalities' own fill.
BACKGROUND_COLOR = "#cfe1ea"
STYLE_MAX_ZOOM = 24


def tile_url_template(request: HttpRequest, layer: Layer) -> str:
    """The absolute {z}/{x}/{y} URL of a layer's tiles: workers fetch them without a base URL.

    It carries the layer's version, so that browsers drop tiles they kept of older data as soon
    as the style is asked for again (the tiles themselves may be cached for minutes).
    """
    url = reverse("layers:tile", kwargs={"layer": layer.name, "z": 0, "x": 0, "y": 0})
    template = request.build_absolute_uri(url).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    return f"{template}?v={layer_token(layer)}"


def style_layer_ids(layer: Layer) -> list[str]:
    """Stable ids of a layer's style entries: `parcels-fill`, `parcels-line`, `x-line-2`..."""
    ids: list[str] = []
    for definition in layer.style:
        base = f"{layer.name}-{definition.get('type', 'layer')}"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


# Legends: swatches read from the layer's own style ---------------------------------------

# Colours that may go into a legend's SVG as they are: no url(), nothing that could fetch.
SAFE_COLOR = re.compile(
    r"^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/a-z]*\)|[a-zA-Z]{3,20})$"
)
DEFAULT_COLOR = "#5b6b7a"
LEGEND_MIN_FILL_OPACITY = 0.25


def geometry_family(layer: Layer) -> str:
    """ "point", "line" or "polygon": how the layer's features are drawn and picked."""
    kind = layer.geometry_type.removeprefix("Multi")
    return {"Point": "point", "LineString": "line"}.get(kind, "polygon")


def evaluate(value: Any, properties: dict[str, Any]) -> Any:
    """The value of a MapLibre expression for a feature with these properties, far enough to
    draw a legend: literals, get, case, match, comparisons and type assertions. Feature state
    (selection) is off; a zoom curve gives its last stop, as the map shows the layer up close."""
    if not isinstance(value, list) or not value:
        return value
    op, args = value[0], value[1:]
    if op == "literal":
        return args[0] if args else None
    if op == "get":
        return properties.get(args[0]) if args else None
    if op in ("feature-state", "zoom"):
        return None
    if op in ("boolean", "string", "number", "to-boolean", "to-string", "to-number", "to-color"):
        for candidate in args:
            result = evaluate(candidate, properties)
            if result is not None:
                return result
        return None
    if op == "!":
        return not evaluate(args[0], properties) if args else None
    if op in ("==", "!="):
        if len(args) < 2:
            return None
        equal = evaluate(args[0], properties) == evaluate(args[1], properties)
        return equal if op == "==" else not equal
    if op == "case":
        for i in range(0, len(args) - 1, 2):
            if evaluate(args[i], properties):
                return evaluate(args[i + 1], properties)
        return evaluate(args[-1], properties) if args else None
    if op == "match":
        if len(args) < 2:
            return None
        found = evaluate(args[0], properties)
        branches = args[1:]
        for i in range(0, len(branches) - 1, 2):
            labels = branches[i] if isinstance(branches[i], list) else [branches[i]]
            if found in labels:
                return evaluate(branches[i + 1], properties)
        return evaluate(branches[-1], properties)
    if op in ("interpolate", "interpolate-hcl", "interpolate-lab", "step"):
        return evaluate(value[-1], properties)
    if op == "coalesce":
        for candidate in args:
            result = evaluate(candidate, properties)
            if result is not None:
                return result
    return None


def _property_test(condition: Any) -> dict[str, Any] | None:
    """The properties that make a `case` condition true, when it is a simple test of one."""
    if not isinstance(condition, list) or not condition:
        return None
    op = condition[0]
    if op == "get" and len(condition) == 2:
        return {condition[1]: True}
    if op in ("boolean", "to-boolean") and len(condition) >= 2:
        return _property_test(condition[1])
    if op == "==" and len(condition) == 3:
        left, right = condition[1], condition[2]
        if isinstance(left, list) and left[:1] == ["get"] and not isinstance(right, list):
            return {left[1]: right}
    return None


def legend_categories(layer: Layer) -> list[dict[str, Any]]:
    """The cases a layer's colours distinguish, as assumed properties: [{...}, ..., {}].

    Read from the first colour that is a `case` or `match` over properties; conditions on the
    feature's state (selection) are not categories. Empty when the colours are plain.
    """
    for definition in layer.style:
        for key, expression in definition.get("paint", {}).items():
            if not key.endswith("-color") or not isinstance(expression, list) or not expression:
                continue
            cases: list[dict[str, Any]] = []
            if expression[0] == "case":
                for condition in expression[1:-1:2]:
                    test = _property_test(condition)
                    if test is not None:
                        cases.append(test)
            elif expression[0] == "match" and len(expression) > 3:
                found = expression[1]
                if isinstance(found, list) and found[:1] == ["get"] and len(found) == 2:
                    for labels in expression[2:-1:2]:
                        first = labels[0] if isinstance(labels, list) and labels else labels
                        cases.append({found[1]: first})
            if cases:
                return [*cases, {}]
    return []


def is_light(color: str) -> bool:
    """Whether a #rgb or #rrggbb colour is pale enough to vanish on a light background."""
    digits = color.strip().lstrip("#")
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits[:3])
    if len(digits) not in (6, 8) or not color.strip().startswith("#"):
        return False
    try:
        r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 225


def _color(value: Any) -> str | None:
    return value if isinstance(value, str) and SAFE_COLOR.match(value.strip()) else None


def _number(value: Any, default: float) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    )


def swatch(layer: Layer, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """How a legend draws the layer: colours, opacities and widths taken from its style."""
    properties = properties or {}
    found: dict[str, Any] = {"kind": geometry_family(layer)}
    for definition in layer.style:
        paint = definition.get("paint", {})
        kind = definition.get("type")
        if kind == "fill" and "fill" not in found:
            fill = _color(evaluate(paint.get("fill-color"), properties)) or DEFAULT_COLOR
            found["fill"] = fill
            opacity = _number(evaluate(paint.get("fill-opacity"), properties), 1.0)
            # A legend's swatch is small: a fill as faint as a map's tint would not show at all.
            found["fill_opacity"] = round(max(opacity, LEGEND_MIN_FILL_OPACITY), 2)
            outline = _color(evaluate(paint.get("fill-outline-color"), properties))
            if outline:
                found.setdefault("outline", outline)
        elif kind == "line" and "stroke" not in found:
            found["stroke"] = _color(evaluate(paint.get("line-color"), properties)) or DEFAULT_COLOR
            found["stroke_width"] = _number(evaluate(paint.get("line-width"), properties), 1.0)
            found["stroke_opacity"] = _number(evaluate(paint.get("line-opacity"), properties), 1.0)
            found["dashed"] = "line-dasharray" in paint
        elif kind == "circle" and "circle" not in found:
            found["kind"] = "point"
            found["circle"] = (
                _color(evaluate(paint.get("circle-color"), properties)) or DEFAULT_COLOR
            )
            found["circle_opacity"] = _number(
                evaluate(paint.get("circle-opacity"), properties), 1.0
            )
            found["circle_stroke"] = _color(evaluate(paint.get("circle-stroke-color"), properties))
            found["circle_stroke_width"] = _number(
                evaluate(paint.get("circle-stroke-width"), properties), 0.0
            )
    if found["kind"] == "polygon" and "fill" not in found and "stroke" in found:
        found["kind"] = "outline"
    if found["kind"] == "polygon" and "fill" in found and "stroke" not in found:
        found["stroke"] = found.get("outline") or found["fill"]
        found["stroke_width"] = 1.0
        found["stroke_opacity"] = 1.0
        found["dashed"] = False
    if found["kind"] == "line":
        # A white street on a light legend needs the edge the map's background gives it.
        found["casing"] = is_light(found["stroke"])
    # Drawn at legend size: a hair-thin or very wide line would not read as the map's.
    if "stroke_width" in found:
        found["stroke_width"] = round(min(max(found["stroke_width"], 1.0), 4.0), 2)
    if found.get("casing"):
        found["casing_width"] = found["stroke_width"] + 2
    return found


def sentence_case(text: Any) -> str:
    """The text with a capital first letter, as Django's capfirst, except in Georgian.

    Georgian's Mtavruli capitals are not used to begin a sentence; capfirst would turn "კოდი"
    into "Კოდი".
    """
    text = str(text)
    if not text or "\u10a0" <= text[0] <= "\u10ff" or "\u1c90" <= text[0] <= "\u1cbf":
        return text
    return capfirst(text)


def _category_label(
    case: dict[str, Any], titles: dict[str, str], choices: dict[str, dict[Any, str]]
) -> str:
    if not case:
        return _("Other")
    ((name, value),) = case.items()
    title = sentence_case(titles.get(name, name))
    if value is True:
        return title
    label = choices.get(name, {}).get(value, value)
    return sentence_case(label) if name in choices else f"{title}: {value}"


def layer_legend(layer: Layer) -> list[dict[str, Any]]:
    """A layer's legend: one swatch, or one per case its colours distinguish, each labelled."""
    categories = legend_categories(layer)
    if not categories:
        return [{"label": None, **swatch(layer)}]
    titles = {f.name: f.title for f in layer.fields()}
    choices = property_choices(layer)
    return [
        {"label": _category_label(case, titles, choices), **swatch(layer, case)}
        for case in categories
    ]


def initially_visible(layer: Layer) -> bool:
    """Whether the style shows the layer before the user chooses: any entry not set to "none"."""
    return any(
        definition.get("layout", {}).get("visibility", "visible") != "none"
        for definition in layer.style
    )


def label_field(layer: Layer) -> str | None:
    """The property that names a feature in a list: its name in the active language if it has
    one, else its first text property."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    for candidate in (f"name_{language}", "name", "title"):
        if candidate in layer.properties:
            return candidate
    for found in layer.fields():
        if found.type == "string":
            return found.name
    return None


def build_style(request: HttpRequest, layers: list[Layer]) -> dict[str, Any]:
    """A MapLibre style (version 8): one vector source per layer, its entries in registry order.

    No glyphs or sprite: the portal draws no text on the map, so it needs nothing from the
    internet. Titles come in the active language and sit in the metadata for the legend.
    """
    sources: dict[str, Any] = {}
    style_layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND_COLOR}}
    ]
    legend: list[dict[str, Any]] = []
    for layer in layers:
        if not layer.style:
            continue
        sources[layer.name] = {
            "type": "vector",
            "tiles": [tile_url_template(request, layer)],
            "minzoom": layer.min_zoom,
            # As its TileJSON says; MapLibre overzooms the last tiles beyond it.
            "maxzoom": max_zoom_of(layer),
            "bounds": list(settings.GEORGIA_BBOX),
        }
        ids = style_layer_ids(layer)
        for layer_id, definition in zip(ids, layer.style, strict=True):
            entry = copy.deepcopy(definition)
            entry.update({"id": layer_id, "source": layer.name, "source-layer": layer.name})
            entry.setdefault("minzoom", layer.min_zoom)
            if layer.max_zoom < STYLE_MAX_ZOOM - 1:
                # The registry's max_zoom is the last zoom shown; MapLibre's maxzoom excludes.
                entry.setdefault("maxzoom", layer.max_zoom + 1)
            entry.setdefault("metadata", {})["gisportal:layer"] = layer.name
            style_layers.append(entry)
        legend.append(
            {
                "name": layer.name,
                "title": layer.title,
                "description": layer.description,
                "basemap": layer.basemap,
                "min_zoom": layer.min_zoom,
                "max_zoom": layer.max_zoom,
                "geometry": geometry_family(layer),
                "visible": initially_visible(layer),
                "downloadable": layer.downloadable,
                "label_field": label_field(layer),
                "style_layers": ids,
                "legend": [dict(item) for item in layer.legend],
                "swatches": layer_legend(layer),
            }
        )
    return {
        "version": 8,
        "name": "gisportal",
        "metadata": {"gislayer-pages:list": legend},
        "sources": sources,
        "layers": style_layers,
    }


BASEMAP_SOURCE = "gisportal"


def basemap_layers() -> list[Layer]:
    """The layers of the one-source basemap: the public layers the map draws, in its order."""
    return [layer for layer in registry.visible_to(None) if layer.style]


def without_feature_state(value: Any) -> Any:
    """The expression with its feature-state branches taken out, for clients that know no
    feature state (QGIS's style converter drops any paint that uses it): a `case` loses the
    conditions that read it, and is its fallback when none is left."""
    if not isinstance(value, list):
        return value
    if value and value[0] == "case":
        branches = value[1:-1]
        kept = []
        for condition, result in zip(branches[::2], branches[1::2], strict=True):
            if "feature-state" not in json.dumps(condition):
                kept += [without_feature_state(condition), without_feature_state(result)]
        fallback = without_feature_state(value[-1])
        return ["case", *kept, fallback] if kept else fallback
    return [without_feature_state(item) for item in value]


def build_basemap_style(request: HttpRequest, layers: list[Layer]) -> dict[str, Any]:
    """The style with one source (/tiles/all/…, every public layer in one tile) and no feature
    state: what QGIS takes as one vector-tile basemap."""
    style = build_style(request, layers)
    styled = [layer for layer in layers if layer.style]
    url = request.build_absolute_uri(
        reverse("layers:basemap-tile", kwargs={"z": 0, "x": 0, "y": 0})
    ).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    style["name"] = "gisportal basemap"
    style["sources"] = {
        BASEMAP_SOURCE: {
            "type": "vector",
            "tiles": [url],
            "minzoom": min((layer.min_zoom for layer in styled), default=0),
            "maxzoom": max((max_zoom_of(layer) for layer in styled), default=STYLE_MAX_ZOOM),
            "bounds": list(settings.GEORGIA_BBOX),
        }
    }
    for entry in style["layers"]:
        if "source" in entry:
            entry["source"] = BASEMAP_SOURCE
        for part in ("paint", "layout"):
            if part in entry:
                entry[part] = {k: without_feature_state(v) for k, v in entry[part].items()}
    return style


def style_language(request: HttpRequest) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = request.GET.get("lang", "")
    return language if language in codes else settings.LANGUAGE_CODE


@require_safe
def style_json(request: HttpRequest) -> JsonResponse:
    """GET /tiles/style.json?lang=ka: the style of the layers this user may see."""
    with translation.override(style_language(request)):
        layers = registry.visible_to(request.user, getattr(request, "api_key", None))
        style = build_style(request, layers)
    response = JsonResponse(style)
    # Which layers appear depends on who asks, so no shared cache may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def basemap_style_json(request: HttpRequest) -> JsonResponse:
    """GET /tiles/basemap.json?lang=ka: the public layers as one basemap (one source)."""
    with translation.override(style_language(request)):
        style = build_basemap_style(request, basemap_layers())
    response = JsonResponse(style)
    patch_cache_control(response, public=True, max_age=300)
    return response
