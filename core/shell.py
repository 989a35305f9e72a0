"""The page shell's helpers shared by every app's pages: languages, cities, numbers, 404s."""

from __future__ import annotations

import datetime
import decimal
import math
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope, Transform
from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.models import Municipality

# Each language's code, its short label in the switch and its own name.
LANGUAGE_SWITCH = (("ka", "ქა", "ქართული"), ("en", "EN", "English"))


def in_language(path: str, language: str) -> str:
    """The same page in another language; for an address that resolves to no page (a 404),
    the same address under the other language's prefix."""
    translated = translate_url(path, language)
    current = translation.get_language()
    if translated == path and language != current and path.startswith(f"/{current}/"):
        return f"/{language}/" + path.removeprefix(f"/{current}/")
    return translated


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The current page in each language; the map's script appends the map position."""
    current = translation.get_language()
    path = request.get_full_path()
    return [
        {
            "code": code,
            "label": label,
            "name": name,
            "url": in_language(path, code),
            "current": code == current,
        }
        for code, label, name in LANGUAGE_SWITCH
    ]


def municipalities_for_map() -> list[dict[str, Any]]:
    """Each municipality's name, map centre, zoom and bounds (EPSG:4326) for the city switch."""
    rows = (
        Municipality.objects.order_by("code")
        .annotate(bounds=Envelope(Transform("boundary", settings.SRID_API)))
        .defer("boundary")
    )
    result = []
    for m in rows:
        zoom = round(m.default_zoom, 2)
        result.append(
            {
                "code": m.code,
                "name": m.name,
                "center": [m.center_lon, m.center_lat],
                "zoom": zoom,
                "bbox": [round(v, 6) for v in m.bounds.extent] if m.bounds else None,
                "hash": f"#{zoom:g}/{m.center_lat:.5f}/{m.center_lon:.5f}",
            }
        )
    return result


def home_url() -> str:
    """The portal's home page (the map), which lower floors link to without naming it."""
    return reverse(settings.PORTAL_HOME_URL_NAME)


def maplibre_locale() -> dict[str, str]:
    """MapLibre's own control labels, in the page's language."""
    return {
        "Map.Title": _("Map"),
        "NavigationControl.ZoomIn": _("Zoom in"),
        "NavigationControl.ZoomOut": _("Zoom out"),
        "NavigationControl.ResetBearing": _("Turn the map to north"),
        "AttributionControl.ToggleAttribution": _("About the map data"),
        "ScaleControl.Meters": _("m"),
        "ScaleControl.Kilometers": _("km"),
    }


def whole_number(value: float) -> str:
    """A rounded number in the active language's grouping, never broken across lines."""
    text = formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)
    return text.replace(" ", "\u00a0")


def display_value(value: Any, kind: str, labels: dict[Any, str] | None = None) -> str:
    """A property's value as people read it, in the active language."""
    if value is None or value == "":
        return "—"
    if labels and value in labels:
        return str(labels[value])
    if isinstance(value, bool) or kind == "boolean":
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, float):
        # Measured values (areas, lengths) carry more digits than anyone reads: two at most.
        return floatformat(value, "-2") if math.isfinite(value) else "—"
    if isinstance(value, int | decimal.Decimal):
        return formats.localize(value, use_l10n=True)
    return str(value)


def parse_lonlat(request: HttpRequest) -> Point | None:
    """The point of a page's ?lon=..&lat=.. in EPSG:4326, or None when they are not a point."""
    try:
        lon = float(request.GET["lon"])
        lat = float(request.GET["lat"])
    except (KeyError, ValueError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return Point(lon, lat, srid=settings.SRID_API)


def is_number(raw: str | None) -> bool:
    try:
        return raw is not None and math.isfinite(float(raw))
    except ValueError:
        return False


def optional_reverse(url_name: str, **kwargs: Any) -> str | None:
    """The URL of a page or service, or None when the app that serves it is not installed."""
    try:
        return reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def bad_parameter(parameter: str, message: str, code: str = "invalid_parameter") -> JsonResponse:
    """The house's 400: JSON that names the parameter at fault."""
    return JsonResponse({"detail": message, "parameter": parameter, "code": code}, status=400)


def not_found_page(request: HttpRequest, message: str, **extra: Any) -> HttpResponse:
    """The portal's 404 page, told what was missing."""
    return render(request, "404.html", {"message": message, **extra}, status=404)
