"""The site plan of a decision: the site, the footprint and what is around them, drawn as SVG.

Drawn on the server from the geometries in the storage SRID (metres, UTM 38N), so the decision
document holds it with no tile or network fetch: the neighbouring parcels and the buildings
standing there for context, the site's parcels with their codes, the footprint, a scale bar and
a north arrow. UTM grid north differs from true north by under 2° in Georgia (zone 38N around
Batumi and Rustavi), less than the arrow's drawing shows.
"""

from __future__ import annotations

import math
from html import escape

from django.contrib.gis.geos import GEOSGeometry, Polygon

from parcels.models import Building, Parcel

# The drawing's size in millimetres (the decision's A4 page, inside its margins).
WIDTH_MM = 170.0
HEIGHT_MM = 95.0
MARGIN_MM = 4.0
# Around the site and footprint, this share of their extent (at least MIN_PAD_M) is shown.
PAD_SHARE = 0.35
MIN_PAD_M = 15.0
# The most neighbouring parcels and buildings drawn (the box around the site holds fewer).
MAX_CONTEXT = 400
SITE_FILL, SITE_LINE = "#dbe9f6", "#0f4c81"
FOOTPRINT_FILL, FOOTPRINT_LINE = "#f4a261", "#9c4a00"
CONTEXT_LINE, BUILDING_FILL = "#9aa3ad", "#e3e6ea"
# The width of one character of the codes' monospace font at 2.6 mm.
LABEL_CHAR_MM = 1.58
# What the drawing's colours stand for: (what, fill, line), for a legend in any language.
LEGEND_SITE = (SITE_FILL, SITE_LINE)
LEGEND_FOOTPRINT = (FOOTPRINT_FILL, FOOTPRINT_LINE)
LEGEND_CONTEXT = (BUILDING_FILL, CONTEXT_LINE)


def _nice_length(most: float) -> float:
    """The largest of 1, 2 or 5 × 10ⁿ metres not above `most`."""
    if most <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(most))
    return max(step * power for step in (1, 2, 5) if step * power <= most)


class _Frame:
    """Metres of the storage SRID to millimetres of the drawing (y grows downwards)."""

    def __init__(self, extent: tuple[float, float, float, float]):
        minx, miny, maxx, maxy = extent
        inner_w, inner_h = WIDTH_MM - 2 * MARGIN_MM, HEIGHT_MM - 2 * MARGIN_MM
        width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        self.scale = min(inner_w / width, inner_h / height)  # mm per metre
        self.x0 = minx - (inner_w / self.scale - width) / 2
        self.y1 = maxy + (inner_h / self.scale - height) / 2

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (MARGIN_MM + (x - self.x0) * self.scale, MARGIN_MM + (self.y1 - y) * self.scale)

    def path(self, geom: GEOSGeometry) -> str:
        parts = []
        polygons = [geom] if geom.geom_type == "Polygon" else list(geom)
        for polygon in polygons:
            for ring in polygon:
                points = [self.point(x, y) for x, y in ring.coords[:-1]]
                if len(points) < 3:
                    continue
                head, *rest = points
                parts.append(
                    f"M{head[0]:.2f},{head[1]:.2f}"
                    + "".join(f"L{x:.2f},{y:.2f}" for x, y in rest)
                    + "Z"
                )
        return "".join(parts)


def _scale_bar(frame: _Frame) -> str:
    metres = _nice_length((WIDTH_MM - 2 * MARGIN_MM) / frame.scale / 4)
    length = metres * frame.scale
    x, y = MARGIN_MM + 3, HEIGHT_MM - MARGIN_MM - 4
    half = length / 2
    label = f"{metres:g} m"
    return (
        '<g class="scale-bar" font-size="2.6" font-family="DejaVu Sans, sans-serif">'
        f'<rect x="{x:.2f}" y="{y - 1.2:.2f}" width="{length + 10:.2f}" height="6.5" '
        'fill="#ffffff" fill-opacity="0.85"/>'
        f'<rect x="{x + 1:.2f}" y="{y:.2f}" width="{half:.2f}" height="1.2" fill="#111"/>'
        f'<rect x="{x + 1 + half:.2f}" y="{y:.2f}" width="{half:.2f}" height="1.2" '
        'fill="#fff" stroke="#111" stroke-width="0.2"/>'
        f'<text x="{x + 1:.2f}" y="{y + 4.2:.2f}">0</text>'
        f'<text x="{x + 1 + length:.2f}" y="{y + 4.2:.2f}" text-anchor="middle">{label}</text>'
        "</g>"
    )


def _north_arrow() -> str:
    x, y = WIDTH_MM - MARGIN_MM - 7, MARGIN_MM + 4
    return (
        '<g class="north-arrow" font-family="DejaVu Sans, sans-serif">'
        f'<circle cx="{x:.2f}" cy="{y + 6:.2f}" r="5.5" fill="#ffffff" fill-opacity="0.85" '
        'stroke="#111" stroke-width="0.2"/>'
        f'<path d="M{x:.2f},{y + 1:.2f}L{x + 2.4:.2f},{y + 9:.2f}L{x:.2f},{y + 7.4:.2f}Z" '
        'fill="#111"/>'
        f'<path d="M{x:.2f},{y + 1:.2f}L{x - 2.4:.2f},{y + 9:.2f}L{x:.2f},{y + 7.4:.2f}Z" '
        'fill="#fff" stroke="#111" stroke-width="0.2"/>'
        f'<text x="{x:.2f}" y="{y - 0.6:.2f}" font-size="3.2" font-weight="bold" '
        'text-anchor="middle">N</text>'
        "</g>"
    )


