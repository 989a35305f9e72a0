"""The compliance check: does a building fit its zone, and which constraints does it touch?

One function, `compliance_check`, used by the public pre-check, the permit application and the
planner's review. It takes geometries already checked and in the storage SRID (metres: every
area here is in m² of EPSG:32638) and answers a `ComplianceReport` with each rule's value, limit
and status and a message in Georgian and in English. It reads two queries: the zones under the
site and the constraints under the site or the footprint.

The arithmetic follows domain/georgia.md ("Building permits"): K-1 is footprint / site area,
K-2 total floor area / site area (an incomplete floor counts 1/2, attic parts over 1.6 m high
3/4), K-3 green area / site area; class I (up to 60 m² of floor area and 5 m of height) needs no
permit, and class V permits come from the national agency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import Area, AsGeoJSON, Intersection, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import get_language

from parcels.models import LandUse, Zone
from permits.models import KIND_NAMES, BuildingClass, Constraint, ConstraintKind

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
USE_NAMES_KA = {
    LandUse.RESIDENTIAL: "საცხოვრებელი",
    LandUse.COMMERCIAL: "კომერციული",
    LandUse.MIXED: "შერეული",
    LandUse.INDUSTRIAL: "სამრეწველო",
    LandUse.PUBLIC: "საზოგადოებრივი",
    LandUse.GREEN: "გამწვანება",
    LandUse.AGRICULTURAL: "სასოფლო-სამეურნეო",
    LandUse.TRANSPORT: "სატრანსპორტო",
}
USE_NAMES_EN = {
    LandUse.RESIDENTIAL: "residential",
    LandUse.COMMERCIAL: "commercial",
    LandUse.MIXED: "mixed use",
    LandUse.INDUSTRIAL: "industrial",
    LandUse.PUBLIC: "public services",
    LandUse.GREEN: "green space",
    LandUse.AGRICULTURAL: "agricultural",
    LandUse.TRANSPORT: "transport",
}
NATIONAL_AGENCY_KA = "ტექნიკური და სამშენებლო ზედამხედველობის სააგენტო"
NATIONAL_AGENCY_EN = "Technical and Construction Supervision Agency"


def _n(value: float, decimals: int = 1) -> str:
    """A number for a message: at most `decimals` decimals, no trailing zeros."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ratio(value: float) -> str:
    return f"{value:.2f}"


@dataclass
class Text:
    ka: str
    en: str

    def __str__(self) -> str:
        return self.en if get_language() == "en" else self.ka


@dataclass
class Rule:
    code: str
    title: Text
    value: float | str | None
    limit: float | str | None
    unit: str
    status: str
    message: Text
    value_m2: float | None = None
    limit_m2: float | None = None
    assumed: bool = False


@dataclass
class ConstraintHit:
    id: int
    kind: str
    kind_name: Text
    name: Text
    consultee: Text
    site_area_m2: float
    footprint_area_m2: float | None
    status: str
    message: Text
    geometry: dict[str, Any] | None = None


@dataclass
class ZoneShare:
    id: int
    code: str
    name: Text
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
    outcome_message: Text
    notes: list[Text] = field(default_factory=list)

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        """Plain JSON with every text in one language (the active one by default)."""
        language = language or get_language() or settings.LANGUAGE_CODE
        pick = "en" if language == "en" else "ka"

        return _plain(self, pick)


def _plain(value, pick: str):
    """A report's dataclasses as JSON-ready values, each Text in one language.

    Geometries (GeoJSON dicts) are passed as they are: they hold no text, and walking their
    coordinates would cost more than the rest of the report (dataclasses.asdict copies them).
    """
    if isinstance(value, Text):
        return getattr(value, pick)
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name), pick) for f in fields(value)}
    if isinstance(value, list):
        return [_plain(v, pick) for v in value]
    if isinstance(value, dict) and "coordinates" not in value:
        return {k: _plain(v, pick) for k, v in value.items()}
    return value


def _text(ka: str, en: str) -> Text:
    return Text(ka=ka, en=en)


