"""Municipal property in the portal: the offers on the map, asking to lease or buy at a
municipal parcel, the auctions, and the estate's notifications and catalogue."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.models import Role
from core.modules import Module, NavLink, NotificationKind, register

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

register(
    Module(
        app="estate",
        title=_("Municipal property"),
        code=MODULE,
        role=Role.PROPERTY_OFFICER,
        nav=(NavLink(_("Municipal property"), "estate:offers", page="estate"),),
        notifications=NOTIFICATIONS,
    )
)
