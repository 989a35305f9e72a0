"""The geometry input module refuses what the database should not store, and says why."""

import json
import math

import pytest
import shapely
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from core.geometry import GeometryError, parse_geometry, parse_lonlat

# A 20 m square in Batumi, EPSG:4326 (lon, lat).
BATUMI_SQUARE = [
    [41.6400, 41.6400],
    [41.6402, 41.6400],
    [41.6402, 41.6402],
    [41.6400, 41.6402],
    [41.6400, 41.6400],
]


def polygon(ring):
    return {"type": "Polygon", "coordinates": [ring]}


def error_of(value, **kwargs) -> GeometryError:
    with pytest.raises(GeometryError) as caught:
        parse_geometry(value, **kwargs)
    return caught.value


def test_geojson_polygon_is_stored_in_utm_38n():
    geom = parse_geometry(polygon(BATUMI_SQUARE))
    assert geom.srid == settings.SRID_STORAGE == 32638
    assert geom.geom_type == "Polygon"
    assert 200 < geom.area < 700  # about 17 m by 22 m


def test_geojson_feature_and_text_are_accepted():
    feature = {"type": "Feature", "properties": {}, "geometry": polygon(BATUMI_SQUARE)}
    assert parse_geometry(feature).equals_exact(parse_geometry(json.dumps(feature)), 1e-6)


def test_wkt_ewkt_and_wkb_give_the_same_geometry():
    shape = shapely.Polygon(BATUMI_SQUARE)
    from_wkt = parse_geometry(shape.wkt, srid=4326)
    from_ewkt = parse_geometry(f"SRID=4326;{shape.wkt}")
    from_wkb = parse_geometry(shapely.to_wkb(shape), srid=4326)
    from_hex = parse_geometry(shapely.to_wkb(shape, hex=True), srid=4326)
    for other in (from_ewkt, from_wkb, from_hex):
        assert from_wkt.equals_exact(other, 1e-6)


def test_utm_input_is_kept_in_place():
    geom = parse_geometry("SRID=32638;POINT (220150 4615262)")
    assert (round(geom.x), round(geom.y)) == (220150, 4615262)


def test_polygon_is_promoted_to_multipolygon_when_only_that_is_allowed():
    geom = parse_geometry(polygon(BATUMI_SQUARE), allowed_types={"MultiPolygon"})
    assert geom.geom_type == "MultiPolygon"


def test_bow_tie_polygon_is_refused_with_the_place_of_the_crossing():
    bow_tie = [
        [41.64, 41.64],
        [41.6402, 41.6402],
        [41.6402, 41.64],
        [41.64, 41.6402],
        [41.64, 41.64],
    ]
    error = error_of(polygon(bow_tie))
    assert error.code == "invalid_geometry"
    assert "self-intersection" in error.message
    assert "41.6401" in error.message  # where the edges cross


def test_unclosed_ring_is_refused_in_geojson():
    error = error_of(polygon(BATUMI_SQUARE[:-1] + [[41.6401, 41.6400]]))
    assert error.code == "unclosed_ring"
    assert "not closed" in error.message


def test_unclosed_ring_is_refused_in_wkt():
    error = error_of("POLYGON ((41.64 41.64, 41.65 41.64, 41.65 41.65, 41.64 41.65))", srid=4326)
    assert error.code == "parse"
    assert "closed" in error.message.lower()


def test_srid_outside_the_allow_list_is_refused():
    error = error_of("SRID=2154;POINT (650000 6860000)")
    assert error.code == "srid"
    assert "EPSG:2154" in error.message
    assert "EPSG:32638" in error.message


def test_geojson_crs_member_names_the_srid():
    point = {
        "type": "Point",
        "coordinates": [220150, 4615262],
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}},
    }
    assert round(parse_geometry(point).x) == 220150


def test_swapped_longitude_and_latitude_are_detected():
    # Batumi lies near 41.64 E 41.64 N, where a swap cannot show; Rustavi lies near 45.00 E 41.55 N.
    rustavi = [[lon + 3.36, lat - 0.09] for lon, lat in BATUMI_SQUARE]
    swapped = [[lat, lon] for lon, lat in rustavi]
    error = error_of(polygon(swapped))
    assert error.code == "swapped"
    assert "longitude first" in error.message


def test_point_outside_georgia_is_refused():
    error = error_of({"type": "Point", "coordinates": [2.35, 48.85]})
    assert error.code == "outside_georgia"


def test_out_of_range_coordinate_is_refused():
    error = error_of({"type": "Point", "coordinates": [200, 41.6]})
    assert error.code == "out_of_range"


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Polygon", "coordinates": []},
        "POLYGON EMPTY",
        "",
        {"type": "GeometryCollection", "geometries": []},
    ],
)
def test_empty_geometries_are_refused(value):
    assert error_of(value, srid=4326).code in {"empty", "parse"}


def test_nan_in_geojson_text_is_refused():
    text = '{"type": "Point", "coordinates": [NaN, 41.6]}'
    assert error_of(text).code == "not_finite"


def test_nan_in_wkt_is_refused():
    assert error_of("POINT (nan 41.6)", srid=4326).code == "not_finite"


def test_infinite_coordinate_from_a_dict_is_refused():
    assert error_of({"type": "Point", "coordinates": [math.inf, 41.6]}).code in {
        "not_finite",
        "parse",
    }


def test_too_many_vertices_are_refused():
    ring = shapely.Point(41.64, 41.64).buffer(0.001, quad_segs=100).exterior.coords
    error = error_of(polygon([list(c) for c in ring]), max_vertices=100)
    assert error.code == "too_many_vertices"
    assert "at most 100" in error.message


def test_wrong_type_is_refused():
    error = error_of({"type": "Point", "coordinates": [41.64, 41.64]}, allowed_types={"Polygon"})
    assert error.code == "type"


def test_feature_collection_is_refused():
    assert error_of({"type": "FeatureCollection", "features": []}).code == "type"


@pytest.mark.parametrize("text", ["{not json", "CIRCLE (1 2)", "POLYGON ((1 2, 3"])
def test_garbage_is_refused_with_a_parse_error(text):
    assert error_of(text, srid=4326).code == "parse"


def test_three_dimensional_input_is_flattened():
    geom = parse_geometry({"type": "Point", "coordinates": [41.64, 41.64, 12.0]})
    assert not geom.hasz


def test_parse_lonlat_names_the_bad_parameter():
    with pytest.raises(GeometryError, match="lon='abc'"):
        parse_lonlat("abc", "41.6")
    point = parse_lonlat("41.64", "41.64")
    assert point.srid == 4326 and point.x == pytest.approx(41.64)


@given(
    lon=st.floats(min_value=41.5, max_value=45.5),
    lat=st.floats(min_value=41.2, max_value=42.5),
)
def test_any_point_in_georgia_round_trips_through_utm(lon, lat):
    point = parse_geometry({"type": "Point", "coordinates": [lon, lat]})
    back = point.transform(4326, clone=True)
    assert back.x == pytest.approx(lon, abs=1e-7)
    assert back.y == pytest.approx(lat, abs=1e-7)
