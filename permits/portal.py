"""Building permits in the portal: the pre-check and applying from a parcel, the planner's
review from a case, the permit notifications, catalogue and the consultation status."""

from __future__ import annotations

from urllib.parse import urlencode

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.statuses import Status
from core.models import Role
from core.modules import CaseStatus, Link, Module, NavLink, NotificationKind, Place, register
from parcels.models import LandUse
from permits.models import CONSULTATION, BuildingClass

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


def _area(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{floatformat(value, '-1')}\u00a0{gettext('m²')}"


def _addresses(parcels) -> str:
    return "; ".join(dict.fromkeys(p.address for p in parcels if p.address))


def _place(parcels) -> str:
    """The site in one line: its cadastral codes, then its addresses."""
    codes = ", ".join(p.cadastral_code for p in parcels)
    return " — ".join(part for part in (codes, _addresses(parcels)) if part)


def _decided(decision, by) -> None:
    from permits.services import permit_decided

    permit_decided(decision, by)


def decision_content(case) -> dict:
    """The facts of a permit decision (site, building, class, stage, figures) and its site
    plan with its legend ((label, fill, line) each), in the active language. The plan is drawn
    only when a document shows it."""
    from permits.models import PermitApplication
    from permits.plan import (
        LEGEND_CONTEXT,
        LEGEND_FOOTPRINT,
        LEGEND_SITE,
        application_site_plan,
    )

    application = PermitApplication.objects.filter(case=case).first()
    if application is None:
        return {}
    parcels = list(
        application.parcels.only("cadastral_code", "address_ka", "address_en").order_by(
            "cadastral_code"
        )
    )
    report = application.compliance or {}
    height = application.height_m if application.height_m is not None else report.get("height_m")
    floor_area = (
        application.floor_area_m2
        if application.floor_area_m2 is not None
        else report.get("floor_area_m2")
    )
    zone = report.get("zone") or {}
    facts = [
        (
            gettext("Cadastral codes"),
            ", ".join(p.cadastral_code for p in parcels) or gettext("A site drawn on the map"),
        ),
        (gettext("Address"), _addresses(parcels)),
        (gettext("Stage"), application.get_stage_display()),
        (gettext("Building class"), application.get_building_class_display()),
        (gettext("Floors above ground"), str(application.floors or "—")),
        (gettext("Site area"), _area(application.site.area if application.site else None)),
        (gettext("Footprint area"), _area(application.built_area_m2)),
        (gettext("Total floor area"), _area(floor_area)),
        (gettext("Green area"), _area(application.green_area_m2)),
        (
            gettext("Height"),
            f"{floatformat(height, '-1')}\u00a0{gettext('m')}" if height is not None else "—",
        ),
    ]
    if application.use:
        facts.append((gettext("Use"), str(LandUse(application.use).label)))
    if zone.get("code"):
        facts.append((gettext("Zone"), zone["code"]))
    legend = [(gettext("Site"), *LEGEND_SITE)]
    if application.footprint is not None:
        legend.append((gettext("Footprint of the building"), *LEGEND_FOOTPRINT))
    legend.append((gettext("Neighbouring parcels and buildings"), *LEGEND_CONTEXT))
    if application.footprint is None and application.site is not None:
        legend.append((gettext("The footprint was given by its area, not drawn."), "", ""))
    return {
        "place": _place(parcels),
        "facts": [(label, value or "—") for label, value in facts],
        "plan_svg": lazy(application_site_plan, str)(application),
        "plan_legend": legend if application.site is not None else [],
    }


def variant_label(variant: str) -> str:
    """A building class by its label, as the applicant chose it."""
    return BuildingClass(variant).label if variant in BuildingClass.values else variant


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
            NotificationKind(
                "boundary_change_answered",
                "permits/notifications/boundary_change_answered",
                label=_("The applicant answered a boundary change"),
            ),
        ),
        catalogue="data/catalogue.json",
        decision_content=decision_content,
        on_decided=_decided,
        variant_label=variant_label,
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
