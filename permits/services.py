"""Writes of the permits app: constraints, and monuments with their protection zones.

A monument's heritage protection zone is derived here, when the monument is saved, and stored
as a `Constraint` of kind heritage_zone: the compliance check then finds every constraint with
one indexed intersection over one table, the zone is a layer with tiles, OGC API items and
downloads like any other, and a planner can see and cite the very polygon that was checked.
Deriving it in each query (ST_DWithin against the monument with the radius as an expression)
would work for the check, but every tile and export would have to buffer again, and a zone
drawn by hand (a listed ensemble) could not sit beside the derived ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.geometry import GeometryError, as_multipolygon, parse_geometry
from core.models import Municipality
from permits.models import (
    STAGE_SERVICE_CODES,
    BuildingClass,
    Constraint,
    ConstraintKind,
    Monument,
    PermitApplication,
    Stage,
    heritage_radius_m,
)

# Segments per quarter circle of a protection zone: the polygon's area is within 0.2 % of
# the circle's, and a zone stays a few dozen vertices.
CIRCLE_QUADRANT_SEGMENTS = 16
HERITAGE_CONSULTEE_KA = "საქართველოს კულტურული მემკვიდრეობის დაცვის ეროვნული სააგენტო"
HERITAGE_CONSULTEE_EN = "National Agency for Cultural Heritage Preservation of Georgia"


def _storage(geom: GEOSGeometry) -> GEOSGeometry:
    if geom.srid is None:
        raise ValueError("A geometry without an SRID cannot be stored; name it.")
    if geom.srid != settings.SRID_STORAGE:
        geom = geom.transform(settings.SRID_STORAGE, clone=True)
    return geom


def protection_zone_geometry(*, point: Point, height_m: float) -> MultiPolygon:
    """The circle of radius max(2 × height, 50 m) around the monument, in the storage SRID."""
    point = _storage(point)
    circle = point.buffer(heritage_radius_m(height_m), CIRCLE_QUADRANT_SEGMENTS)
    return MultiPolygon(circle, srid=settings.SRID_STORAGE)


@transaction.atomic
def constraint_create(
    *,
    municipality: Municipality,
    kind: str,
    name_ka: str,
    name_en: str,
    geom: GEOSGeometry,
    consultee_ka: str = "",
    consultee_en: str = "",
    source: str = "",
    valid_from: date | None = None,
) -> Constraint:
    """A constraint area; heritage zones of monuments are made by `monument_save` instead."""
    constraint = Constraint(
        municipality=municipality,
        kind=kind,
        name_ka=name_ka,
        name_en=name_en,
        geom=as_multipolygon(_storage(geom)),
        consultee_ka=consultee_ka,
        consultee_en=consultee_en,
        source=source,
        valid_from=valid_from or date.today(),
    )
    constraint.full_clean()
    constraint.save()
    return constraint


@transaction.atomic
def monument_save(
    *,
    municipality: Municipality,
    name_ka: str,
    name_en: str,
    height_m: float,
    geom: Point,
    source: str = "",
    valid_from: date | None = None,
    monument: Monument | None = None,
) -> Monument:
    """Create or change a monument, and (re)draw its heritage protection zone with it."""
    if monument is None:
        monument = Monument()
    monument.municipality = municipality
    monument.name_ka = name_ka
    monument.name_en = name_en
    monument.height_m = height_m
    monument.geom = _storage(geom)
    monument.source = source
    monument.full_clean()
    monument.save()

    zone = Constraint.objects.filter(monument=monument).first() or Constraint(monument=monument)
    zone.municipality = municipality
    zone.kind = ConstraintKind.HERITAGE_ZONE
    zone.name_ka = f"{name_ka}: დაცვის ზონა"
    zone.name_en = f"{name_en}: protection zone"
    zone.geom = protection_zone_geometry(point=monument.geom, height_m=float(monument.height_m))
    zone.consultee_ka = zone.consultee_ka or HERITAGE_CONSULTEE_KA
    zone.consultee_en = zone.consultee_en or HERITAGE_CONSULTEE_EN
    zone.source = source
    zone.valid_from = valid_from or zone.valid_from or date.today()
    zone.full_clean()
    zone.save()
    return monument


# ---------------------------------------------------------------------------------------------
# Applications

# Fields a draft may change through `permit_application_update`.
APPLICATION_FIELDS = frozenset(
    {
        "site",
        "parcel_codes",
        "footprint",
        "footprint_area_m2",
        "floors",
        "floor_area_m2",
        "green_area_m2",
        "height_m",
        "use",
        "public_description",
        "building_class",
    }
)
_NUMBER_FIELDS = ("footprint_area_m2", "floor_area_m2", "green_area_m2", "height_m")


def building_class_refusal(building_class: str) -> str | None:
    """Why the municipality does not take an application of this class, or None if it does."""
    if building_class == BuildingClass.CLASS_I:
        return _(
            "A class I building (up to 60 m² of floor area, 5 m high, 2 m below ground; fences "
            "up to 2.2 m; spans up to 6 m) needs no construction permit (Government Resolution "
            "255 of 31.05.2019). You do not need to apply."
        )
    if building_class == BuildingClass.CLASS_V:
        return _(
            "Class V (special importance) permits are issued by the national Technical and "
            "Construction Supervision Agency, not by the municipality (Government Resolution "
            "255). Apply to the Agency."
        )
    if building_class not in BuildingClass.values:
        return _("Choose the building class.")
    return None


def _area(value, field: str):
    """A (multi)polygon from GeoJSON/WKT/GEOS in the storage SRID, or a field error."""
    try:
        geom = parse_geometry(value, allowed_types=("Polygon", "MultiPolygon"))
    except GeometryError as error:
        raise ValidationError({field: str(error)}, code=error.code) from None
    return as_multipolygon(geom)


def _site_from_codes(codes) -> tuple:
    from permits.selectors import UnknownParcels, site_from_parcels

    if isinstance(codes, str):
        codes = codes.replace(";", ",").replace("\n", ",").split(",")
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        raise ValidationError({"parcel_codes": _("Give at least one cadastral code.")})
    try:
        found = site_from_parcels(codes)
    except UnknownParcels as error:
        raise ValidationError(
            {
                "parcel_codes": _("No current parcel has the code %(codes)s.")
                % {"codes": ", ".join(error.codes)}
            },
            code="unknown_parcels",
        ) from None
    return found.geom, found.parcels


def compliance_of(application: PermitApplication) -> dict:
    """The compliance report of the application as it stands ({} while site or floors lack)."""
    from permits.compliance import compliance_check

    if application.site is None or not application.floors:
        return {}
    if application.footprint is None and application.footprint_area_m2 is None:
        return {}
    report = compliance_check(
        site=application.site,
        footprint=application.footprint,
        footprint_area_m2=application.footprint_area_m2,
        floors=application.floors,
        floor_area_m2=application.floor_area_m2,
        green_area_m2=application.green_area_m2,
        height_m=application.height_m,
        building_class=application.building_class,
        use=application.use or None,
    )
    return report.as_dict(application.case.language)


@transaction.atomic
def permit_application_start(
    *,
    applicant,
    stage: str,
    building_class: str,
    municipality: Municipality | None = None,
    site=None,
    parcel_codes=None,
    language: str | None = None,
    building: Mapping[str, Any] | None = None,
) -> PermitApplication:
    """A draft permit application (and its case). Class I and V are refused with the rule.

    `building` holds figures already known (from the pre-check: the footprint, the floors, the
    areas, the height, the use), saved with the draft as `permit_application_update` would.
    """
    from cases.selectors import service_get
    from cases.services import case_create

    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose the stage you apply for.")}, code="stage")
    refusal = building_class_refusal(building_class)
    if refusal:
        raise ValidationError({"building_class": refusal}, code=f"class_{building_class}")
    parcels = []
    if parcel_codes:
        site, parcels = _site_from_codes(parcel_codes)
    elif site is not None:
        site = _area(site, "site")
    if site is None and municipality is None:
        raise ValidationError(
            {"municipality": _("Choose the municipality or give the site.")}, code="no_site"
        )
    if municipality is None:
        from cases.services import municipality_of_location

        municipality = municipality_of_location(site)
    try:
        service = service_get(code=STAGE_SERVICE_CODES[stage], municipality=municipality)
    except Exception:
        raise ValidationError(
            {"stage": _("This stage is not offered in %(m)s.") % {"m": municipality.name}},
            code="no_service",
        ) from None
    case = case_create(
        service=service,
        applicant=applicant,
        location=site,
        municipality=municipality,
        variant=building_class,
        summary=_summary(parcels),
        language=language,
    )
    application = PermitApplication(
        case=case, stage=stage, building_class=building_class, site=site
    )
    application.full_clean()
    application.save()
    if parcels:
        application.parcels.set(parcels)
    if building:
        permit_application_update(application=application, by=applicant, **building)
    return application


@transaction.atomic
def permit_application_update(*, application: PermitApplication, by, **fields) -> PermitApplication:
    """Save a draft: any of APPLICATION_FIELDS; geometry through core.geometry.parse_geometry.

    Refusals are ValidationErrors keyed by field; nothing is saved when one is refused.
    """
    from cases.services import case_update

    unknown = set(fields) - APPLICATION_FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    case = application.case
    errors: dict[str, list[str]] = {}
    parcels = None
    site = None
    if fields.get("parcel_codes"):
        try:
            site, parcels = _site_from_codes(fields["parcel_codes"])
        except ValidationError as error:
            errors.update(error.message_dict)
    elif fields.get("site") not in (None, ""):
        try:
            site = _area(fields["site"], "site")
        except ValidationError as error:
            errors.update(error.message_dict)
    if "footprint" in fields:
        if fields["footprint"] in (None, ""):
            application.footprint = None
        else:
            try:
                application.footprint = _area(fields["footprint"], "footprint")
            except ValidationError as error:
                errors.update(error.message_dict)
    if "building_class" in fields:
        refusal = building_class_refusal(fields["building_class"])
        if refusal:
            errors["building_class"] = [refusal]
        else:
            application.building_class = fields["building_class"]
    for name in (*_NUMBER_FIELDS, "floors", "use", "public_description"):
        if name in fields:
            value = fields[name]
            if name in ("use", "public_description"):
                value = (value or "").strip()
            elif value in ("", None):
                value = None
            setattr(application, name, value)
    if errors:
        raise ValidationError(errors)
    case_update(
        case=case,
        by=by,
        location=site,
        variant=application.building_class if "building_class" in fields else None,
        summary=_summary(parcels) if parcels is not None or site is not None else None,
    )
    if site is not None:
        application.site = site
    application.compliance = compliance_of(application)
    application.full_clean()
    application.save()
    if parcels is not None:
        application.parcels.set(parcels)
    elif site is not None:
        application.parcels.clear()
    return application


@transaction.atomic
def permit_application_submit(*, application: PermitApplication, by) -> PermitApplication:
    """Send the draft: the site, the floors and the footprint must be there; the compliance
    report is computed again and kept with the application; the case gets its clock."""
    from cases.services import case_submit

    missing = []
    if application.site is None:
        missing.append(_("the site"))
    if application.footprint is None and application.footprint_area_m2 is None:
        missing.append(_("the footprint"))
    if not application.floors:
        missing.append(_("the floors"))
    if missing:
        raise ValidationError(
            _("Give %(what)s before submitting.") % {"what": ", ".join(str(m) for m in missing)},
            code="incomplete",
        )
    refusal = building_class_refusal(application.building_class)
    if refusal:
        raise ValidationError({"building_class": refusal})
    application.compliance = compliance_of(application)
    application.full_clean()
    application.save()
    case_submit(case=application.case, by=by)
    _register_event(application, "new", by)
    return application


# The most cadastral codes a case's summary names; more are counted.
SUMMARY_CODES = 3


def _summary(parcels) -> str:
    """What the case is about, in the lists and on its page: its parcels' cadastral codes
    (a site drawn without parcels leaves it empty; the service names the stage)."""
    codes = [p.cadastral_code for p in parcels or ()]
    shown = ", ".join(codes[:SUMMARY_CODES])
    return f"{shown} +{len(codes) - SUMMARY_CODES}" if len(codes) > SUMMARY_CODES else shown


REGISTER_LAYER = "permit-applications"


def _register_event(application: PermitApplication, kind: str, by) -> None:
    """Tell engagement that an application came onto the public register ("new") or was
    "decided": those following it or an area its site touches hear of it (comments on the
    register are engagement's, on the layer permits/layers.py declares)."""
    from django.urls import reverse

    from engagement.services import feature_event_publish

    if application.site is None:
        return
    reference = application.case.reference
    feature_event_publish(
        layer=REGISTER_LAYER,
        feature_id=application.pk,
        geometry=application.site,
        kind=kind,
        title=reference,
        url=reverse("permits:register-entry", kwargs={"reference": reference}),
        actor=by,
    )


def permit_decided(decision, by) -> None:
    """Tell the register's followers of a permit decision (Module.on_decided), whichever page
    took it."""
    application = PermitApplication.objects.filter(case=decision.case).first()
    if application is not None:
        _register_event(application, "decided", by)


@transaction.atomic
def permit_decision_issue(
    *, application: PermitApplication, outcome: str, by, conditions=(), reasons: str = ""
):
    """Decide the application (cases.services.decision_issue, which calls permit_decided)."""
    from cases.services import decision_issue

    return decision_issue(
        case=application.case, outcome=outcome, by=by, conditions=conditions, reasons=reasons
    )


# ---------------------------------------------------------------------------------------------
# Neighbour consultation: a planner starts it with a period; the owners of the parcels within
# the radius are written to (once per application and owner); it closes after its last day.

CONSULTATION_WORKING_DAYS = 15  # about the 21 calendar days of BOPS
CONSULTATION_MAX_WORKING_DAYS = 60


def register_entry_url(case, language: str) -> str:
    """The absolute address of the application's public register page, where neighbours
    comment."""
    from django.urls import reverse
    from django.utils import translation

    from cases.notifications import public_url

    with translation.override(language):
        return public_url(reverse("permits:register-entry", kwargs={"reference": case.reference}))


@transaction.atomic
def consultation_start(
    *, application: PermitApplication, by, working_days: int = CONSULTATION_WORKING_DAYS
):
    """A planner opens the neighbour consultation for `working_days` working days.

    The case moves to "in consultation" (from assessment; a consultation already open is
    closed and replaced, e.g. to extend it), and every owner of a current parcel within the
    neighbour radius is written to (e-mail, and SMS when a phone is known) with the link to the
    public page where they comment. Owners written to before about this application are not
    written to again. Answers the consultation.
    """
    from django.utils import timezone

    from cases import calendar
    from cases.models import Status
    from cases.notifications import notify
    from cases.services import case_status_set
    from permits.consultation import neighbour_radius_m
    from permits.models import CONSULTATION, Consultation

    _require_planner(by, application)
    _require_under_review(application)
    try:
        working_days = int(working_days)
    except (TypeError, ValueError):
        working_days = 0
    if not 1 <= working_days <= CONSULTATION_MAX_WORKING_DAYS:
        raise ValidationError(
            {
                "working_days": _("Give a period of 1 to %(max)d working days.")
                % {"max": CONSULTATION_MAX_WORKING_DAYS}
            },
            code="working_days",
        )
    if application.site is None:
        raise ValidationError(_("The application has no site to consult on."), code="no_site")
    case = application.case
    if case.status != CONSULTATION:
        if case.status != Status.IN_REVIEW:
            raise ValidationError(
                _(
                    "A consultation is started from assessment: move the application to "
                    "“%(status)s” first."
                )
                % {"status": Status.IN_REVIEW.label},
                code="not_in_assessment",
            )
    today = calendar.today()
    ends_on = calendar.add_working_days(today, working_days)
    application.consultations.filter(closed_at__isnull=True).update(closed_at=timezone.now())
    consultation = Consultation(
        application=application,
        working_days=working_days,
        starts_on=today,
        ends_on=ends_on,
        radius_m=neighbour_radius_m(),
        started_by=by,
    )
    consultation.full_clean()
    consultation.save()
    if case.status != CONSULTATION:
        note = _("Neighbours consulted until %(date)s.") % {"date": ends_on.strftime("%d.%m.%Y")}
        case_status_set(case=case, to=CONSULTATION, by=by, note=note)
        notify(case=case, recipient=case.applicant, kind="status_changed", context={"note": note})
    consultation_notify_neighbours(consultation=consultation)
    return consultation


def consultation_notify_neighbours(*, consultation) -> int:
    """Write to the neighbouring owners not yet written to about the application; how many."""
    from django.conf import settings

    from cases.notifications import notify_address
    from permits.consultation import neighbour_owners
    from permits.models import ConsultedNeighbour

    application = consultation.application
    case = application.case
    language = settings.LANGUAGE_CODE
    url = register_entry_url(case, language)
    done = set(
        application.consulted_neighbours.exclude(owner=None).values_list("owner_id", flat=True)
    )
    count = 0
    for owner in neighbour_owners(application, consultation.radius_m):
        if owner.pk in done or (owner.user_id and owner.user_id == case.applicant_id):
            continue
        sent = notify_address(
            case=case,
            kind="consultation",
            name=owner.name,
            email=owner.contact_email,
            phone=owner.phone,
            language=language,
            context={
                "url": url,
                "ends_on": consultation.ends_on,
                "radius": f"{consultation.radius_m:.0f}",
                "parcel_code": owner.parcel.cadastral_code,
            },
            dedupe_key=f"permits:consultation:{application.pk}:owner:{owner.pk}",
        )
        ConsultedNeighbour.objects.create(
            application=application,
            consultation=consultation,
            owner=owner,
            name=owner.name,
            cadastral_code=owner.parcel.cadastral_code,
            channels=", ".join(sorted({n.channel for n in sent})),
        )
        count += 1
    return count


@transaction.atomic
def consultations_close(*, today: date | None = None) -> int:
    """Close the consultations whose last day has passed; a case still "in consultation" goes
    back to assessment. Answers how many were closed."""
    from django.utils import timezone

    from cases import calendar
    from cases.models import Status
    from cases.services import case_status_set
    from permits.models import CONSULTATION, Consultation

    today = today or calendar.today()
    ended = (
        Consultation.objects.select_for_update()
        .select_related("application__case", "started_by")
        .filter(closed_at__isnull=True, ends_on__lt=today)
        .order_by("pk")
    )
    count = 0
    for consultation in ended:
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at"])
        case = consultation.application.case
        if case.status == CONSULTATION:
            # Recorded as done by the planner who set the period that ended.
            case_status_set(
                case=case,
                to=Status.IN_REVIEW,
                by=consultation.started_by,
                note=_("The neighbour consultation ended on %(date)s.")
                % {"date": consultation.ends_on.strftime("%d.%m.%Y")},
                today=today,
            )
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# The planner's corrections: constraints added or removed, and boundary changes


def _require_planner(user, application: PermitApplication) -> None:
    from django.core.exceptions import PermissionDenied

    from core.models import Role
    from core.rules import has_role, is_superuser

    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in as a planner of the municipality."))
    if not (is_superuser(user) or has_role(Role.PLANNER)(user, application)):
        raise PermissionDenied(_("Only a planner of the municipality may do this."))


def _require_under_review(application: PermitApplication) -> None:
    from cases.models import Status

    case = application.case
    if case.status == Status.DRAFT or not case.is_open:
        raise ValidationError(
            _("Only an application under review can be changed by the planner."),
            code="not_in_review",
        )


def application_constraints(application: PermitApplication) -> list[dict]:
    """The constraints of an application: those its compliance report found, then the planner's
    overrides in turn. Each is a dict with id (None for free text), name, kind_name, status,
    message and, when an override made it so, the override that added it."""
    found = [
        {
            "id": hit.get("id"),
            "name": hit.get("name", ""),
            "kind_name": hit.get("kind_name", ""),
            "status": hit.get("status", ""),
            "message": hit.get("message", ""),
            "override": None,
        }
        for hit in (application.compliance or {}).get("constraints", [])
    ]
    for override in application.constraint_overrides.select_related("constraint", "by"):
        if override.action == "remove":
            found = [c for c in found if c["id"] != override.constraint_id]
        elif override.constraint_id is None:
            found.append(
                {
                    "id": None,
                    "name": override.text,
                    "kind_name": "",
                    "status": "added",
                    "message": "",
                    "override": override,
                }
            )
        elif all(c["id"] != override.constraint_id for c in found):
            constraint = override.constraint
            found.append(
                {
                    "id": constraint.pk,
                    "name": constraint.name,
                    "kind_name": constraint.get_kind_display(),
                    "status": "added",
                    "message": "",
                    "override": override,
                }
            )
    return found


@transaction.atomic
def permit_constraint_override(
    *,
    application: PermitApplication,
    constraint: Constraint | str | None,
    action: str,
    reason: str,
    by,
):
    """A planner of the municipality adds or removes a constraint of the application, saying why.

    `constraint` is a constraint layer of the municipality, or (to add one that is on no layer)
    its description as text. Removing needs a constraint the application has.
    """
    from permits.models import ConstraintOverride, OverrideAction

    _require_planner(by, application)
    _require_under_review(application)
    reason = (reason or "").strip()
    text = ""
    if isinstance(constraint, str):
        text, constraint = constraint.strip(), None
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the constraint is added or removed.")]
    if action not in OverrideAction.values:
        errors["action"] = [_("Choose whether to add or remove the constraint.")]
    elif constraint is not None and constraint.municipality_id != application.case.municipality_id:
        errors["constraint"] = [_("Choose a constraint of the application's municipality.")]
    else:
        present = {c["id"] for c in application_constraints(application) if c["id"] is not None}
        if action == OverrideAction.REMOVE:
            if constraint is None:
                errors["constraint"] = [_("Choose the constraint to remove.")]
            elif constraint.pk not in present:
                errors["constraint"] = [_("The application does not have this constraint.")]
        elif constraint is None and not text:
            errors["constraint"] = [_("Choose a constraint layer or describe the constraint.")]
        elif constraint is not None and constraint.pk in present:
            errors["constraint"] = [_("The application already has this constraint.")]
    if errors:
        raise ValidationError(errors)
    override = ConstraintOverride(
        application=application,
        constraint=constraint,
        text=text,
        action=action,
        reason=reason,
        by=by,
    )
    override.full_clean()
    override.save()
    return override


BOUNDARY_ANSWER_WORKING_DAYS = 5
# Sites that differ by less than this are the same (GeoJSON round trips move vertices by mm).
SAME_SITE_TOLERANCE_M2 = 0.5


@transaction.atomic
def boundary_change_request(*, application: PermitApplication, proposed_site, reason: str, by):
    """A planner asks the applicant to accept a redrawn site (GEOS, GeoJSON or WKT); the answer
    is due in 5 working days. The site as it is now is kept with the request."""
    from cases.calendar import add_working_days, today
    from cases.services import municipality_of_location
    from permits.models import BoundaryChangeRequest

    _require_planner(by, application)
    _require_under_review(application)
    application = PermitApplication.objects.select_for_update().get(pk=application.pk)
    if application.site is None:
        raise ValidationError(_("The application has no site to redraw."), code="no_site")
    if application.boundary_changes.filter(answered_at__isnull=True).exists():
        raise ValidationError(
            _("A boundary change is already waiting for the applicant's answer."), code="open"
        )
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the site should be redrawn.")]
    site = None
    if proposed_site in (None, ""):
        errors["proposed_site"] = [_("Draw or paste the proposed site.")]
    else:
        try:
            site = _area(proposed_site, "proposed_site")
        except ValidationError as error:
            errors.update(error.message_dict)
    if site is not None:
        if site.sym_difference(application.site).area < SAME_SITE_TOLERANCE_M2:
            errors["proposed_site"] = [_("The proposed site is the same as the current one.")]
        else:
            try:
                inside = municipality_of_location(site).pk == application.case.municipality_id
            except ValidationError:
                inside = False
            if not inside:
                errors["proposed_site"] = [
                    _("The proposed site must lie in %(m)s.")
                    % {"m": application.case.municipality.name}
                ]
    if errors:
        raise ValidationError(errors)
    change = BoundaryChangeRequest(
        application=application,
        old_site=application.site,
        proposed_site=site,
        reason=reason,
        requested_by=by,
        due_date=add_working_days(today(), BOUNDARY_ANSWER_WORKING_DAYS),
    )
    change.full_clean()
    change.save()
    _boundary_change_notify(change)
    return change


def _boundary_change_notify(change) -> None:
    """Tell the applicant, with the link to the page where they see both sites and answer."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from cases.notifications import notify, public_url

    case = change.application.case
    with translation.override(case.language or settings.LANGUAGE_CODE):
        url = public_url(reverse("permits:boundary", kwargs={"pk": change.pk}))
    notify(
        case=case,
        recipient=case.applicant,
        kind="boundary_change",
        context={"change": change, "url": url},
        dedupe_key=f"permits:boundary_change:{change.pk}",
    )


def _site_replace(application: PermitApplication, site) -> None:
    """The application's site becomes `site`: parcels under it kept, compliance computed again."""
    application.site = site
    application.compliance = compliance_of(application)
    application.full_clean()
    application.save()
    under = [
        parcel
        for parcel in application.parcels.filter(geom__intersects=site)
        if parcel.geom.intersection(site).area > 0.01
    ]
    application.parcels.set(under)
    case = application.case
    case.location = site
    case.save(update_fields=["location"])


@transaction.atomic
def boundary_change_answer(*, request, accept: bool, comment: str = "", by):
    """The applicant accepts or rejects a boundary change; on acceptance the site becomes the
    proposed one and the compliance report is computed again."""
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from permits.models import BoundaryChangeRequest

    request = (
        BoundaryChangeRequest.objects.select_for_update()
        .select_related("application__case")
        .get(pk=request.pk)
    )
    application = request.application
    if not by.is_authenticated or application.case.applicant_id != by.pk:
        raise PermissionDenied(_("Only the applicant answers a boundary change."))
    if request.answered_at is not None:
        raise ValidationError(_("This boundary change has already been answered."), code="answered")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError(
            {"comment": _("Say why you do not accept the new boundary.")}, code="required"
        )
    request.accepted = bool(accept)
    request.applicant_comment = comment
    request.answered_at = timezone.now()
    request.full_clean()
    request.save()
    if accept:
        _site_replace(application, request.proposed_site)
    _boundary_answer_notify(request)
    return request


def _boundary_answer_notify(change) -> None:
    """Tell the planner who proposed the boundary (or the officer now handling the case) how
    the applicant answered, or that the answer did not come in time."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from cases.notifications import notify, public_url

    case = change.application.case
    recipient = case.assigned_to or change.requested_by
    with translation.override(case.language or settings.LANGUAGE_CODE):
        url = public_url(reverse("permits:review", args=[case.reference]))
    notify(
        case=case,
        recipient=recipient,
        kind="boundary_change_answered",
        context={"change": change, "url": url},
        dedupe_key=f"permits:boundary_change_answered:{change.pk}",
    )


@transaction.atomic
def boundary_changes_expire(*, today: date | None = None) -> int:
    """Boundary changes left unanswered past their due date count as accepted (BOPS rule):
    each application's site becomes the proposed one. Answers how many were accepted."""
    from django.utils import timezone

    from cases import calendar
    from permits.models import BoundaryChangeRequest

    today = today or calendar.today()
    expired = (
        BoundaryChangeRequest.objects.select_for_update()
        .select_related("application__case")
        .filter(answered_at__isnull=True, due_date__lt=today)
        .order_by("pk")
    )
    count = 0
    for request in expired:
        request.accepted = True
        request.accepted_by_expiry = True
        request.answered_at = timezone.now()
        request.save(update_fields=["accepted", "accepted_by_expiry", "answered_at"])
        _site_replace(request.application, request.proposed_site)
        _boundary_answer_notify(request)
        count += 1
    return count
