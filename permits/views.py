"""Portal pages of permits: the public pre-check of a building on the map, or by a form.

With JavaScript the page checks as the user draws (POST /api/v1/permits/check); without it,
or without a map, the form below the map sends parcel codes, the footprint area and floors,
and the same check answers on the page itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope, Transform
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import Municipality
from layers.registry import registry
from permits.compliance import compliance_check
from permits.forms import PrecheckForm

LANGUAGE_SWITCH = (("ka", "ქა", "ქართული"), ("en", "EN", "English"))
DEFAULT_PARCEL_DETAIL_ZOOM = 15
# Layers the pre-check shows that the map page keeps hidden until asked.
SHOWN_LAYERS = ("constraints", "monuments", "zones")
MAIN_FIELDS = ("parcels", "footprint_area_m2", "floors")


def _language_links(request: HttpRequest) -> list[dict[str, Any]]:
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


def _municipalities() -> list[dict[str, Any]]:
    rows = (
        Municipality.objects.order_by("code")
        .annotate(bounds=Envelope(Transform("boundary", settings.SRID_API)))
        .defer("boundary")
    )
    return [
        {
            "code": m.code,
            "name": m.name,
            "center": [m.center_lon, m.center_lat],
            "zoom": round(m.default_zoom, 2),
            "bbox": [round(v, 6) for v in m.bounds.extent] if m.bounds else None,
            "hash": f"#{m.default_zoom:g}/{m.center_lat:.5f}/{m.center_lon:.5f}",
        }
        for m in rows
    ]


def _strings() -> dict[str, str]:
    return {
        "pass": _("Pass"),
        "fail": _("Fail"),
        "warning": _("Warning"),
        "value": _("Value"),
        "limit": _("Limit"),
        "rule": _("Rule"),
        "status": _("Status"),
        "constraints": _("Constraints touched"),
        "noConstraints": _("No constraint touches the site."),
        "zone": _("Zone"),
        "siteArea": _("Site area"),
        "footprintArea": _("Footprint area"),
        "floorArea": _("Total floor area"),
        "onSite": _("on the site"),
        "onFootprint": _("under the footprint"),
        "consult": _("Consult"),
        "checking": _("Checking…"),
        "checkFailed": _("The check failed. Please try again."),
        "needSite": _("Click a parcel on the map (Shift-click adds more), or draw the site."),
        "needFootprint": _("Now draw the building's footprint."),
        "needFloors": _("Enter the number of floors."),
        "selectedParcels": _("Site: %(codes)s"),
        "drawnSite": _("Site: drawn on the map. Now draw the footprint."),
        "m2": _("m²"),
        "m": _("m"),
        "notes": _("Assumptions"),
        "assumed": _("assumed"),
        "assumedNote": _("Some figures were assumed: see the assumptions below the rules."),
        "apply": _("Apply for a permit with this building"),
        "mapFailed": _("The map could not be drawn. Use the form without the map."),
        "zoomIn": _("Zoom in to pick parcels."),
    }


# What a draft application can take from the pre-check form, besides the parcels.
APPLY_FIGURES = ("footprint_area_m2", "floors", "height_m", "floor_area_m2", "green_area_m2")
# Outcomes after which there is nothing to apply for at the municipality.
NOTHING_TO_APPLY = ("no_permit_needed", "national_agency")


def apply_url(form: PrecheckForm, report: dict) -> str | None:
    """The application form, carrying the parcels and the building of a checked pre-check."""
    if report["outcome"] in NOTHING_TO_APPLY:
        return None
    data = form.cleaned_data
    query = {"parcels": ",".join(data["parcels"])}
    for name in APPLY_FIGURES:
        if data.get(name) is not None:
            query[name] = f"{data[name]:g}"
    if data.get("floor_area_m2") is None and (
        data.get("incomplete_floors") or data.get("attic_area_over_1_6m")
    ):
        # The application keeps the total floor area, not how it was counted.
        query["floor_area_m2"] = f"{report['floor_area_m2']:g}"
    for name in ("building_class", "use"):
        if data.get(name):
            query[name] = data[name]
    return f"{reverse('permits:apply')}?{urlencode(query)}"


@require_GET
def precheck_page(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/permits/check/: the pre-check; with ?parcels=..&floors=.. the form's report."""
    report = None
    submitted = "parcels" in request.GET
    form = PrecheckForm(request.GET if submitted else None)
    if submitted and form.is_valid():
        report = compliance_check(**form.check_arguments()).as_dict()
    report_apply_url = apply_url(form, report) if report else None
    parcels_layer = registry.get("parcels")
    language = translation.get_language()
    municipalities = _municipalities()
    config = {
        "language": language,
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "checkUrl": reverse("permits-api:check"),
        "parcelLayer": "parcels",
        "parcelMinZoom": (
            parcels_layer.first_detail_zoom if parcels_layer else DEFAULT_PARCEL_DETAIL_ZOOM
        ),
        "applyUrl": reverse("permits:apply"),
        "showLayers": list(SHOWN_LAYERS),
        "maxBounds": [list(settings.GEORGIA_BBOX[:2]), list(settings.GEORGIA_BBOX[2:])],
        "municipalities": municipalities,
        "strings": _strings(),
    }
    return render(
        request,
        "permits/check.html",
        {
            "form": form,
            "report": report,
            "apply_url": report_apply_url,
            "submitted": submitted,
            "config": config,
            "language_links": _language_links(request),
            "cities": municipalities,
            "page": "precheck",
            "main_fields": MAIN_FIELDS,
            "more_open": submitted
            and any(request.GET.get(name) for name in form.fields if name not in MAIN_FIELDS)
            or any(name not in MAIN_FIELDS for name in form.errors),
        },
    )
