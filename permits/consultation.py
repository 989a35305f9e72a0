"""Reads of the neighbour consultation: who is a neighbour of a site."""

from __future__ import annotations

from django.db.models import QuerySet

from parcels.models import Parcel


def neighbour_radius_m() -> float:
    """How far from the site the neighbours are consulted: settings.PERMITS_NEIGHBOUR_RADIUS_M."""
    from django.conf import settings

    return float(getattr(settings, "PERMITS_NEIGHBOUR_RADIUS_M", 50))


def neighbour_parcels(application) -> QuerySet[Parcel]:
    """Current parcels within the radius of the site, other than the site's own (metres: the
    storage SRID is projected)."""
    if application.site is None:
        return Parcel.objects.none()
    return (
        Parcel.objects.current()
        .filter(geom__dwithin=(application.site, neighbour_radius_m()))
        .exclude(pk__in=application.parcels.values("pk"))
        .only("id", "cadastral_code", "area_m2")
        .order_by("cadastral_code")
    )
