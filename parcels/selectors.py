"""Reads of the cadastre shared by the API, the portal pages and later services."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q, QuerySet

from parcels.models import Parcel

_CODE_PREFIX = re.compile(r"^\d{1,3}(\.\d{0,4}){0,4}$")


def parcels_for_display() -> QuerySet[Parcel]:
    """Current parcels with what a card shows, fetched in the same query."""
    return Parcel.objects.current().select_related("municipality", "zone")


def parcel_at(point: Point) -> Parcel | None:
    """The current parcel that covers a point (any SRID); the smallest one if several overlap."""
    if point.srid != settings.SRID_STORAGE:
        point = point.transform(settings.SRID_STORAGE, clone=True)
    return parcels_for_display().filter(geom__intersects=point).order_by("area_m2").first()


def parcel_by_code(code: str) -> Parcel | None:
    return parcels_for_display().filter(cadastral_code=code).first()


def parcels_in_bbox(bbox: Polygon) -> QuerySet[Parcel]:
    """Current parcels meeting a bounding box (any SRID), in a stable order for paging."""
    if bbox.srid != settings.SRID_STORAGE:
        bbox = bbox.transform(settings.SRID_STORAGE, clone=True)
    return parcels_for_display().filter(geom__intersects=bbox).order_by("id")


def parcel_search(query: str, *, municipality=None, limit: int = 20) -> list[Parcel]:
    """Parcels whose cadastral code starts with the query, or whose address resembles it."""
    query = " ".join(query.split())[:200]
    if not query:
        return []
    qs = parcels_for_display()
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if _CODE_PREFIX.match(query):
        return list(qs.filter(cadastral_code__startswith=query).order_by("cadastral_code")[:limit])
    words = Q()
    for word in query.split():
        words &= Q(address_ka__icontains=word) | Q(address_en__icontains=word)
    return list(
        qs.filter(words)
        .annotate(
            similarity=TrigramWordSimilarity(query, "address_ka")
            + TrigramWordSimilarity(query, "address_en")
        )
        .order_by("-similarity", "cadastral_code")[:limit]
    )
