"""Generated geometries at every geometry input: core.geometry.parse_geometry, the compliance
check API (site and footprint), the parcel API's bbox and point, the OGC API's bbox and
S_INTERSECTS filter, a layer download's bbox, the application's footprint form, the apply page's
drawn site and the page that follows an area.

The geometries are valid, invalid (self-intersecting, unclosed rings, too few positions),
degenerate (zero area, repeated points, empty, NaN and Infinity), huge (many vertices, huge
coordinates, deep GeometryCollections) and in the wrong coordinate system. Each input accepts
a geometry (2xx) or refuses it (a 4xx, in the API's error shape under /api/); none answers
500. The examples are bounded (max_examples) so that the suite runs in well under a minute.
"""

from __future__ import annotations

import json
import math

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.geometry import GeometryError, parse_geometry

pytestmark = pytest.mark.django_db

# Batumi's centre, where the hand-drawn parcels of tests/conftest.py lie.
LON, LAT = 41.64, 41.64

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

finite = st.floats(min_value=-1e-2, max_value=1e-2, allow_nan=False)
wild = st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -1e300, 0.0, 180.0, 91.0])


@st.composite
def ring(draw, *, closed: bool = True, size: int | None = None) -> list:
    n = size if size is not None else draw(st.integers(min_value=0, max_value=8))
    points = [[LON + draw(finite), LAT + draw(finite)] for _ in range(n)]
    if closed and points:
        points.append(list(points[0]))
    return points


def square(cx: float, cy: float, half: float) -> list:
    return [
        [cx - half, cy - half],
        [cx + half, cy - half],
        [cx + half, cy + half],
        [cx - half, cy + half],
        [cx - half, cy - half],
    ]


def bowtie() -> list:
    return [[LON, LAT], [LON + 1e-3, LAT + 1e-3], [LON + 1e-3, LAT], [LON, LAT + 1e-3], [LON, LAT]]


def many_vertices(count: int) -> list:
    points = [
        [
            LON + 1e-3 * math.cos(2 * math.pi * i / count),
            LAT + 1e-3 * math.sin(2 * math.pi * i / count),
        ]
        for i in range(count)
    ]
    return [*points, points[0]]


def nested_collection(depth: int) -> dict:
    geometry = {"type": "Polygon", "coordinates": [square(LON, LAT, 1e-4)]}
    for _ in range(depth):
        geometry = {"type": "GeometryCollection", "geometries": [geometry]}
    return geometry


@st.composite
def polygons(draw) -> dict:
    """A GeoJSON Polygon or MultiPolygon, often broken."""
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "bowtie",
                "unclosed",
                "few",
                "zero_area",
                "repeated",
                "empty",
                "empty_ring",
                "wild",
                "many",
                "huge",
                "hole_outside",
                "multi",
            ]
        )
    )
    half = draw(st.floats(min_value=1e-6, max_value=2e-3))
    if kind == "valid":
        rings = [square(LON + draw(finite), LAT + draw(finite), half)]
    elif kind == "bowtie":
        rings = [bowtie()]
    elif kind == "unclosed":
        rings = [draw(ring(closed=False, size=draw(st.integers(min_value=3, max_value=6))))]
    elif kind == "few":
        rings = [draw(ring(size=draw(st.integers(min_value=0, max_value=2))))]
    elif kind == "zero_area":
        rings = [[[LON, LAT], [LON + half, LAT], [LON + 2 * half, LAT], [LON, LAT]]]
    elif kind == "repeated":
        rings = [[[LON, LAT]] * 5]
    elif kind == "empty":
        rings = []
    elif kind == "empty_ring":
        rings = [[]]
    elif kind == "wild":
        value = draw(wild)
        rings = [square(LON, LAT, half)]
        rings[0][draw(st.integers(min_value=0, max_value=3))] = [value, LAT]
    elif kind == "many":
        rings = [many_vertices(draw(st.sampled_from([10, 9_999, 10_001, 20_000])))]
    elif kind == "huge":
        rings = [square(draw(wild) if draw(st.booleans()) else 1e6, 1e6, 1e5)]
    elif kind == "hole_outside":
        rings = [square(LON, LAT, half), square(LON + 1, LAT + 1, half)]
    else:
        return {
            "type": "MultiPolygon",
            "coordinates": [[square(LON, LAT, half)], [square(LON + half, LAT, half)]],
        }
    return {"type": "Polygon", "coordinates": rings}


