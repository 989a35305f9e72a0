"""Reads of the cadastre shared by the API, the portal pages and later services."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Envelope, PointOnSurface, Transform
from django.contrib.gis.geos import Point, Polygon
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, QuerySet

from parcels.models import Parcel

_CODE_PREFIX = re.compile(r"^\d{1,3}(\.\d{0,4}){0,4}$")

# Seven decimals of a degree are about a centimetre: finer than the cadastre is surveyed.
API_COORDINATE_DECIMALS = 7

# Columns of related rows that no card shows and that would travel with every parcel.
_UNSHOWN = ("municipality__boundary", "zone__geom", "zone__allowed_uses")


def parcels_for_display() -> QuerySet[Parcel]:
    """Current parcels with what a card shows, fetched in the same query."""
    return Parcel.objects.current().select_related("municipality", "zone")


def parcels_for_api() -> QuerySet[Parcel]:
    """Current parcels for GeoJSON: `geojson` is the geometry in EPSG:4326, written by PostGIS.

    The stored geometry is not loaded: the database transforms and encodes it, which is
    cheaper than building GEOS objects in Python for every feature of a page.
    """
    return (
        parcels_for_display()
        .defer("geom", *_UNSHOWN)
        .annotate(
            geojson=AsGeoJSON(
                Transform("geom", settings.SRID_API), precision=API_COORDINATE_DECIMALS
            )
        )
    )


def parcels_for_search_results() -> QuerySet[Parcel]:
    """Current parcels with `center` (a point on the parcel) and `envelope`, both in EPSG:4326."""
    return (
        parcels_for_display()
        .defer("geom", *_UNSHOWN)
        .annotate(
            center=Transform(PointOnSurface("geom"), settings.SRID_API),
            envelope=Envelope(Transform("geom", settings.SRID_API)),
        )
    )


def parcel_at(point: Point, *, queryset: QuerySet[Parcel] | None = None) -> Parcel | None:
    """The current parcel that covers a point (any SRID); the smallest one if several overlap."""
    if point.srid != settings.SRID_STORAGE:
        point = point.transform(settings.SRID_STORAGE, clone=True)
    qs = parcels_for_display() if queryset is None else queryset
    return qs.filter(geom__intersects=point).order_by("area_m2", "id").first()


def parcel_by_code(code: str, *, queryset: QuerySet[Parcel] | None = None) -> Parcel | None:
    qs = parcels_for_display() if queryset is None else queryset
    return qs.filter(cadastral_code=code).first()


def parcels_in_bbox(bbox: Polygon, *, queryset: QuerySet[Parcel] | None = None) -> QuerySet[Parcel]:
    """Current parcels meeting a bounding box (any SRID), in a stable order for paging."""
    if bbox.srid != settings.SRID_STORAGE:
        bbox = bbox.transform(settings.SRID_STORAGE, clone=True)
    qs = parcels_for_display() if queryset is None else queryset
    return qs.filter(geom__intersects=bbox).order_by("id")


def parcel_search(
    query: str,
    *,
    municipality=None,
    limit: int = 20,
    queryset: QuerySet[Parcel] | None = None,
) -> list[Parcel]:
    """Parcels whose cadastral code starts with the query, or whose address resembles it."""
    found = parcel_search_queryset(query, municipality=municipality, queryset=queryset)
    return list(found[:limit])


def parcel_search_queryset(
    query: str, *, municipality=None, queryset: QuerySet[Parcel] | None = None
) -> QuerySet[Parcel]:
    """Every parcel of `parcel_search`, in its order, for a list that pages (none for no query)."""
    query = " ".join(query.split())[:200]
    qs = parcels_for_display() if queryset is None else queryset
    if not query:
        return qs.none()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if _CODE_PREFIX.match(query):
        return qs.filter(cadastral_code__startswith=query).order_by("cadastral_code")
    words = Q()
    for word in query.split():
        words &= Q(address_ka__icontains=word) | Q(address_en__icontains=word)
    return (
        qs.filter(words)
        .annotate(
            similarity=TrigramWordSimilarity(query, "address_ka")
            + TrigramWordSimilarity(query, "address_en")
        )
        .order_by("-similarity", "cadastral_code")
    )
