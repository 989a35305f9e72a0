"""Building permits: the constraint layers that a building is checked against, and monuments.

Zones with their K-1, K-2, K-3, maximum height and allowed uses are `parcels.Zone`; this app
adds what limits building beyond the zone: heritage protection zones (derived from monuments),
red lines, protected areas and flood areas.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MinValueValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import BilingualNameMixin, Municipality

# Geometry fields set spatial_index=False: each has a named GistIndex in its Meta instead of
# GeoDjango's unnamed one (STYLE.md 5).

# A monument's physical protection zone: twice its height, at least 50 m (domain/georgia.md).
HERITAGE_RADIUS_FACTOR = 2
HERITAGE_MIN_RADIUS_M = 50.0


def heritage_radius_m(height_m: float) -> float:
    """The radius of a monument's protection zone in metres: max(2 × height, 50 m)."""
    return max(HERITAGE_RADIUS_FACTOR * float(height_m), HERITAGE_MIN_RADIUS_M)


class ConstraintKind(models.TextChoices):
    HERITAGE_ZONE = "heritage_zone", _("Heritage protection zone")
    RED_LINE = "red_line", _("Red line")
    PROTECTED_AREA = "protected_area", _("Protected area")
    FLOOD_AREA = "flood_area", _("Flood area")


# The kinds' names in both languages, for reports that carry both (the API answers in either).
KIND_NAMES: dict[str, tuple[str, str]] = {
    ConstraintKind.HERITAGE_ZONE: (
        "კულტურული მემკვიდრეობის დაცვის ზონა",
        "Heritage protection zone",
    ),
    ConstraintKind.RED_LINE: ("წითელი ხაზი", "Red line"),
    ConstraintKind.PROTECTED_AREA: ("დაცული ტერიტორია", "Protected area"),
    ConstraintKind.FLOOD_AREA: ("დატბორვის ზონა", "Flood area"),
}


class BuildingClass(models.TextChoices):
    """Risk classes of buildings (Resolution 255): I needs no permit, V goes to the national agency."""

    CLASS_I = "I", _("Class I (no permit: up to 60 m², 5 m high)")
    CLASS_II = "II", _("Class II (low risk)")
    CLASS_III = "III", _("Class III (moderate risk)")
    CLASS_IV = "IV", _("Class IV (high risk)")
    CLASS_V = "V", _("Class V (special importance)")


class ConstraintQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def intersecting(self, geom):
        return self.filter(geom__intersects=geom)


@audit.track()
class Constraint(BilingualNameMixin):
    """An area where building is limited or must be agreed with someone.

    Every kind is a (multi)polygon. A red line is stored as the strip of public land whose edge
    it is (the street corridor): a footprint that crosses the red line intersects the strip,
    which is a plain, indexed polygon test, and the strip's area inside a site is a number a
    person can check.
    """

    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="constraints",
        verbose_name=_("municipality"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConstraintKind.choices)
    consultee_ka = models.CharField(_("who is consulted (Georgian)"), max_length=300, blank=True)
    consultee_en = models.CharField(_("who is consulted (English)"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    monument = models.OneToOneField(
        "permits.Monument",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="protection_zone",
        verbose_name=_("monument"),
        help_text=_("Set on heritage protection zones derived from a monument."),
    )
    geom = models.MultiPolygonField(_("geometry"), srid=settings.SRID_STORAGE, spatial_index=False)

    objects = ConstraintQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "kind", "name_en"]
        verbose_name = _("constraint")
        verbose_name_plural = _("constraints")
        indexes = [
            GistIndex(fields=["geom"], name="constraint_geom_gist"),
            models.Index(fields=["municipality", "kind"], name="constraint_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monument__isnull=True)
                | models.Q(kind=ConstraintKind.HERITAGE_ZONE),
                name="constraint_monument_only_heritage",
            )
        ]

    @property
    def consultee(self) -> str:
        if get_language() == "en":
            return self.consultee_en or self.consultee_ka
        return self.consultee_ka or self.consultee_en

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.name}"


class MonumentQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)


