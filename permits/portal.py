"""Building permits in the portal: the pre-check and applying from a parcel, the planner's
review from a case, the permit notifications, catalogue and the consultation status."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.statuses import Status
from core.models import Role
from core.modules import CaseStatus, Link, Module, NavLink, NotificationKind, Place, register
from permits.models import CONSULTATION

MODULE = "permits"


def place_actions(place: Place, user) -> list[Link]:
    """At a parcel: apply for a permit there, or first check a building on it."""
    if place.parcel is None:
        return []
    query = urlencode({"parcels": place.parcel.cadastral_code})
    return [
        Link(
            label=_("Apply for a building permit here"),
            url=f"{reverse('permits:apply')}?{query}",
            description=_("Land-use conditions, project agreement or a construction permit."),
            primary=True,
        ),
        Link(
            label=_("Check a building here"),
            url=f"{reverse('permits:check')}?{query}",
            description=_("Draw a footprint and see whether it fits the zone."),
        ),
    ]


def applicant_links(case, user) -> list[Link]:
    """A draft is continued where it was left; an open boundary change is answered."""
    from permits.models import BoundaryChangeRequest

    if case.applicant_id != getattr(user, "pk", None):
        return []
    if case.status == Status.DRAFT:
        return [
            Link(
                label=_("Continue the application"),
                url=reverse("permits:apply-step", args=[case.reference, 1]),
                primary=True,
            )
        ]
    changes = BoundaryChangeRequest.objects.filter(
        application__case=case, answered_at__isnull=True
    ).order_by("due_date", "pk")
    return [
        Link(
            label=_("Answer the boundary-change request"),
            url=reverse("permits:boundary", kwargs={"pk": change.pk}),
            due=change.due_date,
            primary=True,
        )
        for change in changes.only("pk", "due_date")
    ]


def staff_links(case, user) -> list[Link]:
    """The planner's review page, where the site, the checks and the decision are."""
    if case.status == Status.DRAFT:
        return []
    return [
        Link(
            label=_("Open the permit review"),
            url=reverse("permits:review", args=[case.reference]),
            primary=True,
        )
    ]


register(
    Module(
        app="permits",
        title=_("Building permits"),
        code=MODULE,
        role=Role.PLANNER,
        nav=(
            NavLink(_("Check a building"), "permits:check", order=30, page="precheck"),
            NavLink(_("Apply for a permit"), "permits:apply", order=35, in_header=False),
        ),
        place_actions=place_actions,
        applicant_links=applicant_links,
        staff_links=staff_links,
        notifications=(
            NotificationKind(
                "consultation",
                "permits/notifications/consultation",
                label=_("A neighbouring building project is open for comments"),
                sms=True,
            ),
            NotificationKind(
                "boundary_change",
                "permits/notifications/boundary_change",
                label=_("A planner proposes a new site boundary"),
                sms=True,
                essential=True,
            ),
        ),
        catalogue="data/catalogue.json",
        statuses=(
            CaseStatus(
                CONSULTATION,
                _("In consultation"),
                after=(Status.IN_REVIEW,),
                before=(
                    Status.IN_REVIEW,
                    Status.AWAITING_APPLICANT,
                    Status.AWAITING_DECISION,
                    Status.WITHDRAWN,
                    Status.CLOSED,
                ),
                own_action=True,
            ),
        ),
    )
)