OUTCOME_MESSAGES = {
    COMPLIANT: _text(
        "პროექტი აკმაყოფილებს ზონის პირობებს.", "The building fits the zone's limits."
    ),
    NOT_COMPLIANT: _text(
        "პროექტი არ აკმაყოფილებს ერთ ან მეტ წესს.", "The building breaks one or more rules."
    ),
    NEEDS_REVIEW: _text(
        "პროექტი საჭიროებს დამატებით განხილვას ან შეთანხმებას.",
        "The building needs a closer look or an agreement: see the warnings.",
    ),
    NO_PERMIT_NEEDED: _text(
        "I კლასის შენობა: მშენებლობის ნებართვა არ არის საჭირო.",
        "A class I building: no construction permit is needed.",
    ),
    NATIONAL_AGENCY: _text(
        f"V კლასის შენობის ნებართვას გასცემს {NATIONAL_AGENCY_KA}, არა მუნიციპალიტეტი.",
        f"Class V permits are issued by the {NATIONAL_AGENCY_EN}, not the municipality.",
    ),
}


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
                name=_text(zone.name_ka, zone.name_en),
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


def _constraint_hit(constraint, *, site_area: float, has_footprint: bool) -> ConstraintHit | None:
    on_site = constraint.site_overlap.sq_m if constraint.site_overlap is not None else 0.0
    on_footprint = None
    if has_footprint:
        overlap = constraint.footprint_overlap
        on_footprint = overlap.sq_m if overlap is not None else 0.0
    if on_site <= AREA_TOLERANCE_M2 and (on_footprint or 0.0) <= AREA_TOLERANCE_M2:
        return None  # touching along an edge only
    kind = constraint.kind
    ka_kind, en_kind = KIND_NAMES.get(kind, (kind, kind))
    built = on_footprint is not None and on_footprint > AREA_TOLERANCE_M2
    covers_site = site_area > 0 and on_site >= 0.99 * site_area
    where_ka = f"შენობის კონტურის {_n(on_footprint)} მ²" if built else f"ნაკვეთის {_n(on_site)} მ²"
    where_en = (
        f"{_n(on_footprint)} m² of the footprint" if built else f"{_n(on_site)} m² of the site"
    )
    consultee_ka = constraint.consultee_ka or constraint.consultee_en
    consultee_en = constraint.consultee_en or constraint.consultee_ka
    if kind == ConstraintKind.HERITAGE_ZONE:
        status = WARNING
        message = _text(
            f"{where_ka} მდებარეობს ძეგლის დაცვის ზონაში ({constraint.name_ka}). "
            f"პროექტი უნდა შეთანხმდეს: {consultee_ka}.",
            f"{where_en} lies in a heritage protection zone ({constraint.name_en}). "
            f"The project must be agreed with the {consultee_en}.",
        )
    elif kind == ConstraintKind.RED_LINE:
        status = FAIL if built else WARNING
        if built:
            message = _text(
                f"შენობა კვეთს წითელ ხაზს ({constraint.name_ka}): {where_ka} საჯარო მიწაზეა.",
                f"The building crosses a red line ({constraint.name_en}): {where_en} "
                "stands on public land.",
            )
        else:
            message = _text(
                f"ნაკვეთის {_n(on_site)} მ² წითელ ხაზს მიღმაა ({constraint.name_ka}); "
                "იქ შენება დაუშვებელია.",
                f"{_n(on_site)} m² of the site lie beyond a red line ({constraint.name_en}); "
                "nothing may be built there.",
            )
    elif kind == ConstraintKind.PROTECTED_AREA:
        status = FAIL if (built or (not has_footprint and covers_site)) else WARNING
        message = _text(
            f"{where_ka} დაცულ ტერიტორიაზეა ({constraint.name_ka}); იქ შენება დაუშვებელია.",
            f"{where_en} lie in a protected area ({constraint.name_en}); "
            "building there is not allowed.",
        )
    else:  # flood area, and any kind added later: a warning that names the area
        status = WARNING
        message = _text(
            f"{where_ka} დატბორვის ზონაშია ({constraint.name_ka}); საჭიროა დაცვის ღონისძიებები.",
            f"{where_en} lie in a flood area ({constraint.name_en}); "
            "the design must allow for flooding.",
        )
    if consultee_en and kind != ConstraintKind.HERITAGE_ZONE:
        message = _text(
            f"{message.ka} შესათანხმებელია: {consultee_ka}.",
            f"{message.en} Consult the {consultee_en}.",
        )
    return ConstraintHit(
        id=constraint.pk,
        kind=kind,
        kind_name=_text(ka_kind, en_kind),
        name=_text(constraint.name_ka, constraint.name_en),
        consultee=_text(consultee_ka, consultee_en),
        site_area_m2=round(on_site, 2),
        footprint_area_m2=None if on_footprint is None else round(on_footprint, 2),
        status=status,
        message=message,
        geometry=json.loads(constraint.shown) if constraint.shown else None,
    )


