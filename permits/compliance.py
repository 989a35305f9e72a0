"""The compliance check: does a building fit its zone, and which constraints does it touch?

One function, `compliance_check`, used by the public pre-check, the permit application and the
planner's review. It takes geometries already checked and in the storage SRID (metres: every
area here is in m² of EPSG:32638) and answers a `ComplianceReport` with each rule's value, limit
and status and a message. It reads two queries: the zones under the site and the constraints
under the site or the footprint.

Messages are gettext messages kept with their parameters (`Message`); `as_dict` puts them into
words under `translation.override` of the language asked, with the names of zones and
constraints (data kept in two languages) picked in that language (docs/translation.md).

The arithmetic follows domain/georgia.md ("Building permits"): K-1 is footprint / site area,
K-2 total floor area / site area (an incomplete floor counts 1/2, attic parts over 1.6 m high
3/4), K-3 green area / site area; class I (up to 60 m² of floor area and 5 m of height) needs no
permit, and class V permits come from the national agency. A value the check had to assume (the
height from the floors, the green area as the site less the footprint) is a note, not a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import Area, AsGeoJSON, Intersection, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from parcels.models import LandUse, Zone
from permits.models import BuildingClass, Constraint, ConstraintKind

PASS, FAIL, WARNING = "pass", "fail", "warning"
COMPLIANT = "compliant"
NOT_COMPLIANT = "not_compliant"
NEEDS_REVIEW = "needs_review"
NO_PERMIT_NEEDED = "no_permit_needed"
NATIONAL_AGENCY = "national_agency"

STOREY_HEIGHT_M = 3.0
INCOMPLETE_FLOOR_WEIGHT = 0.5
ATTIC_WEIGHT = 0.75
CLASS_I_MAX_FLOOR_AREA_M2 = 60.0
CLASS_I_MAX_HEIGHT_M = 5.0
# Coordinates travel through EPSG:4326 and back: areas agree to far less than this.
AREA_TOLERANCE_M2 = 0.01
# A zone covering less than this share of the site is a sliver along a shared border.
ZONE_SLIVER_SHARE = 0.01
# Constraint shapes are returned clipped to the site grown by this much, for the map.
HIGHLIGHT_MARGIN_M = 30.0
GEOJSON_DECIMALS = 7
NATIONAL_AGENCY_NAME = _("Technical and Construction Supervision Agency")


def _n(value: float, decimals: int = 1) -> str:
    """A number for a message: at most `decimals` decimals, no trailing zeros."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ratio(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class Named:
    """A name kept as data in two languages (a zone's, a constraint's): picked, not translated."""

    ka: str
    en: str

    def __str__(self) -> str:
        if get_language() == "en":
            return self.en or self.ka
        return self.ka or self.en


class _Worded:
    """Text put into words in the active language by str(), and in either language on demand."""

    def in_language(self, language: str) -> str:
        with translation.override(language):
            return str(self)

    @property
    def ka(self) -> str:
        return self.in_language("ka")

    @property
    def en(self) -> str:
        return self.in_language("en")


@dataclass(frozen=True)
class Message(_Worded):
    """Interface text of the report: a gettext message (lazy) and its parameters, put into words
    in the active language when it is turned into a string."""

    text: Any
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = str(self.text)
        if not self.params:
            return text
        return text % {key: str(value) for key, value in self.params.items()}


@dataclass(frozen=True)
class Sentences(_Worded):
    """Messages said one after the other."""

    parts: tuple[Any, ...]

    def __str__(self) -> str:
        return " ".join(str(part) for part in self.parts)


@dataclass(frozen=True)
class _Joined:
    """Labels listed with commas, each in the active language."""

    items: tuple[Any, ...]

    def __str__(self) -> str:
        return ", ".join(str(item) for item in self.items)


def _m(text, **params) -> Message:
    return Message(text=text, params=params)


@dataclass
class Rule:
    code: str
    title: Any
    value: Any
    limit: Any
    unit: str
    status: str
    message: Any
    value_m2: float | None = None
    limit_m2: float | None = None
    assumed: bool = False


