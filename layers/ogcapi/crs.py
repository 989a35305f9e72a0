"""The coordinate reference systems that OGC API Features offers (part 2), and moving geometries
between them and the storage grid.

Each CRS is named by its OGC URI. EPSG:4326 has latitude first, as its definition says; CRS84
(the default) has longitude first. Geometries that come in (bbox, filter literals) are turned
into the storage SRID in Python, before the query; geometries that go out are transformed by
PostGIS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Func, Value

from core.geometry import transformer
from layers.tiles import DATA_REGION


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int
    lat_first: bool = False
    geographic: bool = False

    @property
    def header(self) -> str:
        """The Content-Crs header's value."""
        return f"<{self.uri}>"


CRS84 = Crs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, geographic=True)
EPSG_4326 = Crs("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, True, geographic=True)
STORAGE = Crs(
    f"http://www.opengis.net/def/crs/EPSG/0/{settings.SRID_STORAGE}", settings.SRID_STORAGE
)
WEB_MERCATOR = Crs("http://www.opengis.net/def/crs/EPSG/0/3857", 3857)

SUPPORTED = (CRS84, EPSG_4326, STORAGE, WEB_MERCATOR)
_BY_URI = {crs.uri: crs for crs in SUPPORTED}
_EPSG = re.compile(
    r"^(?:\[?EPSG:(\d+)\]?|urn:ogc:def:crs:EPSG:[\d.]*:(\d+)|https?://www\.opengis\.net/def/crs/EPSG/0/(\d+))$",
    re.IGNORECASE,
)
_CRS84 = re.compile(
    r"^(?:\[?OGC:CRS84\]?|CRS84|urn:ogc:def:crs:OGC:1\.3:CRS84|https?://www\.opengis\.net/def/crs/OGC/1\.3/CRS84)$",
    re.IGNORECASE,
)
# Degrees between added vertices when a lon/lat shape is projected: its straight edges curve.
DENSIFY_DEGREES = 0.01


def parse_crs(value: str) -> Crs | None:
    """The CRS that a URI, a CURIE (`[EPSG:32638]`) or `EPSG:32638` names, if it is offered."""
    text = value.strip()
    if text in _BY_URI:
        return _BY_URI[text]
    if _CRS84.match(text):
        return CRS84
    match = _EPSG.match(text)
    if match:
        code = next(group for group in match.groups() if group)
        return _BY_URI.get(f"http://www.opengis.net/def/crs/EPSG/0/{int(code)}")
    return None


class OutOfReach(ValueError):
    """A geometry that cannot be moved into the storage grid (not finite after projection)."""


def _project(geom: shapely.Geometry, source: int, target: int) -> shapely.Geometry:
    if source == target:
        return geom
    to = transformer(source, target)

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = to.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, move)


def to_storage(geom: shapely.Geometry, crs: Crs, srid: int) -> tuple[GEOSGeometry | None, bool]:
    """The geometry, given in `crs`, in the SRID `srid` as GEOS; and whether it was cut
    (`stored_shape`)."""
    shape, cut = stored_shape(geom, crs, srid)
    if shape is None:
        return None, cut
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=srid), cut


def stored_shape(
    geom: shapely.Geometry, crs: Crs, srid: int
) -> tuple[shapely.Geometry | None, bool]:
    """The geometry, given in `crs`, in the SRID `srid`; and whether it was cut.

    A shape in degrees is first cut to the region around Georgia where the data lies (far-away
    coordinates do not project sensibly into UTM 38N) and densified, so that its edges keep
    their shape; the flag says it was cut, for predicates whose answer depends on the whole
    shape. None when nothing of it is left.
    """
    geom = shapely.force_2d(geom)
    if crs.lat_first:
        geom = shapely.transform(geom, lambda coords: coords[:, ::-1])
    cut = False
    if crs.srid != srid:
        lonlat = _project(geom, crs.srid, 4326)
        region = shapely.box(*DATA_REGION)
        if not shapely.within(lonlat, region):
            lonlat = shapely.intersection(lonlat, region)
            cut = True
        if lonlat.is_empty:
            return None, cut
        geom = _project(shapely.segmentize(lonlat, DENSIFY_DEGREES), 4326, srid)
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        raise OutOfReach("The geometry lies outside the range of the coordinate system.")
    return geom, cut


class Shape(Func):
    """A shapely geometry as the right-hand side of a spatial lookup, sent as EWKB.

    No GEOS object is made: under load every GEOS call through ctypes gives up the GIL and
    queues to take it back, which cost a page of items more than its query's own time.
    """

    function = "ST_GeomFromEWKB"

    def __init__(self, geom: shapely.Geometry | None, srid: int, *, ewkb: bytes = b""):
        if geom is not None:
            ewkb = shapely.to_wkb(shapely.set_srid(geom, srid), include_srid=True)
        self.ewkb = ewkb
        super().__init__(Value(ewkb), output_field=GeometryField(srid=srid))