def _ratio_rule(
    *,
    code: str,
    title: Text,
    value_m2: float,
    limit_ratio: float,
    site_area: float,
    at_least: bool,
    texts: tuple[str, str],
    assumed: bool = False,
) -> Rule:
    """A K-rule: area against ratio × site area; texts name the measured area in ka and en."""
    limit_m2 = limit_ratio * site_area
    ratio = value_m2 / site_area if site_area else 0.0
    if at_least:
        ok = value_m2 >= limit_m2 - AREA_TOLERANCE_M2
    else:
        ok = value_m2 <= limit_m2 + AREA_TOLERANCE_M2
    status = PASS if ok else FAIL
    if assumed and ok:
        status = WARNING  # an upper bound that passes says nothing for certain
    bound_ka = "მინიმუმ" if at_least else "მაქსიმუმ"
    bound_en = "at least" if at_least else "at most"
    verdict_ka = "შესაბამისობაშია" if ok else "არ შეესაბამება"
    verdict_en = "fits" if ok else "does not fit"
    message = _text(
        f"{texts[0]}: {_n(value_m2)} მ² ({_ratio(ratio)}). {title.ka} = {_ratio(limit_ratio)} "
        f"ნაკვეთის {_n(site_area)} მ²-ზე: {bound_ka} {_n(limit_m2)} მ². {verdict_ka}.",
        f"{texts[1]}: {_n(value_m2)} m² ({_ratio(ratio)}). {title.en} = {_ratio(limit_ratio)} "
        f"on a site of {_n(site_area)} m²: {bound_en} {_n(limit_m2)} m². It {verdict_en}.",
    )
    return Rule(
        code=code,
        title=title,
        value=round(ratio, 4),
        limit=limit_ratio,
        unit="ratio",
        status=status,
        message=message,
        value_m2=round(value_m2, 2),
        limit_m2=round(limit_m2, 2),
        assumed=assumed,
    )


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
    notes: list[Text] = []

    # The footprint must lie on the site.
    if footprint is not None:
        outside = footprint.difference(site).area
        inside = outside <= AREA_TOLERANCE_M2
        rules.append(
            Rule(
                code="footprint_inside_site",
                title=_text("კონტური ნაკვეთის შიგნით", "Footprint inside the site"),
                value=round(outside, 2),
                limit=0,
                unit="m²",
                status=PASS if inside else FAIL,
                message=(
                    _text(
                        "შენობის კონტური მთლიანად ნაკვეთის საზღვრებშია.",
                        "The footprint lies wholly within the site.",
                    )
                    if inside
                    else _text(
                        f"შენობის კონტურის {_n(outside)} მ² ნაკვეთის საზღვრებს გარეთაა.",
                        f"{_n(outside)} m² of the footprint lie outside the site.",
                    )
                ),
            )
        )

    # The zone: the one covering the largest share of the site.
    zones = _zones_under(site, site_area)
    zone = zones[0] if zones else None
    if zone is None:
        rules.append(
            Rule(
                code="zone",
                title=_text("ზონა", "Zone"),
                value=None,
                limit=None,
                unit="",
                status=WARNING,
                message=_text(
                    "ნაკვეთი არცერთ ზონაში არ ხვდება: K-კოეფიციენტები ვერ შემოწმდება.",
                    "No zone covers the site: the K coefficients cannot be checked.",
                ),
            )
        )
    elif len([z for z in zones if z.share >= ZONE_SLIVER_SHARE]) > 1:
        listed_ka = ", ".join(f"{z.code} ({z.share:.0%})" for z in zones)
        rules.append(
            Rule(
                code="zone",
                title=_text("ზონა", "Zone"),
                value=zone.code,
                limit=None,
                unit="",
                status=WARNING,
                message=_text(
                    f"ნაკვეთი რამდენიმე ზონაშია: {listed_ka}. შემოწმებულია {zone.code}, "
                    "რომელიც ყველაზე დიდ ნაწილს ფარავს.",
                    f"The site spans several zones: {listed_ka}. Checked against {zone.code}, "
                    "which covers the largest share.",
                ),
            )
        )

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
            _text(
                f"სიმაღლე აღებულია {floors} სართული × {_n(STOREY_HEIGHT_M)} მ = {_n(height)} მ; "
                "მიუთითეთ ზუსტი სიმაღლე.",
                f"The height is assumed: {floors} floors × {_n(STOREY_HEIGHT_M)} m = "
                f"{_n(height)} m. Enter the real height.",
            )
        )

    if zone is not None:
        rules.append(
            _ratio_rule(
                code="k1",
                title=_text("K-1", "K-1"),
                value_m2=built_area,
                limit_ratio=zone.k1,
                site_area=site_area,
                at_least=False,
                texts=("განაშენიანების ფართობი", "Footprint"),
            )
        )
        rules.append(
            _ratio_rule(
                code="k2",
                title=_text("K-2", "K-2"),
                value_m2=floor_area,
                limit_ratio=zone.k2,
                site_area=site_area,
                at_least=False,
                texts=("სართულების ჯამური ფართობი", "Total floor area"),
            )
        )
        green_assumed = green_area_m2 is None
        green = max(site_area - built_area, 0.0) if green_assumed else float(green_area_m2)
        if green_assumed:
            notes.append(
                _text(
                    "გამწვანების ფართობი აღებულია როგორც ნაკვეთი − კონტური (ზედა ზღვარი); "
                    "ბილიკები, პარკინგი და 2 მ²-მდე ნაკვეთები არ ითვლება. მიუთითეთ ზუსტი ფართობი.",
                    "The green area is assumed to be the site less the footprint, an upper "
                    "bound: paths, parking and soil patches of 2 m² or less do not count. "
                    "Enter the real green area.",
                )
            )
        rules.append(
            _ratio_rule(
                code="k3",
                title=_text("K-3", "K-3"),
                value_m2=green,
                limit_ratio=zone.k3,
                site_area=site_area,
                at_least=True,
                texts=("გამწვანებული ფართობი", "Green area"),
                assumed=green_assumed,
            )
        )
        height_ok = height <= zone.max_height_m + 1e-9
        rules.append(
            Rule(
                code="height",
                title=_text("სიმაღლე", "Height"),
                value=round(height, 2),
                limit=zone.max_height_m,
                unit="m",
                status=PASS if height_ok else FAIL,
                message=_text(
                    f"სიმაღლე {_n(height)} მ; ზონაში დასაშვებია მაქსიმუმ {_n(zone.max_height_m)} მ."
                    + (" (სავარაუდო)" if height_assumed else ""),
                    f"Height {_n(height)} m{' (assumed)' if height_assumed else ''}; the zone "
                    f"allows at most {_n(zone.max_height_m)} m.",
                ),
                assumed=height_assumed,
            )
        )
        if use:
            label_ka, label_en = USE_NAMES_KA.get(use, use), USE_NAMES_EN.get(use, use)
            allowed_ka = ", ".join(USE_NAMES_KA.get(u, u) for u in zone.allowed_uses)
            allowed_en = ", ".join(USE_NAMES_EN.get(u, u) for u in zone.allowed_uses)
            if not zone.allowed_uses:
                status = WARNING
                message = _text(
                    f"ზონა {zone.code} დასაშვებ ფუნქციებს არ ასახელებს.",
                    f"The zone {zone.code} names no allowed uses.",
                )
            elif use in zone.allowed_uses:
                status = PASS
                message = _text(
                    f"ფუნქცია „{label_ka}“ დასაშვებია ზონაში {zone.code}.",
                    f"The use “{label_en}” is allowed in the zone {zone.code}.",
                )
            else:
                status = FAIL
                message = _text(
                    f"ფუნქცია „{label_ka}“ არ არის დასაშვები ზონაში {zone.code}; დასაშვებია: "
                    f"{allowed_ka}.",
                    f"The use “{label_en}” is not allowed in the zone {zone.code}; allowed: "
                    f"{allowed_en}.",
                )
            rules.append(
                Rule(
                    code="use",
                    title=_text("ფუნქცია", "Use"),
                    value=use,
                    limit=", ".join(zone.allowed_uses),
                    unit="",
                    status=status,
                    message=message,
                )
            )

    # Building class: class I needs no permit, class V goes to the national agency.
    fits_class_i = (
        floor_area <= CLASS_I_MAX_FLOOR_AREA_M2 + AREA_TOLERANCE_M2
        and height <= CLASS_I_MAX_HEIGHT_M
    )
    no_permit = False
    if building_class == BuildingClass.CLASS_V:
        rules.append(
            Rule(
                code="class_v",
                title=_text("V კლასი", "Class V"),
                value="V",
                limit=None,
                unit="",
                status=WARNING,
                message=_text(
                    f"V კლასის (განსაკუთრებული მნიშვნელობის) ობიექტის ნებართვას გასცემს "
                    f"{NATIONAL_AGENCY_KA} (დადგენილება 255), არა მუნიციპალიტეტი.",
                    "Permits for class V (special importance) buildings are issued by the "
                    f"national {NATIONAL_AGENCY_EN} (Resolution 255), not the municipality.",
                ),
            )
        )
    elif building_class in (None, "", BuildingClass.CLASS_I) and fits_class_i:
        no_permit = True
        rules.append(
            Rule(
                code="class_i",
                title=_text("I კლასი", "Class I"),
                value=round(floor_area, 2),
                limit=CLASS_I_MAX_FLOOR_AREA_M2,
                unit="m²",
                status=PASS,
                message=_text(
                    f"{_n(floor_area)} მ² და {_n(height)} მ: I კლასის შენობა (მაქსიმუმ 60 მ², "
                    "5 მ სიმაღლე, 2 მ სიღრმე) — მშენებლობის ნებართვა არ არის საჭირო "
                    "(დადგენილება 255).",
                    f"{_n(floor_area)} m² and {_n(height)} m: a class I building (at most 60 m² "
                    "of floor area, 5 m high, 2 m below ground) needs no construction permit "
                    "(Resolution 255).",
                ),
            )
        )
    elif building_class == BuildingClass.CLASS_I:
        rules.append(
            Rule(
                code="class_i",
                title=_text("I კლასი", "Class I"),
                value=round(floor_area, 2),
                limit=CLASS_I_MAX_FLOOR_AREA_M2,
                unit="m²",
                status=WARNING,
                message=_text(
                    f"{_n(floor_area)} მ² და {_n(height)} მ: I კლასი დასაშვებია მხოლოდ 60 მ²-მდე "
                    "და 5 მ-მდე; ამ შენობას ნებართვა სჭირდება (II კლასი ან მეტი).",
                    f"{_n(floor_area)} m² and {_n(height)} m: class I allows at most 60 m² and "
                    "5 m; this building needs a permit (class II or above).",
                ),
            )
        )

    # Constraints under the site or the footprint, with their areas.
    hits = []
    for constraint in _constraints_under(site, footprint):
        hit = _constraint_hit(constraint, site_area=site_area, has_footprint=footprint is not None)
        if hit is not None:
            hits.append(hit)

    statuses = [r.status for r in rules] + [h.status for h in hits]
    if building_class == BuildingClass.CLASS_V:
        outcome = NATIONAL_AGENCY
    elif FAIL in statuses:
        outcome = NOT_COMPLIANT
    elif no_permit and not any(h.status != PASS for h in hits):
        outcome = NO_PERMIT_NEEDED
    elif WARNING in statuses:
        outcome = NEEDS_REVIEW
    else:
        outcome = COMPLIANT

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
