"""The composition root's pages: the root redirect, the health check and the map."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.shell import maplibre_locale, municipalities_for_map
from layers.pages import EXPORT_FORMATS, PANEL_EXPORT_FORMATS, layer_url_templates
from layers.registry import registry
from parcels import selectors
from parcels.views import parcel_display, parcels_for_card

# The zoom from which parcels are drawn when no "parcels" layer is registered.
DEFAULT_PARCEL_DETAIL_ZOOM = 15
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


def search_api_url() -> str | None:
    """The REST API's search, when it is installed; the search box uses the list page if not."""
    try:
        return reverse("parcels-api:parcel-search")
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
            selected = parcel_display(parcel, request)
            selected_card = render_to_string("parcels/_card.html", selected, request)
    config = {
        "language": language,
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "cardUrl": reverse("parcels:card"),
        "searchApiUrl": search_api_url(),
        "searchPageUrl": reverse("parcels:search"),
        "parcelMinZoom": (
            parcels_layer.first_detail_zoom if parcels_layer else DEFAULT_PARCEL_DETAIL_ZOOM
        ),
        "parcelLayer": "parcels",
        "searchLimit": SEARCH_BOX_LIMIT,
        "maxBounds": [list(settings.GEORGIA_BBOX[:2]), list(settings.GEORGIA_BBOX[2:])],
        "municipalities": municipalities,
        "layerUrls": layer_url_templates(),
        "downloadFormats": [
            {"key": key, "label": str(label)}
            for key, label in EXPORT_FORMATS
            if key in PANEL_EXPORT_FORMATS
        ],
        "strings": {
            "searching": _("Searching…"),
            "noResults": _("No parcel matches this search."),
            "resultsCount": _("%(count)s results. Use the up and down arrows to choose."),
            "searchFailed": _("The search failed. Please try again."),
            "cardFailed": _("The parcel could not be loaded. Please try again."),
            "loading": _("Loading…"),
            "mapFailed": _("The map could not be drawn. Use the list of parcels instead."),
            "squareMetres": _("m²"),
            "featureFailed": _("These details could not be loaded. Please try again."),
            "moreHere": _("%(count)s more here"),
            "moreHereLabel": _("Other features at this place"),
            "feature": _("Feature %(id)s"),
            "thematicLayers": _("Thematic layers"),
            "basemapLayers": _("Base map"),
            "opacity": _("Opacity"),
            "opacityOf": _("Opacity of %(layer)s"),
            "aboutLayer": _("About %(layer)s"),
            "table": _("Table"),
            "ogcApi": _("OGC API"),
            "download": _("Download"),
            "zoomInToSee": _("Visible from zoom %(zoom)s. Zoom in"),
            "zoomOutToSee": _("Visible up to zoom %(zoom)s. Zoom out"),
            "noLayers": _("No layers are published."),
            "allLayers": _("All layers, without the map"),
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
        dict(
            config=config,
            maplibre_locale=maplibre_locale(),
            cities=municipalities,
            selected=selected,
            selected_card=selected_card,
            page="map",
        ),
    )
