"""Reads of the permits app: the site made of parcels, and constraints for lists and cards."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Prefetch, Q, QuerySet

from cases.models import Case, Status
from cases.selectors import staff_scope
from core.geometry import as_multipolygon
from parcels.models import Parcel
from permits.models import Constraint, Monument, PermitApplication

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


def applications_for_user(user) -> QuerySet:
    """The permit applications the user may read: their own (drafts too) and, for staff, the
    submitted ones of the municipalities and modules they handle (cases.selectors.staff_scope).

    Anything else is left out, so that the API answers it 404 like a reference never made.
    """
    if not user.is_authenticated or not user.is_active:
        return PermitApplication.objects.none()
    visible = Q(case__applicant=user)
    scope = staff_scope(user)
    handled = Case.objects.exclude(status=Status.DRAFT)
    if scope is not None:
        handled = handled.filter(scope)
    visible |= Q(case__in=handled.values("pk"))
    return (
        PermitApplication.objects.filter(visible)
        .select_related("case", "case__municipality")
        .defer("case__municipality__boundary", "case__location")
        .prefetch_related(
            Prefetch(
                "parcels",
                queryset=Parcel.objects.only("id", "cadastral_code").order_by("cadastral_code"),
            )
        )
        .order_by("-case__created_at", "-pk")
    )