@dataclass
class ConstraintHit:
    id: int
    kind: str
    kind_name: Any
    name: Named
    consultee: Named
    site_area_m2: float
    footprint_area_m2: float | None
    status: str
    message: Any
    geometry: dict[str, Any] | None = None


@dataclass
class ZoneShare:
    id: int
    code: str
    name: Named
    k1: float
    k2: float
    k3: float
    max_height_m: float
    allowed_uses: list[str]
    area_m2: float
    share: float


@dataclass
class ComplianceReport:
    zone: ZoneShare | None
    zones: list[ZoneShare]
    site_area_m2: float
    footprint_area_m2: float
    floor_area_m2: float
    height_m: float
    rules: list[Rule]
    constraints: list[ConstraintHit]
    outcome: str
    outcome_message: Any
    notes: list[Any] = field(default_factory=list)

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        """Plain JSON with every text in one language (the active one by default)."""
        language = language or get_language() or settings.LANGUAGE_CODE
        with translation.override("en" if language == "en" else "ka"):
            return _plain(self)


_TEXTS = (Message, Sentences, Named, _Joined, Promise)


def _plain(value):
    """A report's dataclasses as JSON-ready values, each text in the active language.

    Geometries (GeoJSON dicts) are passed as they are: they hold no text, and walking their
    coordinates would cost more than the rest of the report (dataclasses.asdict copies them).
    """
    if isinstance(value, _TEXTS):
        return str(value)
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict) and "coordinates" not in value:
        return {k: _plain(v) for k, v in value.items()}
    return value


OUTCOME_MESSAGES = {
    COMPLIANT: _m(_("The building fits the zone's limits.")),
    NOT_COMPLIANT: _m(_("The building breaks one or more rules.")),
    NEEDS_REVIEW: _m(_("The building needs a closer look or an agreement: see the warnings.")),
    NO_PERMIT_NEEDED: _m(_("A class I building: no construction permit is needed.")),
    NATIONAL_AGENCY: _m(
        _("Class V permits are issued by the %(agency)s, not the municipality."),
        agency=NATIONAL_AGENCY_NAME,
    ),
}


def _use_name(use: str):
    return LandUse(use).label if use in LandUse.values else use


def floor_area_total(
    *, footprint_area_m2: float, floors: int, incomplete_floors: int = 0, attic_area: float = 0.0
) -> float:
    """Total floor area for K-2: full floors whole, incomplete ones 1/2, tall attic parts 3/4.

    `floors` counts every floor above ground, the incomplete ones among them.
    """
    full = max(floors - incomplete_floors, 0)
    return (
        footprint_area_m2 * full
        + footprint_area_m2 * incomplete_floors * INCOMPLETE_FLOOR_WEIGHT
        + attic_area * ATTIC_WEIGHT
    )


def _zones_under(site: GEOSGeometry, site_area: float) -> list[ZoneShare]:
    rows = (
        Zone.objects.covering(site)
        .annotate(overlap=Area(Intersection("geom", site)))
        .defer("geom")
        .order_by("-overlap", "code")
    )
    shares = []
    for zone in rows:
        area = zone.overlap.sq_m if zone.overlap is not None else 0.0
        if area <= AREA_TOLERANCE_M2:
            continue
        shares.append(
            ZoneShare(
                id=zone.pk,
                code=zone.code,
                name=Named(zone.name_ka, zone.name_en),
                k1=float(zone.k1),
                k2=float(zone.k2),
                k3=float(zone.k3),
                max_height_m=float(zone.max_height_m),
                allowed_uses=list(zone.allowed_uses),
                area_m2=round(area, 2),
                share=round(area / site_area, 4) if site_area else 0.0,
            )
        )
    return shares


def _constraints_under(site: GEOSGeometry, footprint: GEOSGeometry | None):
    reach = site if footprint is None else site.union(footprint)
    highlight = site.buffer(HIGHLIGHT_MARGIN_M)
    qs = (
        Constraint.objects.intersecting(reach)
        .annotate(
            site_overlap=Area(Intersection("geom", site)),
            shown=AsGeoJSON(
                Transform(Intersection("geom", highlight), settings.SRID_API),
                precision=GEOJSON_DECIMALS,
            ),
        )
        .defer("geom")
        .order_by("kind", "name_en", "pk")
    )
    if footprint is not None:
        qs = qs.annotate(footprint_overlap=Area(Intersection("geom", footprint)))
    return list(qs)


