"""Participatory budgeting in the portal: proposing a project at a place, the cycle's pages,
the ballot, the results and the delivery of the winners, and its notifications."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.models import Role
from core.modules import Audience, Link, Module, NavLink, NotificationKind, Place, register

MODULE = "budgeting"

NOTIFICATIONS: tuple[NotificationKind, ...] = (
    # The review of proposals (budgeting/review.py)
    NotificationKind(
        "budgeting_reviewed",
        "budgeting/notifications/reviewed",
        label=_("Your proposal was reviewed"),
        essential=True,
    ),
    NotificationKind(
        "budgeting_merged",
        "budgeting/notifications/merged",
        label=_("Your proposal was merged with another"),
        essential=True,
    ),
    # Ballots (budgeting/ballots.py, budgeting/ballot_jobs.py)
    NotificationKind(
        "budgeting_ballot_counted",
        "budgeting/notifications/ballot_counted",
        label=_("Your ballot was counted"),
        essential=True,
    ),
    NotificationKind(
        "budgeting_ballot_reminder",
        "budgeting/notifications/ballot_reminder",
        label=_("Your ballot is not checked out yet"),
    ),
)


def _link(url_name: str, *args, query: dict | None = None) -> str | None:
    """The address of a page of budgeting, or None if the portal has no such page."""
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


# The layers whose features' cards offer "Propose a project here" (besides parcels and points).
PROPOSE_FROM_LAYERS = ("streets",)


def place_actions(place: Place, user) -> list[Link]:
    """At a place in a municipality whose cycle accepts proposals: propose a project here,
    started from the parcel (its outline) or from the point. One query: the accepting phase
    open now of a cycle of the place's municipality (found by its boundary on a feature card)."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from budgeting.models import CyclePhase, Phase

    # On a parcel's or a street's card, or at a bare point of the map; not on the cards of
    # other layers' features (a zone, a dataset's well), which cost no query this way.
    if place.feature is not None and place.feature[0] not in PROPOSE_FROM_LAYERS:
        return []
    now = timezone.now()
    phases = CyclePhase.objects.filter(
        kind=Phase.ACCEPTING, enabled=True, starts_at__lte=now, ends_at__gt=now
    )
    if place.municipality is not None:
        phases = phases.filter(cycle__municipality=place.municipality)
    else:
        point = Point(place.lon, place.lat, srid=4326)
        phases = phases.filter(cycle__municipality__boundary__covers=point)
    found = phases.order_by("-starts_at").values_list("cycle__municipality__code", "cycle__slug")
    row = found.first()
    if row is None:
        return []
    if place.parcel is not None:
        query = {"parcel": place.parcel.cadastral_code}
    else:
        query = {"lon": f"{place.lon:.6f}", "lat": f"{place.lat:.6f}"}
    url = _link("budgeting:propose", *row, query=query)
    if url is None:
        return []
    return [
        Link(
            label=_("Propose a project here"),
            url=url,
            description=_("Propose a project for the participatory budget at this place."),
        )
    ]


def _keeps_budgeting(user) -> bool:
    from budgeting.rules import officer_municipality_ids

    return officer_municipality_ids(user) != []


NAV = (
    NavLink(_("Participatory budgeting"), "budgeting:home", order=62, page="budgeting"),
    NavLink(
        _("My proposals"),
        "budgeting:my-proposals",
        audience=Audience.SIGNED_IN,
        order=62,
        page="budgeting-my",
        in_header=False,
    ),
    # The delivery of the winning projects (budgeting/delivery_views.py).
    NavLink(
        _("Projects being delivered"),
        "budgeting:delivery",
        order=63,
        page="budgeting-delivery",
        in_header=False,
    ),
    NavLink(
        _("Budget cycles"),
        "budgeting:staff-home",
        audience=Audience.STAFF,
        order=62,
        page="budgeting-staff",
        show=_keeps_budgeting,
    ),
)

register(
    Module(
        app="budgeting",
        title=_("Participatory budgeting"),
        role=Role.BUDGET_OFFICER,
        nav=NAV,
        notifications=NOTIFICATIONS,
        place_actions=place_actions,
    )
)
