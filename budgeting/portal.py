"""Participatory budgeting in the portal: proposing a project at a place, the cycle's pages,
the ballot, the results and the delivery of the winners, and its notifications."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.models import Role
from core.modules import Audience, Link, Module, NavLink, NotificationKind, Place, register  # noqa: F401

MODULE = "budgeting"

NOTIFICATIONS: tuple[NotificationKind, ...] = (
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


def place_actions(place: Place, user) -> list[Link]:
    """At a place in a municipality whose cycle accepts proposals: propose a project here."""
    return []


def _keeps_budgeting(user) -> bool:
    from budgeting.rules import officer_municipality_ids

    return officer_municipality_ids(user) != []


NAV: tuple[NavLink, ...] = ()
NAV += (
    NavLink(
        _("Participatory budgeting"),
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