def _constraint_message(kind: str, *, where: Message, name: Named, on_site: float, built: bool):
    """What a constraint of this kind means for the building, without whom to consult."""
    if kind == ConstraintKind.HERITAGE_ZONE:
        return _m(
            _("%(where)s lies in a heritage protection zone (%(name)s)."), where=where, name=name
        )
    if kind == ConstraintKind.RED_LINE and built:
        return _m(
            _("The building crosses a red line (%(name)s): %(where)s stands on public land."),
            where=where,
            name=name,
        )
    if kind == ConstraintKind.RED_LINE:
        return _m(
            _(
                "%(area)s m² of the site lie beyond a red line (%(name)s); nothing may be "
                "built there."
            ),
            area=_n(on_site),
            name=name,
        )
    if kind == ConstraintKind.PROTECTED_AREA:
        return _m(
            _("%(where)s lie in a protected area (%(name)s); building there is not allowed."),
            where=where,
            name=name,
        )
    # A flood area, and any kind added later: a warning that names the area.
    return _m(
        _("%(where)s lie in a flood area (%(name)s); the design must allow for flooding."),
        where=where,
        name=name,
    )


def _constraint_hit(constraint, *, site_area: float, has_footprint: bool) -> ConstraintHit | None:
    on_site = constraint.site_overlap.sq_m if constraint.site_overlap is not None else 0.0
    on_footprint = None
    if has_footprint:
        overlap = constraint.footprint_overlap
        on_footprint = overlap.sq_m if overlap is not None else 0.0
    if on_site <= AREA_TOLERANCE_M2 and (on_footprint or 0.0) <= AREA_TOLERANCE_M2:
        return None  # touching along an edge only
    kind = constraint.kind
    built = on_footprint is not None and on_footprint > AREA_TOLERANCE_M2
    covers_site = site_area > 0 and on_site >= 0.99 * site_area
    if built:
        where = _m(_("%(area)s m² of the footprint"), area=_n(on_footprint))
    else:
        where = _m(_("%(area)s m² of the site"), area=_n(on_site))
    name = Named(constraint.name_ka, constraint.name_en)
    consultee = Named(constraint.consultee_ka, constraint.consultee_en)
    if kind == ConstraintKind.HERITAGE_ZONE:
        status = WARNING
    elif kind == ConstraintKind.RED_LINE:
        status = FAIL if built else WARNING
    elif kind == ConstraintKind.PROTECTED_AREA:
        status = FAIL if (built or (not has_footprint and covers_site)) else WARNING
    else:
        status = WARNING
    parts: list[Any] = [
        _constraint_message(kind, where=where, name=name, on_site=on_site, built=built)
    ]
    if consultee.en or consultee.ka:
        if kind == ConstraintKind.HERITAGE_ZONE:
            parts.append(
                _m(_("The project must be agreed with the %(consultee)s."), consultee=consultee)
            )
        else:
            parts.append(_m(_("Consult the %(consultee)s."), consultee=consultee))
    return ConstraintHit(
        id=constraint.pk,
        kind=kind,
        kind_name=ConstraintKind(kind).label if kind in ConstraintKind.values else kind,
        name=name,
        consultee=consultee,
        site_area_m2=round(on_site, 2),
        footprint_area_m2=None if on_footprint is None else round(on_footprint, 2),
        status=status,
        message=Sentences(tuple(parts)),
        geometry=json.loads(constraint.shown) if constraint.shown else None,
    )


