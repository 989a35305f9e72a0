"""bench.data draws the benchmark parcels: deterministic, valid, inside the municipalities."""

import numpy as np
import pytest
import shapely

from bench import data, floor

PARCELS = 400


@pytest.fixture(scope="module")
def drawn():
    return [(city, *data.draw(city)) for city in data.layout(PARCELS)]


def test_draws_exactly_the_parcels_asked_for_in_both_cities(drawn):
    counts = {city.code: len(polygons) for city, _, polygons, _, _ in drawn}
    assert counts == {"BTM": 220, "RST": 180}


def test_the_same_size_draws_the_same_parcels(drawn):
    again = [data.draw(city)[1] for city in data.layout(PARCELS)]
    for (_, _, polygons, _, _), repeat in zip(drawn, again, strict=True):
        assert shapely.to_wkb(polygons).tolist() == shapely.to_wkb(repeat).tolist()


def test_parcels_are_valid_realistic_shapes_inside_their_municipality(drawn):
    for city, _, polygons, _, _ in drawn:
        assert shapely.is_valid(polygons).all()
        vertices = shapely.get_num_coordinates(polygons)
        assert vertices.min() >= 5 and vertices.max() <= 12
        assert len(np.unique(vertices)) >= 4  # not all quadrilaterals
        assert shapely.within(polygons, city.boundary).all()
        areas = shapely.area(polygons)
        assert 50 < np.median(areas) < 400  # the centre's small lots


def test_neighbouring_parcels_never_overlap(drawn):
    for _, _, polygons, _, _ in drawn:
        tree = shapely.STRtree(polygons)
        left, right = tree.query(polygons, predicate="intersects")
        pairs = left < right
        shared = shapely.area(shapely.intersection(polygons[left[pairs]], polygons[right[pairs]]))
        assert shared.max(initial=0.0) < 0.01


def test_the_centre_is_the_same_whatever_the_size(drawn):
    bigger = data.layout(2 * PARCELS)
    for (_city, _, polygons, _, _), big in zip(drawn, bigger, strict=True):
        first = data.draw(big)[1][: len(polygons) // 2]
        assert shapely.equals_exact(first, polygons[: len(polygons) // 2], tolerance=1e-6).all()


def test_floor_refuses_text_that_pgbench_would_read_as_a_variable():
    assert floor._VARIABLE.search("SELECT 1 WHERE a = :id")
    assert not floor._VARIABLE.search("SELECT '\\x01'::bytea, 'a'::geometry")
