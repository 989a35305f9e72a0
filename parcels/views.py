"""Portal pages of the cadastre: the parcel card beside the map, the parcel list and page."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.models import Municipality
from core.modules import Place
from core.modules import registry as modules
from core.shell import not_found_page, parse_lonlat, whole_number
from parcels import selectors
from parcels.models import Parcel

SEARCH_PAGE_SIZE = 50


def parcels_for_card():
    """Current parcels with their own outline, without the municipality's or zone's geometry."""
    return selectors.parcels_for_display().defer(
        "municipality__boundary", "zone__geom", "zone__allowed_uses"
    )


def parcel_display(parcel: Parcel, request=None, *, compact: bool = True) -> dict[str, Any]:
    """What the card (compact) and the parcel page show besides the model's own fields, with
    what the modules offer at the parcel to the person asking."""
    user = getattr(request, "user", None)
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
    place = Place(lon=center.x, lat=center.y, municipality=parcel.municipality, parcel=parcel)
    return {
        "parcel": parcel,
        "place_actions": modules.place_actions(place, user),
        "place_panels": modules.place_panels(place, request, compact=compact)
        if request is not None
        else [],
        "zone": zone,
        "area": whole_number(parcel.area_m2),
        **limits,
        "bbox": [round(v, 7) for v in geom.extent],
        "center": [round(center.x, 7), round(center.y, 7)],
        "geometry": json.loads(geom.json),
    }


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
                "parcels/_none.html",
                {"message": _("Give a cadastral code, or a longitude and latitude.")},
                status=400,
            )
        parcel = selectors.parcel_at(point, queryset=parcels_for_card())
    if parcel is None:
        return render(
            request,
            "parcels/_none.html",
            {"message": _("There is no parcel here.")},
            status=404,
        )
    return render(request, "parcels/_card.html", parcel_display(parcel, request))


@require_GET
def parcel_search_page(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/parcels/?q=..&municipality=BTM&page=N: the list alternative to the map,
    SEARCH_PAGE_SIZE parcels a page, with the count of all that match."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    municipalities = list(Municipality.objects.order_by("code").defer("boundary"))
    code = request.GET.get("municipality", "")
    municipality = next((m for m in municipalities if m.code == code), None)
    found = selectors.parcel_search_queryset(
        query, municipality=municipality, queryset=selectors.parcels_for_search_results()
    )
    page_obj = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    results = list(page_obj.object_list) if query else []
    for parcel in results:
        parcel.area_text = whole_number(parcel.area_m2)
    # The list's own address without its page, for the links to the other pages.
    kept = {"q": query, "municipality": municipality.code if municipality else ""}
    base = urlencode({key: value for key, value in kept.items() if value})
    context = dict(
        query=query,
        municipality_choices=municipalities,
        municipality=municipality,
        results=results,
        page_obj=page_obj,
        pages_url=f"{reverse('parcels:search')}?{base}",
        page="search",
    )
    if request.GET.get("fragment"):
        # The map's search box falls back to this list when the JSON API does not answer.
        return render(request, "parcels/_search_results.html", context)
    return render(request, "parcels/search.html", context)


@require_GET
def parcel_page(request: HttpRequest, code: str) -> HttpResponse:
    """GET /{lang}/parcels/{code}/: one parcel, its facts and its outline on a small map."""
    parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
    if parcel is None:
        # Told what was missing, the 404 page offers to search for it.
        return not_found_page(
            request,
            _("No parcel has the cadastral code %(code)s.") % {"code": code},
            query=code,
        )
    display = parcel_display(parcel, request, compact=False)
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
        "parcels/detail.html",
        dict(config=config, page="parcel", **display),
    )