# The message of a K-rule, by whether the limit is an upper or a lower bound and whether the
# building keeps it.
_RATIO_MESSAGES = {
    (False, True): _(
        "%(measured)s: %(value)s m² (%(ratio)s). %(rule)s = %(limit_ratio)s on a site of "
        "%(site)s m²: at most %(limit)s m². It fits."
    ),
    (False, False): _(
        "%(measured)s: %(value)s m² (%(ratio)s). %(rule)s = %(limit_ratio)s on a site of "
        "%(site)s m²: at most %(limit)s m². It does not fit."
    ),
    (True, True): _(
        "%(measured)s: %(value)s m² (%(ratio)s). %(rule)s = %(limit_ratio)s on a site of "
        "%(site)s m²: at least %(limit)s m². It fits."
    ),
    (True, False): _(
        "%(measured)s: %(value)s m² (%(ratio)s). %(rule)s = %(limit_ratio)s on a site of "
        "%(site)s m²: at least %(limit)s m². It does not fit."
    ),
}


def _ratio_rule(
    *,
    code: str,
    title: str,
    value_m2: float,
    limit_ratio: float,
    site_area: float,
    at_least: bool,
    measured,
    assumed: bool = False,
) -> Rule:
    """A K-rule: area against ratio × site area; `measured` names the area measured.

    An assumed value that keeps the rule still passes: the assumption is one of the report's
    notes, and the result is as certain as the assumption.
    """
    limit_m2 = limit_ratio * site_area
    ratio = value_m2 / site_area if site_area else 0.0
    if at_least:
        ok = value_m2 >= limit_m2 - AREA_TOLERANCE_M2
    else:
        ok = value_m2 <= limit_m2 + AREA_TOLERANCE_M2
    message = _m(
        _RATIO_MESSAGES[(at_least, ok)],
        measured=measured,
        value=_n(value_m2),
        ratio=_ratio(ratio),
        rule=title,
        limit_ratio=_ratio(limit_ratio),
        site=_n(site_area),
        limit=_n(limit_m2),
    )
    return Rule(
        code=code,
        title=title,
        value=round(ratio, 4),
        limit=limit_ratio,
        unit="ratio",
        status=PASS if ok else FAIL,
        message=message,
        value_m2=round(value_m2, 2),
        limit_m2=round(limit_m2, 2),
        assumed=assumed,
    )


def _footprint_rule(site: GEOSGeometry, footprint: GEOSGeometry) -> Rule:
    """The footprint must lie on the site."""
    outside = footprint.difference(site).area
    inside = outside <= AREA_TOLERANCE_M2
    return Rule(
        code="footprint_inside_site",
        title=_("Footprint inside the site"),
        value=round(outside, 2),
        limit=0,
        unit="m²",
        status=PASS if inside else FAIL,
        message=(
            _m(_("The footprint lies wholly within the site."))
            if inside
            else _m(_("%(area)s m² of the footprint lie outside the site."), area=_n(outside))
        ),
    )


def _zone_rule(zones: list[ZoneShare]) -> Rule | None:
    """A warning when no zone covers the site, or when several do (the largest is checked)."""
    if not zones:
        return Rule(
            code="zone",
            title=_("Zone"),
            value=None,
            limit=None,
            unit="",
            status=WARNING,
            message=_m(_("No zone covers the site: the K coefficients cannot be checked.")),
        )
    if len([z for z in zones if z.share >= ZONE_SLIVER_SHARE]) > 1:
        listed = ", ".join(f"{z.code} ({z.share:.0%})" for z in zones)
        return Rule(
            code="zone",
            title=_("Zone"),
            value=zones[0].code,
            limit=None,
            unit="",
            status=WARNING,
            message=_m(
                _(
                    "The site spans several zones: %(zones)s. Checked against %(zone)s, which "
                    "covers the largest share."
                ),
                zones=listed,
                zone=zones[0].code,
            ),
        )
    return None


def _height_rule(zone: ZoneShare, height: float, assumed: bool) -> Rule:
    if assumed:
        text = _("Height %(height)s m (assumed); the zone allows at most %(limit)s m.")
    else:
        text = _("Height %(height)s m; the zone allows at most %(limit)s m.")
    return Rule(
        code="height",
        title=_("Height"),
        value=round(height, 2),
        limit=zone.max_height_m,
        unit="m",
        status=PASS if height <= zone.max_height_m + 1e-9 else FAIL,
        message=_m(text, height=_n(height), limit=_n(zone.max_height_m)),
        assumed=assumed,
    )


