"""Municipal property in the portal: the offers on the map, asking to lease or buy at a
municipal parcel, the auctions, and the estate's notifications and catalogue."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cases.statuses import Status
from core.models import Role
from core.modules import Audience, Link, Module, NavLink, NotificationKind, Place, register

MODULE = "estate"

NOTIFICATIONS = (
    # Auctions (estate/auctions.py)
    NotificationKind("estate_outbid", "estate/notifications/outbid", label=_("You were outbid")),
    NotificationKind(
        "estate_terms_changed",
        "estate/notifications/terms_changed",
        label=_("The terms of a lot you bid on changed"),
        essential=True,
    ),
    NotificationKind(
        "estate_won", "estate/notifications/won", label=_("You won an auction"), essential=True
    ),
    NotificationKind(
        "estate_lost",
        "estate/notifications/lost",
        label=_("An auction you took part in closed"),
        essential=True,
    ),
    NotificationKind(
        "estate_failed",
        "estate/notifications/failed",
        label=_("An auction you took part in failed"),
        essential=True,
    ),
    # Contracts (estate/contracts.py)
    NotificationKind(
        "estate_arrears",
        "estate/notifications/arrears",
        label=_("Payment overdue on a contract"),
        sms=True,
        essential=True,
    ),
    NotificationKind(
        "estate_termination",
        "estate/notifications/termination",
        label=_("Termination of a contract"),
        essential=True,
    ),
)

# --- The one window: asking at a parcel, and the links of the estate's cases ----------------


def _link(url_name: str, *args, query: dict | None = None) -> str | None:
    """The address of a page of the estate, or None if the portal has no such page."""
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def place_actions(place: Place, user) -> list[Link]:
    """At a municipal parcel: ask to lease or buy it; see the auction of an asset of it that is
    offered; apply for a direct lease where the council allows one. One query, for the parcel's
    assets with the open lot of each."""
    from estate.requests import parcel_offers

    parcel = place.parcel
    if parcel is None or not parcel.is_municipal_property:
        return []
    rows = parcel_offers(parcel)
    links = []
    if not rows or any(row.askable for row in rows):
        links.append(
            Link(
                label=_("Ask to lease or buy"),
                url=_link("estate:ask", query={"parcel": parcel.cadastral_code}),
                description=_("Ask the municipality to offer this property for lease or sale."),
                primary=True,
            )
        )
    for lot in dict.fromkeys(row.lot for row in rows if row.lot):
        url = _link("estate:lot", lot)
        if url:
            links.append(Link(label=_("See the auction"), url=url, description=lot))
    for row in rows:
        if row.direct_lease:
            links.append(
                Link(
                    label=_("Apply for a direct lease"),
                    url=_link("estate:direct-lease", query={"asset": row.reference}),
                    description=f"{row.reference} · {row.name}",
                )
            )
    return links


def staff_links(case, user) -> list[Link]:
    """The officer's next step after an approval: the contract of a direct lease. Read from the
    case alone (its service, status and payload): the work queue asks for every row."""
    from estate.requests import SERVICE_DIRECT_LEASE

    if case.status != Status.DECIDED_APPROVED or case.service.code != SERVICE_DIRECT_LEASE:
        links = []
    else:
        url = _link("estate:contract-new", query={"request": case.reference})
        links = [Link(label=_("Draw up the lease contract"), url=url, primary=True)] if url else []
    lot = (case.payload or {}).get("lot")
    url = _link("estate:lot", lot) if lot else None
    if url:
        links.append(Link(label=_("Open the auction"), url=url))
    return links


def decision_content(case) -> dict:
    from estate.requests import request_facts

    return request_facts(case)


def _keeps_estate(user) -> bool:
    from estate.rules import officer_municipality_ids

    return officer_municipality_ids(user) != []


def on_decided(decision, by) -> None:
    from estate.requests import request_decided

    request_decided(decision, by)


register(
    Module(
        app="estate",
        title=_("Municipal property"),
        code=MODULE,
        role=Role.PROPERTY_OFFICER,
        nav=(
            NavLink(_("Municipal property"), "estate:offers", page="estate"),
            NavLink(
                _("Property register"),
                "estate:staff-register",
                audience=Audience.STAFF,
                order=58,
                page="estate-register",
                show=_keeps_estate,
            ),
            NavLink(
                _("Lots and auctions"),
                "estate:staff-lots",
                audience=Audience.STAFF,
                order=59,
                page="estate-lots",
                show=_keeps_estate,
            ),
            NavLink(
                _("Contracts"),
                "estate:staff-contracts",
                audience=Audience.STAFF,
                order=60,
                show=_keeps_estate,
            ),
            NavLink(
                _("My contracts"),
                "estate:my-contracts",
                audience=Audience.SIGNED_IN,
                order=60,
                in_header=False,
            ),
            NavLink(
                _("Verify a contract"), "estate:contract-verify-form", order=80, in_header=False
            ),
        ),
        notifications=NOTIFICATIONS,
        place_actions=place_actions,
        staff_links=staff_links,
        catalogue="data/catalogue.json",
        decision_content=decision_content,
        on_decided=on_decided,
    )
)