def _label_point(parcel: GEOSGeometry, footprint: GEOSGeometry | None):
    """Where a parcel's code goes: on the part of the parcel the footprint leaves free."""
    if footprint is None or not parcel.intersects(footprint):
        return parcel.point_on_surface
    free = parcel.difference(footprint)
    if free.empty:
        return parcel.point_on_surface
    parts = [free] if free.geom_type == "Polygon" else list(free)
    return max(parts, key=lambda part: part.area).point_on_surface


def site_plan_svg(
    *,
    site: GEOSGeometry,
    footprint: GEOSGeometry | None,
    parcels: list[tuple[str, GEOSGeometry]],
    neighbours: list[GEOSGeometry] = (),
    buildings: list[GEOSGeometry] = (),
) -> str:
    """The drawing, from geometries in the storage SRID: `parcels` are the site's own (with
    their codes), `neighbours` and `buildings` what stands around for context."""
    shown = site if footprint is None else site.union(footprint)
    minx, miny, maxx, maxy = shown.extent
    pad = max(PAD_SHARE * max(maxx - minx, maxy - miny), MIN_PAD_M)
    frame = _Frame((minx - pad, miny - pad, maxx + pad, maxy + pad))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="site-plan" width="{WIDTH_MM}mm" '
        f'height="{HEIGHT_MM}mm" viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}" role="img">',
        f'<clipPath id="plan-clip"><rect x="0" y="0" width="{WIDTH_MM}" height="{HEIGHT_MM}"/>'
        "</clipPath>",
        '<g clip-path="url(#plan-clip)">',
        f'<rect x="0" y="0" width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="#ffffff"/>',
    ]
    for geom in buildings:
        out.append(
            f'<path d="{frame.path(geom)}" fill="{BUILDING_FILL}" stroke="{CONTEXT_LINE}" '
            'stroke-width="0.15" fill-rule="evenodd"/>'
        )
    for geom in neighbours:
        out.append(
            f'<path d="{frame.path(geom)}" fill="none" stroke="{CONTEXT_LINE}" stroke-width="0.2"/>'
        )
    out.append(
        f'<path class="site" d="{frame.path(site)}" fill="{SITE_FILL}" fill-opacity="0.8" '
        f'stroke="{SITE_LINE}" stroke-width="0.6" fill-rule="evenodd"/>'
    )
    for _code, geom in parcels:
        out.append(
            f'<path d="{frame.path(geom)}" fill="none" stroke="{SITE_LINE}" '
            'stroke-width="0.2" stroke-dasharray="1,0.8"/>'
        )
    if footprint is not None:
        out.append(
            f'<path class="footprint" d="{frame.path(footprint)}" fill="{FOOTPRINT_FILL}" '
            f'fill-opacity="0.85" stroke="{FOOTPRINT_LINE}" stroke-width="0.45" '
            'fill-rule="evenodd"/>'
        )
    for code, geom in parcels:
        x, y = frame.point(*_label_point(geom, footprint).coords)
        width = len(code) * LABEL_CHAR_MM + 1.2
        out.append(
            f'<rect x="{x - width / 2:.2f}" y="{y - 2.6:.2f}" width="{width:.2f}" height="3.5" '
            'rx="0.6" fill="#ffffff" fill-opacity="0.9"/>'
            f'<text x="{x:.2f}" y="{y:.2f}" font-size="2.6" text-anchor="middle" '
            f'font-family="DejaVu Sans Mono, monospace" fill="{SITE_LINE}">{escape(code)}</text>'
        )
    out.append("</g>")
    out.append(_scale_bar(frame))
    out.append(_north_arrow())
    out.append(
        f'<rect x="0.1" y="0.1" width="{WIDTH_MM - 0.2}" height="{HEIGHT_MM - 0.2}" '
        'fill="none" stroke="#555" stroke-width="0.2"/>'
    )
    out.append("</svg>")
    return "".join(out)


def application_site_plan(application) -> str:
    """The site plan of a permit application, with the parcels and buildings around its site
    ("" while it has no site)."""
    site = application.site
    if site is None:
        return ""
    shown = site if application.footprint is None else site.union(application.footprint)
    minx, miny, maxx, maxy = shown.extent
    # Enough around the site to fill the drawing, whatever its shape.
    reach = max(maxx - minx, maxy - miny) * (0.5 + PAD_SHARE) + MIN_PAD_M * 2
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    box = Polygon.from_bbox((cx - reach * 2, cy - reach, cx + reach * 2, cy + reach))
    box.srid = site.srid
    own = list(application.parcels.only("cadastral_code", "geom").order_by("cadastral_code"))
    own_ids = [p.pk for p in own]
    neighbours = (
        Parcel.objects.current()
        .in_bbox(box)
        .exclude(pk__in=own_ids)
        .only("geom")
        .order_by("pk")[:MAX_CONTEXT]
    )
    buildings = Building.objects.filter(geom__bboverlaps=box).only("geom").order_by("pk")
    return site_plan_svg(
        site=site,
        footprint=application.footprint,
        parcels=[(p.cadastral_code, p.geom) for p in own],
        neighbours=[p.geom for p in neighbours],
        buildings=[b.geom for b in buildings[:MAX_CONTEXT]],
    )