def _use_rule(zone: ZoneShare, use: str) -> Rule:
    """The building's use against the zone's allowed uses, all named by their labels."""
    label = _use_name(use)
    allowed = _Joined(tuple(_use_name(u) for u in zone.allowed_uses))
    if not zone.allowed_uses:
        status = WARNING
        message = _m(_("The zone %(zone)s names no allowed uses."), zone=zone.code)
    elif use in zone.allowed_uses:
        status = PASS
        message = _m(
            _("The use “%(use)s” is allowed in the zone %(zone)s."), use=label, zone=zone.code
        )
    else:
        status = FAIL
        message = _m(
            _("The use “%(use)s” is not allowed in the zone %(zone)s; allowed: %(allowed)s."),
            use=label,
            zone=zone.code,
            allowed=allowed,
        )
    return Rule(
        code="use",
        title=_("Use"),
        value=label,
        limit=allowed,
        unit="",
        status=status,
        message=message,
    )


def _class_rule(building_class: str | None, floor_area: float, height: float) -> Rule | None:
    """Class V goes to the national agency; class I needs no permit, when it fits class I."""
    figures = {"area": _n(floor_area), "height": _n(height)}
    if building_class == BuildingClass.CLASS_V:
        return Rule(
            code="class_v",
            title=_("Class V"),
            value=None,
            limit=None,
            unit="",
            status=WARNING,
            message=_m(
                _(
                    "Permits for class V (special importance) buildings are issued by the "
                    "national %(agency)s (Resolution 255), not the municipality."
                ),
                agency=NATIONAL_AGENCY_NAME,
            ),
        )
    fits_class_i = (
        floor_area <= CLASS_I_MAX_FLOOR_AREA_M2 + AREA_TOLERANCE_M2
        and height <= CLASS_I_MAX_HEIGHT_M
    )
    if building_class in (None, "", BuildingClass.CLASS_I) and fits_class_i:
        return Rule(
            code="class_i",
            title=_("Class I"),
            value=round(floor_area, 2),
            limit=CLASS_I_MAX_FLOOR_AREA_M2,
            unit="m²",
            status=PASS,
            message=_m(
                _(
                    "%(area)s m² and %(height)s m: a class I building (at most 60 m² of floor "
                    "area, 5 m high, 2 m below ground) needs no construction permit "
                    "(Resolution 255)."
                ),
                **figures,
            ),
        )
    if building_class == BuildingClass.CLASS_I:
        return Rule(
            code="class_i",
            title=_("Class I"),
            value=round(floor_area, 2),
            limit=CLASS_I_MAX_FLOOR_AREA_M2,
            unit="m²",
            status=WARNING,
            message=_m(
                _(
                    "%(area)s m² and %(height)s m: class I allows at most 60 m² and 5 m; this "
                    "building needs a permit (class II or above)."
                ),
                **figures,
            ),
        )
    return None


def _outcome(building_class: str | None, rules: list[Rule], hits: list[ConstraintHit]) -> str:
    statuses = [r.status for r in rules] + [h.status for h in hits]
    if building_class == BuildingClass.CLASS_V:
        return NATIONAL_AGENCY
    if FAIL in statuses:
        return NOT_COMPLIANT
    no_permit = any(r.code == "class_i" and r.status == PASS for r in rules)
    if no_permit and not any(h.status != PASS for h in hits):
        return NO_PERMIT_NEEDED
    if WARNING in statuses:
        return NEEDS_REVIEW
    return COMPLIANT