@audit.track()
class Monument(BilingualNameMixin):
    """A cultural heritage monument; its protection zone is a `Constraint` kept by the service."""

    public_rows = True  # anyone reads these rows; writes stay in scope (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="monuments",
        verbose_name=_("municipality"),
    )
    height_m = models.DecimalField(
        _("height, m"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    geom = models.PointField(_("location"), srid=settings.SRID_STORAGE, spatial_index=False)

    objects = MonumentQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "name_en"]
        verbose_name = _("monument")
        verbose_name_plural = _("monuments")
        indexes = [GistIndex(fields=["geom"], name="monument_geom_gist")]

    @property
    def protection_radius_m(self) -> float:
        return heritage_radius_m(self.height_m)


# ---------------------------------------------------------------------------------------------
# Applications


# The status a permit case is in while neighbours may comment (declared in permits/portal.py).
CONSULTATION = "consultation"


class Stage(models.TextChoices):
    """The stage applied for; each is one service of the catalogue (cases.Service.code)."""

    LAND_USE_CONDITIONS = "land_use_conditions", _("I. Land-use conditions")
    PROJECT_AGREEMENT = "project_agreement", _("II. Agreement of the architectural project")
    CONSTRUCTION_PERMIT = "construction_permit", _("III. Construction permit")
    MERGED = "merged", _("Merged procedure (all stages at once)")


STAGE_SERVICE_CODES: dict[str, str] = {
    Stage.LAND_USE_CONDITIONS: "permit_land_use_conditions",
    Stage.PROJECT_AGREEMENT: "permit_project_agreement",
    Stage.CONSTRUCTION_PERMIT: "permit_construction_permit",
    Stage.MERGED: "permit_merged",
}


@audit.track()
class PermitApplication(models.Model):
    """The building-permit part of a case: the site, the building and its last compliance report.

    The case (cases.Case) holds the applicant, the status, the clock, documents and decision.
    """

    municipality_path = "case__municipality"

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="permit",
        verbose_name=_("application"),
    )
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices)
    building_class = models.CharField(
        _("building class"), max_length=3, choices=BuildingClass.choices
    )
    site = models.MultiPolygonField(
        _("site"), srid=settings.SRID_STORAGE, null=True, blank=True, spatial_index=False
    )
    parcels = models.ManyToManyField(
        "parcels.Parcel", blank=True, related_name="permit_applications", verbose_name=_("parcels")
    )
    footprint = models.MultiPolygonField(
        _("footprint"), srid=settings.SRID_STORAGE, null=True, blank=True, spatial_index=False
    )
    footprint_area_m2 = models.FloatField(
        _("footprint area, m²"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Typed when the footprint is not drawn."),
    )
    floors = models.PositiveSmallIntegerField(_("floors above ground"), null=True, blank=True)
    floor_area_m2 = models.FloatField(
        _("total floor area, m²"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    green_area_m2 = models.FloatField(
        _("green area, m²"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    height_m = models.FloatField(
        _("height, m"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    use = models.CharField(_("use"), max_length=30, blank=True)
    compliance = models.JSONField(_("compliance report"), default=dict, blank=True)
    public_description = models.TextField(
        _("public description"),
        blank=True,
        help_text=_("Shown on the public register; no personal data."),
    )

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        indexes = [
            GistIndex(fields=["site"], name="permitapplication_site_gist"),
            GistIndex(fields=["footprint"], name="permitapp_footprint_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} ({self.get_stage_display()}, {self.building_class})"

    @property
    def service_code(self) -> str:
        return STAGE_SERVICE_CODES[self.stage]

    @property
    def built_area_m2(self) -> float | None:
        if self.footprint is not None:
            return self.footprint.area
        return self.footprint_area_m2


# Which parcels an application covers: Django's own link table, tracked through a proxy
# (docs/audit.md).
@audit.track(model_name="PermitApplicationParcelEvent")
class PermitApplicationParcel(PermitApplication.parcels.through):
    class Meta:
        proxy = True


class OverrideAction(models.TextChoices):
    ADD = "add", _("Added")
    REMOVE = "remove", _("Removed")


@audit.track()
class ConstraintOverride(models.Model):
    """A planner's correction of the constraints the compliance check found, with the reason.

    The overrides are a log: the constraints of an application are those of its compliance
    report, then each override in turn (a removal drops one, an addition adds one). An added
    constraint is a constraint layer of the municipality or, with `constraint` empty, free text.
    """

    municipality_path = "application__case__municipality"

    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.CASCADE,
        related_name="constraint_overrides",
        verbose_name=_("application"),
    )
    constraint = models.ForeignKey(
        Constraint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("constraint"),
    )
    text = models.CharField(
        _("constraint (free text)"),
        max_length=300,
        blank=True,
        help_text=_("An added constraint that is on no layer."),
    )
    action = models.CharField(_("action"), max_length=10, choices=OverrideAction.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("constraint override")
        verbose_name_plural = _("constraint overrides")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(constraint__isnull=False)
                | (models.Q(action="add") & ~models.Q(text="")),
                name="constraintoverride_constraint_or_text",
            )
        ]

    @property
    def label(self) -> str:
        return str(self.constraint) if self.constraint_id else self.text

    def __str__(self) -> str:
        return f"{self.application.case.reference}: {self.get_action_display()} {self.label}"


@audit.track()
class BoundaryChangeRequest(models.Model):
    """An officer's request to redraw an application's site (the red line), put to the applicant.

    Officers never change the site themselves: the applicant accepts or rejects; a request left
    unanswered past its due date (5 working days) counts as accepted (BOPS rule). The site as it
    was and the proposed one are both kept.
    """

    municipality_path = "application__case__municipality"

    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.CASCADE,
        related_name="boundary_changes",
        verbose_name=_("application"),
    )
    old_site = models.MultiPolygonField(
        _("site as it was"), srid=settings.SRID_STORAGE, spatial_index=False
    )
    proposed_site = models.MultiPolygonField(
        _("proposed site"), srid=settings.SRID_STORAGE, spatial_index=False
    )
    reason = models.TextField(_("reason"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    due_date = models.DateField(_("answer due"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)
    accepted_by_expiry = models.BooleanField(
        _("accepted because unanswered"), default=False, editable=False
    )
    applicant_comment = models.TextField(_("applicant's comment"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("boundary change request")
        verbose_name_plural = _("boundary change requests")
        indexes = [
            GistIndex(fields=["old_site"], name="boundarychange_old_site_gist"),
            GistIndex(fields=["proposed_site"], name="boundarychange_new_site_gist"),
            models.Index(fields=["answered_at", "due_date"], name="boundarychange_open_idx"),
        ]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    def __str__(self) -> str:
        return f"{self.application.case.reference}: {_('boundary change')} {self.due_date}"


@audit.track()
class Consultation(models.Model):
    """A period in which the neighbours of an application are consulted, started by a planner.

    Comments are taken from `starts_on` to `ends_on` (both included) while the case is "in
    consultation"; the periodic job closes it after `ends_on` and the case goes back to
    assessment. Starting again (a longer period, or after the site changed) closes the one
    that was open and writes only to owners not written to before.
    """

    municipality_path = "application__case__municipality"

    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.CASCADE,
        related_name="consultations",
        verbose_name=_("application"),
    )
    working_days = models.PositiveSmallIntegerField(
        _("period (working days)"), validators=[MinValueValidator(1)]
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("last day for comments"))
    radius_m = models.FloatField(_("neighbour radius, m"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("neighbour consultation")
        verbose_name_plural = _("neighbour consultations")
        indexes = [models.Index(fields=["closed_at", "ends_on"], name="consultation_open_idx")]

    def is_open_on(self, day) -> bool:
        return self.closed_at is None and self.starts_on <= day <= self.ends_on

    def __str__(self) -> str:
        return f"{self.application.case.reference}: {self.starts_on} – {self.ends_on}"


@audit.track()
class ConsultedNeighbour(models.Model):
    """An owner of a neighbouring parcel written to about an application: once per application
    and owner, however often the consultation is started. Staff only (personal data)."""

    municipality_path = "application__case__municipality"

    application = models.ForeignKey(
        PermitApplication,
        on_delete=models.CASCADE,
        related_name="consulted_neighbours",
        verbose_name=_("application"),
    )
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="neighbours",
        verbose_name=_("consultation"),
    )
    owner = models.ForeignKey(
        "parcels.ParcelOwner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    # As they were when written to: the owner's row may change or go later.
    name = models.CharField(_("name"), max_length=200)
    cadastral_code = models.CharField(_("parcel"), max_length=32)
    channels = models.CharField(_("sent by"), max_length=30, blank=True)
    notified_at = models.DateTimeField(_("notified"), auto_now_add=True)

    class Meta:
        ordering = ["cadastral_code", "name", "pk"]
        verbose_name = _("consulted neighbour")
        verbose_name_plural = _("consulted neighbours")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "owner"],
                condition=models.Q(owner__isnull=False),
                name="consultedneighbour_once",
            )
        ]

    @property
    def notified(self) -> bool:
        return bool(self.channels)

    def __str__(self) -> str:
        return f"{self.application.case.reference}: {self.name} ({self.cadastral_code})"
