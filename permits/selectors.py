"""Reads of the permits app: the site made of parcels, and constraints for lists and cards."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import QuerySet

from core.geometry import as_multipolygon
from parcels.models import Parcel
from permits.models import Constraint, Monument

MAX_SITE_PARCELS = 50


class UnknownParcels(LookupError):
    def __init__(self, codes: list[str]):
        super().__init__(", ".join(codes))
        self.codes = codes


@dataclass
class ParcelSite:
    geom: GEOSGeometry  # the union, MultiPolygon in the storage SRID
    parcels: list[Parcel]


def site_from_parcels(codes: list[str]) -> ParcelSite:
    """The union of the current parcels with these cadastral codes, in one query.

    Raises UnknownParcels naming every code that is not a current parcel.
    """
    wanted = list(dict.fromkeys(codes))
    parcels = list(
        Parcel.objects.current()
        .filter(cadastral_code__in=wanted)
        .only("id", "cadastral_code", "geom", "area_m2", "municipality_id")
        .order_by("cadastral_code")
    )
    found = {p.cadastral_code for p in parcels}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise UnknownParcels(missing)
    geom = parcels[0].geom
    for parcel in parcels[1:]:
        geom = geom.union(parcel.geom)
    return ParcelSite(geom=as_multipolygon(geom), parcels=parcels)


def constraints_for_list(*, municipality=None) -> QuerySet[Constraint]:
    qs = Constraint.objects.select_related("municipality").defer("geom", "municipality__boundary")
    if municipality is not None:
        qs = qs.in_municipality(municipality)
    return qs


def monuments_for_list(*, municipality=None) -> QuerySet[Monument]:
    qs = Monument.objects.select_related("municipality").defer("municipality__boundary")
    if municipality is not None:
        qs = qs.in_municipality(municipality)
    return qs