def compliance_check(
    *,
    site: GEOSGeometry,
    footprint: GEOSGeometry | None,
    floors: int,
    floor_area_m2: float | None = None,
    green_area_m2: float | None = None,
    height_m: float | None = None,
    incomplete_floors: int = 0,
    attic_area_over_1_6m: float = 0.0,
    building_class: str | None = None,
    use: str | None = None,
    footprint_area_m2: float | None = None,
) -> ComplianceReport:
    """Check a building on a site against its zone and the constraint layers.

    `site` and `footprint` are (multi)polygons in settings.SRID_STORAGE, checked by
    core.geometry.parse_geometry at the edge. Without a footprint geometry (the form without a
    map) give `footprint_area_m2`: the K-rules use it and constraints are measured on the site.
    """
    for name, geom in (("site", site), ("footprint", footprint)):
        if geom is not None and geom.srid != settings.SRID_STORAGE:
            raise ValueError(f"{name} must be in EPSG:{settings.SRID_STORAGE}, not {geom.srid}")
    if footprint is None and footprint_area_m2 is None:
        raise ValueError("give a footprint geometry or footprint_area_m2")
    if floors < 1:
        raise ValueError("floors must be at least 1")

    site_area = site.area
    built_area = footprint.area if footprint is not None else float(footprint_area_m2)
    rules: list[Rule] = []
    notes: list[Message] = []

    if footprint is not None:
        rules.append(_footprint_rule(site, footprint))

    # The zone: the one covering the largest share of the site.
    zones = _zones_under(site, site_area)
    zone = zones[0] if zones else None
    zone_rule = _zone_rule(zones)
    if zone_rule is not None:
        rules.append(zone_rule)

    # Floor area and height, given or estimated.
    if floor_area_m2 is None:
        floor_area = floor_area_total(
            footprint_area_m2=built_area,
            floors=floors,
            incomplete_floors=incomplete_floors,
            attic_area=attic_area_over_1_6m,
        )
    else:
        floor_area = float(floor_area_m2)
    height_assumed = height_m is None
    height = floors * STOREY_HEIGHT_M if height_assumed else float(height_m)
    if height_assumed:
        notes.append(
            _m(
                ngettext_lazy(
                    "The height is assumed: %(floors)s floor × %(storey)s m = %(height)s m. "
                    "Enter the real height.",
                    "The height is assumed: %(floors)s floors × %(storey)s m = %(height)s m. "
                    "Enter the real height.",
                    floors,
                ),
                floors=floors,
                storey=_n(STOREY_HEIGHT_M),
                height=_n(height),
            )
        )

    if zone is not None:
        rules.append(
            _ratio_rule(
                code="k1",
                title="K-1",
                value_m2=built_area,
                limit_ratio=zone.k1,
                site_area=site_area,
                at_least=False,
                measured=_("Footprint"),
            )
        )
        rules.append(
            _ratio_rule(
                code="k2",
                title="K-2",
                value_m2=floor_area,
                limit_ratio=zone.k2,
                site_area=site_area,
                at_least=False,
                measured=_("Total floor area"),
            )
        )
        green_assumed = green_area_m2 is None
        green = max(site_area - built_area, 0.0) if green_assumed else float(green_area_m2)
        if green_assumed:
            notes.append(
                _m(
                    _(
                        "The green area is assumed to be the site less the footprint, an upper "
                        "bound: paths, parking and soil patches of 2 m² or less do not count. "
                        "Enter the real green area."
                    )
                )
            )
        rules.append(
            _ratio_rule(
                code="k3",
                title="K-3",
                value_m2=green,
                limit_ratio=zone.k3,
                site_area=site_area,
                at_least=True,
                measured=_("Green area"),
                assumed=green_assumed,
            )
        )
        rules.append(_height_rule(zone, height, height_assumed))
        if use:
            rules.append(_use_rule(zone, use))

    class_rule = _class_rule(building_class, floor_area, height)
    if class_rule is not None:
        rules.append(class_rule)

    # Constraints under the site or the footprint, with their areas.
    hits = []
    for constraint in _constraints_under(site, footprint):
        hit = _constraint_hit(constraint, site_area=site_area, has_footprint=footprint is not None)
        if hit is not None:
            hits.append(hit)

    outcome = _outcome(building_class, rules, hits)
    return ComplianceReport(
        zone=zone,
        zones=zones,
        site_area_m2=round(site_area, 2),
        footprint_area_m2=round(built_area, 2),
        floor_area_m2=round(floor_area, 2),
        height_m=round(height, 2),
        rules=rules,
        constraints=hits,
        outcome=outcome,
        outcome_message=OUTCOME_MESSAGES[outcome],
        notes=notes,
    )
