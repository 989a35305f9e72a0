"""Portal pages: the map, its list alternative, the parcel card and page, and the health check."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope, Transform
from django.contrib.gis.geos import Point
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import Municipality
from layers.registry import registry
from parcels import selectors
from parcels.models import Parcel

# The zoom from which parcels are drawn when no "parcels" layer is registered.
DEFAULT_PARCEL_MIN_ZOOM = 15
SEARCH_PAGE_LIMIT = 50
SEARCH_BOX_LIMIT = 10


@require_GET
def root_redirect(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_request(request, check_path=False)
    if language not in ("ka", "en"):
        language = "ka"
    return redirect(f"/{language}/")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), postgis_lib_version()")
            database, postgis = cursor.fetchone()
    except Exception as exc:  # the check reports any database failure as "down"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": database, "postgis": postgis})


# Shared by every portal page ---------------------------------------------------------------

LANGUAGE_SWITCH = (("ka", "ქა", "ქართული"), ("en", "EN", "English"))


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The current page in each language; the map's script appends the map position."""
    current = translation.get_language()
    path = request.get_full_path()
    return [
        {
            "code": code,
            "label": label,
            "name": name,
            "url": translate_url(path, code),
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


def portal_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    extra.setdefault("cities", municipalities_for_map())
    return {"language_links": language_links(request), **extra}


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


# The parcel card ---------------------------------------------------------------------------


def parcels_for_card():
    """Current parcels with their own outline, without the municipality's or zone's geometry."""
    return selectors.parcels_for_display().defer(
        "municipality__boundary", "zone__geom", "zone__allowed_uses"
    )


def whole_number(value: float) -> str:
    """A rounded number in the active language's grouping, never broken across lines."""
    text = formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)
    return text.replace(" ", "\u00a0")


def parcel_display(parcel: Parcel) -> dict[str, Any]:
    """What the card and the parcel page show besides the model's own fields."""
    geom = parcel.geom.transform(settings.SRID_API, clone=True)
    center = geom.point_on_surface
    zone = parcel.zone
    limits = {}
    if zone is not None:
        # What the zone's coefficients allow on this parcel (georgia.md: K-1, K-2, K-3).
        area = parcel.area_m2
        limits = {
            "max_footprint": whole_number(float(zone.k1) * area),
            "max_floor_area": whole_number(float(zone.k2) * area),
            "min_green": whole_number(float(zone.k3) * area),
        }
    return {
        "parcel": parcel,
        "zone": zone,
        "area": whole_number(parcel.area_m2),
        **limits,
        "bbox": [round(v, 7) for v in geom.extent],
        "center": [round(center.x, 7), round(center.y, 7)],
        "geometry": json.loads(geom.json),
    }


def parse_lonlat(request: HttpRequest) -> Point | None:
    try:
        lon = float(request.GET["lon"])
        lat = float(request.GET["lat"])
    except (KeyError, ValueError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return Point(lon, lat, srid=settings.SRID_API)


@require_GET
def parcel_card(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/parcels/card/?lon=..&lat=.. or ?code=..: the card shown beside the map."""
    code = request.GET.get("code", "").strip()
    if code:
        parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
    else:
        point = parse_lonlat(request)
        if point is None:
            return render(
                request,
                "gisportal/_parcel_none.html",
                {"message": _("Give a cadastral code, or a longitude and latitude.")},
                status=400,
            )
        parcel = selectors.parcel_at(point, queryset=parcels_for_card())
    if parcel is None:
        return render(
            request,
            "gisportal/_parcel_none.html",
            {"message": _("There is no parcel here.")},
            status=404,
        )
    return render(request, "gisportal/_parcel_card.html", parcel_display(parcel))


# Pages -------------------------------------------------------------------------------------


def search_api_url() -> str | None:
    """The REST API's search, when it is installed; the search box uses the list page if not."""
    try:
        return reverse("parcels:parcel-search")
    except NoReverseMatch:
        return None


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    parcels_layer = registry.get("parcels")
    municipalities = municipalities_for_map()
    language = translation.get_language()
    # /{lang}/?parcel=CODE opens with that parcel's card, also without JavaScript.
    selected = None
    selected_card = ""
    code = request.GET.get("parcel", "").strip()
    if code:
        parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
        if parcel is not None:
            selected = parcel_display(parcel)
            selected_card = render_to_string("gisportal/_parcel_card.html", selected, request)
    config = {
        "language": language,
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "cardUrl": reverse("portal:parcel-card"),
        "searchApiUrl": search_api_url(),
        "searchPageUrl": reverse("portal:parcel-search"),
        "parcelMinZoom": parcels_layer.min_zoom if parcels_layer else DEFAULT_PARCEL_MIN_ZOOM,
        "parcelLayer": "parcels",
        "searchLimit": SEARCH_BOX_LIMIT,
        "maxBounds": [list(settings.GEORGIA_BBOX[:2]), list(settings.GEORGIA_BBOX[2:])],
        "municipalities": municipalities,
        "strings": {
            "searching": _("Searching…"),
            "noResults": _("No parcel matches this search."),
            "resultsCount": _("%(count)s results. Use the up and down arrows to choose."),
            "searchFailed": _("The search failed. Please try again."),
            "cardFailed": _("The parcel could not be loaded. Please try again."),
            "loading": _("Loading…"),
            "mapFailed": _("The map could not be drawn. Use the list of parcels instead."),
            "squareMetres": _("m²"),
            "attribution": (
                _("Demo data of gisportal, not the official cadastre")
                if settings.GISPORTAL_DEMO
                else "gisportal"
            ),
        },
    }
    return render(
        request,
        "gisportal/map.html",
        portal_context(
            request,
            config=config,
            maplibre_locale=maplibre_locale(),
            cities=municipalities,
            selected=selected,
            selected_card=selected_card,
            page="map",
        ),
    )


@require_GET
def parcel_search_page(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/parcels/?q=..&municipality=BTM: the list alternative to the map."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    municipalities = list(Municipality.objects.order_by("code").defer("boundary"))
    code = request.GET.get("municipality", "")
    municipality = next((m for m in municipalities if m.code == code), None)
    results = (
        selectors.parcel_search(
            query,
            municipality=municipality,
            limit=SEARCH_PAGE_LIMIT,
            queryset=selectors.parcels_for_search_results(),
        )
        if query
        else []
    )
    for parcel in results:
        parcel.area_text = whole_number(parcel.area_m2)
    context = portal_context(
        request,
        query=query,
        municipality_choices=municipalities,
        municipality=municipality,
        results=results,
        limit=SEARCH_PAGE_LIMIT,
        page="search",
    )
    if request.GET.get("fragment"):
        # The map's search box falls back to this list when the JSON API does not answer.
        return render(request, "gisportal/_search_results.html", context)
    return render(request, "gisportal/parcel_search.html", context)


@require_GET
def parcel_page(request: HttpRequest, code: str) -> HttpResponse:
    """GET /{lang}/parcels/{code}/: one parcel, its facts and its outline on a small map."""
    parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
    if parcel is None:
        # The portal's 404 page, told what was missing so that it can offer to search.
        return render(
            request,
            "404.html",
            portal_context(
                request,
                message=_("No parcel has the cadastral code %(code)s.") % {"code": code},
                query=code,
            ),
            status=404,
        )
    display = parcel_display(parcel)
    language = translation.get_language()
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "bbox": display["bbox"],
        "parcelLayer": "parcels",
        "parcelId": parcel.pk,
        "geometry": display["geometry"],
    }
    return render(
        request,
        "gisportal/parcel_detail.html",
        portal_context(request, config=config, page="parcel", **display),
    )
