"""Reads of the neighbour consultation: who is a neighbour of a site, and whether comments are
taken.

The neighbours are the owners of the current parcels within PERMITS_NEIGHBOUR_RADIUS_M metres
(default 50) of the site, other than the site's own parcels. The writes (starting and closing a
consultation, writing to the owners) are in permits/services.py.
"""

from __future__ import annotations

from django.db.models import QuerySet

from parcels.models import Parcel, ParcelOwner

DEFAULT_NEIGHBOUR_RADIUS_M = 50.0


def neighbour_radius_m() -> float:
    """How far from the site the neighbours are consulted: settings.PERMITS_NEIGHBOUR_RADIUS_M."""
    from django.conf import settings

    return float(getattr(settings, "PERMITS_NEIGHBOUR_RADIUS_M", DEFAULT_NEIGHBOUR_RADIUS_M))


def neighbour_parcels(application, radius_m: float | None = None) -> QuerySet[Parcel]:
    """Current parcels within the radius of the site, other than the site's own (metres: the
    storage SRID is projected)."""
    if application.site is None:
        return Parcel.objects.none()
    radius = neighbour_radius_m() if radius_m is None else float(radius_m)
    return (
        Parcel.objects.current()
        .filter(geom__dwithin=(application.site, radius))
        .exclude(pk__in=application.parcels.values("pk"))
        .only("id", "cadastral_code", "area_m2")
        .order_by("cadastral_code")
    )


def neighbour_owners(application, radius_m: float | None = None) -> QuerySet[ParcelOwner]:
    """The owners of the neighbouring parcels (personal data: staff and services only)."""
    parcels = neighbour_parcels(application, radius_m)
    return (
        ParcelOwner.objects.filter(parcel__in=parcels.values("pk"))
        .select_related("parcel", "user")
        .defer("parcel__geom")
        .order_by("parcel__cadastral_code", "name", "pk")
    )


def current_consultation(application):
    """The consultation started last for the application, or None."""
    return application.consultations.order_by("-started_at", "-pk").first()


def comments_open(application, today=None) -> bool:
    """Whether neighbours may comment now: the case is "in consultation" and, when a planner
    started it with a period, that period has not ended."""
    from cases import calendar
    from permits.models import CONSULTATION

    if application.case.status != CONSULTATION:
        return False
    consultation = current_consultation(application)
    if consultation is None:  # moved to consultation by a plain status change: no end date
        return True
    return consultation.is_open_on(today or calendar.today())


def consultation_closed_on(application, today=None):
    """The day the last consultation closed, or None while it is open, has not ended yet (the
    case is elsewhere for now) or none was started."""
    from django.utils import timezone

    from cases import calendar

    consultation = current_consultation(application)
    if consultation is None:
        return None
    today = today or calendar.today()
    if consultation.closed_at is not None:
        return min(consultation.ends_on, timezone.localdate(consultation.closed_at))
    if consultation.ends_on < today:
        return consultation.ends_on
    return None