@st.composite
def geometries(draw):
    """Any geometry input: GeoJSON (with or without a crs), WKT, wrong types and other values."""
    choice = draw(st.integers(min_value=0, max_value=9))
    if choice <= 4:
        return draw(polygons())
    if choice == 5:
        srid = draw(st.sampled_from([4326, 32638, 3857, 2154, 999_999, 0]))
        crs = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
        return {**draw(polygons()), "crs": crs}
    if choice == 6:
        return nested_collection(draw(st.sampled_from([1, 5, 31, 40])))
    if choice == 7:
        return draw(
            st.sampled_from(
                [
                    {"type": "Point", "coordinates": [LON, LAT]},
                    {"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT]]},
                    {"type": "Feature", "geometry": None},
                    {"type": "FeatureCollection", "features": []},
                    {"type": "Polygon"},
                    {"type": "Polygon", "coordinates": "x"},
                    {"type": "Polygon", "coordinates": [[["a", "b"]] * 4]},
                    {"type": "Circle", "coordinates": [LON, LAT]},
                    {},
                ]
            )
        )
    if choice == 8:
        return draw(
            st.sampled_from(
                [
                    f"POLYGON(({LON} {LAT}, {LON + 1e-3} {LAT}, {LON} {LAT + 1e-3}, {LON} {LAT}))",
                    "SRID=32638;POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))",
                    "SRID=999999;POINT(1 2)",
                    "POLYGON EMPTY",
                    "POLYGON((nan nan, 1 1, 2 2, nan nan))",
                    "0103000000",
                    "POLYGON((",
                ]
            )
        )
    return draw(st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers())))


# core.geometry


@SETTINGS
@given(value=geometries())
def test_parse_geometry_accepts_or_refuses_with_a_geometry_error(value):
    try:
        geometry = parse_geometry(value)
    except GeometryError as error:
        assert error.message and error.code
    else:
        assert isinstance(geometry, GEOSGeometry) and not geometry.empty


# The REST API.


def assert_answered(response) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400 and response.wsgi_request.path.startswith("/api/"):
        body = response.json()
        assert body["detail"] and body["code"]


@pytest.fixture
def client(parcels, english_messages):
    return Client()


@SETTINGS
@given(site=geometries(), footprint=geometries())
def test_compliance_check_answers_any_site_and_footprint(client, site, footprint):
    body = json.dumps({"site": site, "footprint": footprint, "floors": 2})
    response = client.post("/api/v1/permits/check", data=body, content_type="application/json")
    assert_answered(response)


@SETTINGS
@given(
    numbers=st.lists(
        st.one_of(finite.map(lambda d: LON + d), wild, st.floats()), min_size=0, max_size=6
    )
)
def test_parcel_bbox_answers_any_box(client, numbers):
    bbox = ",".join(repr(n) for n in numbers)
    assert_answered(client.get("/api/v1/parcels/", {"bbox": bbox}))
    assert_answered(client.get("/api/v1/layers/parcels/export.geojson", {"bbox": bbox}))


@SETTINGS
@given(lon=st.one_of(wild, st.floats(), finite.map(lambda d: LON + d)), lat=st.floats())
def test_parcel_at_answers_any_point(client, lon, lat):
    assert_answered(client.get("/api/v1/parcels/at/", {"lon": repr(lon), "lat": repr(lat)}))


# The OGC API keeps its own error form: only the status matters here.


@SETTINGS
@given(value=geometries(), numbers=st.lists(st.one_of(wild, st.floats()), max_size=6))
def test_ogc_items_answer_any_bbox_and_intersects_filter(client, value, numbers):
    bbox = ",".join(repr(n) for n in numbers)
    response = client.get("/ogcapi/collections/parcels/items", {"bbox": bbox, "f": "json"})
    assert response.status_code < 500
    try:
        wkt = parse_geometry(value, target_srid=4326).wkt
    except GeometryError:
        wkt = value if isinstance(value, str) else json.dumps(value)
    response = client.get(
        "/ogcapi/collections/parcels/items",
        {"filter": f"S_INTERSECTS(geometry, {wkt})", "filter-lang": "cql2-text", "f": "json"},
    )
    assert response.status_code < 500


# Forms and pages.


@SETTINGS
@given(value=geometries())
def test_application_footprint_form_accepts_or_refuses(value):
    from permits.application_forms import CarriedFigures

    text = value if isinstance(value, str) else json.dumps(value)
    form = CarriedFigures(data={"footprint": text})
    if form.is_valid():
        assert form.cleaned_data["footprint"] is None or form.cleaned_data["footprint"].valid
    else:
        assert form.errors


@SETTINGS
@given(value=geometries())
def test_apply_page_answers_any_drawn_site(client, value):
    text = value if isinstance(value, str) else json.dumps(value)
    client.force_login(get_user_model().objects.get_or_create(username="drawer")[0])
    response = client.get("/en/permits/apply/", {"site": text[:20_000]})
    assert response.status_code < 500


@SETTINGS
@given(value=geometries())
def test_follow_area_page_accepts_or_refuses_any_area(client, value):
    text = value if isinstance(value, str) else json.dumps(value)
    client.force_login(get_user_model().objects.get_or_create(username="follower")[0])
    response = client.post("/en/follows/", {"area": text, "name": "area"})
    assert response.status_code < 500
