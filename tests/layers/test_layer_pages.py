"""Every layer without the map: the list of layers, a paged table of each, a page per feature."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.registry import Layer, registry
from parcels.models import Zone
from tests.conftest import BATUMI_ORIGIN, multi, square

pytestmark = pytest.mark.django_db


def public_layers():
    return registry.visible_to(None)


def many_zones(municipality, n: int) -> list[Zone]:
    """n zones of 10 m × 10 m in a row (EPSG:32638), coded Z-000, Z-001, ..."""
    x, y = BATUMI_ORIGIN
    return Zone.objects.bulk_create(
        Zone(
            municipality=municipality,
            code=f"Z-{i:03d}",
            name_ka=f"ზონა {i}",
            name_en=f"Zone {i}" if i % 2 else f"Harbour zone {i}",
            k1="0.50",
            k2=f"{1 + i / 100:.2f}",
            k3="0.30",
            max_height_m="20.0",
            geom=multi(square(x + 20 * i, y, 10)),
        )
        for i in range(n)
    )


def table_ids(html: str, name: str) -> list[int]:
    return [
        int(i)
        for i in re.findall(
            rf'<th scope="row" class="num"><a href="/en/layers/{name}/(\d+)/"', html
        )
    ]


# The list of layers ---------------------------------------------------------------------------


def test_layer_list_shows_every_public_layer_with_a_link_to_its_table(client, batumi):
    response = client.get("/en/layers/")

    html = response.content.decode()
    assert response.status_code == 200
    for layer in public_layers():
        assert layer.title_en in html
        assert f'href="/en/layers/{layer.name}/"' in html


def test_layer_list_is_georgian_under_ka(client, batumi):
    html = client.get("/ka/layers/").content.decode()

    assert '<html lang="ka">' in html
    for layer in public_layers():
        assert layer.title_ka in html
        assert f'href="/ka/layers/{layer.name}/"' in html


def test_layer_list_groups_base_map_and_thematic_layers(client, batumi):
    html = client.get("/en/layers/").content.decode()

    thematic, basemap = html.split('id="group-thematic"')[1].split('id="group-basemap"')
    assert 'data-layer="zones"' in thematic and 'data-layer="parcels"' in thematic
    assert 'data-layer="districts"' in basemap and 'data-layer="zones"' not in basemap


def test_layer_list_counts_the_features_of_each_layer(client, zone):
    html = client.get("/en/layers/").content.decode()

    zones_card = html.split('data-layer="zones"')[1].split("</li>")[0]
    assert "1 feature" in zones_card and "1 features" not in zones_card
    districts_card = html.split('data-layer="districts"')[1].split("</li>")[0]
    assert "1 feature" in districts_card


def test_layer_list_links_to_ogc_api_wfs_tilejson_and_downloads(client, batumi):
    html = client.get("/en/layers/").content.decode()

    assert 'href="/ogcapi/collections/zones"' in html
    assert 'href="/tiles/zones.json"' in html
    assert 'href="/api/v1/layers/zones/export.gpkg"' in html
    assert 'href="/api/v1/layers/zones/export.csv"' in html
    assert "/wfs?SERVICE=WFS&amp;REQUEST=GetCapabilities" in html


def test_layer_list_offers_no_downloads_of_a_layer_that_allows_none(client, batumi):
    layer = registry.register(
        Layer(
            name="test-no-downloads",
            title_ka="ჩამოტვირთვის გარეშე",
            title_en="Not downloadable",
            queryset=lambda: Zone.objects.all(),
            properties=("code",),
            downloadable=False,
        )
    )
    try:
        html = client.get("/en/layers/").content.decode()
    finally:
        registry.unregister(layer.name)

    card = html.split('data-layer="test-no-downloads"')[1].split("</li>\n")[0]
    assert "export." not in card
    assert 'href="/en/layers/test-no-downloads/"' in card


def test_layer_list_needs_the_same_queries_however_many_layers(client, zone):
    with CaptureQueriesContext(connection) as before:
        client.get("/en/layers/")
    extra = [
        registry.register(
            Layer(
                name=f"test-more-{i}",
                title_ka=f"ფენა {i}",
                title_en=f"More {i}",
                queryset=lambda: Zone.objects.all(),
                properties=("code",),
            )
        )
        for i in range(3)
    ]
    try:
        with CaptureQueriesContext(connection) as after:
            html = client.get("/en/layers/").content.decode()
    finally:
        for layer in extra:
            registry.unregister(layer.name)

    assert "More 2" in html
    # The dataset source, one UNION ALL that counts every layer, the header's municipalities.
    assert len(after.captured_queries) == len(before.captured_queries) <= 3


def test_header_links_to_the_layers_in_the_page_language(client, batumi):
    assert 'href="/en/layers/"' in client.get("/en/").content.decode()
    assert 'href="/ka/layers/"' in client.get("/ka/parcels/").content.decode()


# A layer's table ------------------------------------------------------------------------------


def test_table_shows_the_properties_as_columns_with_their_titles(client, zone):
    html = client.get("/en/layers/zones/").content.decode()

    for title in ("Code", "Name (English)", "K-1 (max. coverage)", "Maximum height, m"):
        assert title in html
    assert f'href="/en/layers/zones/{zone.pk}/"' in html
    assert "SZ-6" in html and "Residential zone 6" in html


def test_table_pages_fifty_features_at_a_time(client, batumi):
    zones = many_zones(batumi, 120)

    first = client.get("/en/layers/zones/").content.decode()
    third = client.get("/en/layers/zones/", {"page": 3}).content.decode()

    assert table_ids(first, "zones") == [z.pk for z in zones[:50]]
    assert table_ids(third, "zones") == [z.pk for z in zones[100:]]
    assert 'href="/en/layers/zones/?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert "Features 1–50 of 120" in first
    assert "Page 3 of 3" in third and 'rel="next"' not in third


def test_table_page_past_the_end_answers_404(client, batumi):
    many_zones(batumi, 3)

    assert client.get("/en/layers/zones/", {"page": 2}).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_table_refuses_a_page_that_is_not_a_positive_whole_number(client, batumi, page):
    response = client.get("/en/layers/zones/", {"page": page})

    assert response.status_code == 400
    assert response.json()["parameter"] == "page"


def test_table_sorts_by_a_property_and_back(client, batumi):
    zones = many_zones(batumi, 5)

    ascending = client.get("/en/layers/zones/", {"sort": "k2"}).content.decode()
    descending = client.get("/en/layers/zones/", {"sort": "-k2"}).content.decode()

    assert table_ids(ascending, "zones") == [z.pk for z in zones]
    assert table_ids(descending, "zones") == [z.pk for z in reversed(zones)]
    assert 'aria-sort="descending"' in descending
    assert 'href="/en/layers/zones/?sort=k2"' in descending


def test_table_refuses_to_sort_by_what_is_not_a_property(client, batumi):
    response = client.get("/en/layers/zones/", {"sort": "geom"})

    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "sort"
    assert "code" in body["detail"]


def test_table_filters_by_text_in_any_string_property(client, batumi):
    zones = many_zones(batumi, 6)

    html = client.get("/en/layers/zones/", {"q": "harbour"}).content.decode()

    assert table_ids(html, "zones") == [z.pk for z in zones[0::2]]
    assert "containing “harbour”" in html


def test_table_query_count_does_not_grow_with_the_page(client, batumi):
    many_zones(batumi, 60)

    with CaptureQueriesContext(connection) as small:
        client.get("/en/layers/zones/", {"page": 2})
    with CaptureQueriesContext(connection) as full:
        client.get("/en/layers/zones/")

    # The count, the page, and the header's municipalities.
    assert len(small.captured_queries) == len(full.captured_queries) == 3


def test_table_of_an_unknown_layer_answers_404(client, db):
    assert client.get("/en/layers/no-such-layer/").status_code == 404


# A feature's page -----------------------------------------------------------------------------


def test_feature_page_shows_the_properties_and_a_small_map(client, zone):
    response = client.get(f"/en/layers/zones/{zone.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Residential zone 6</h1>" in html
    assert "K-1 (max. coverage)" in html and "0.50" in html
    assert f'href="/ogcapi/collections/zones/items/{zone.pk}"' in html
    assert f'href="/en/?feature=zones:{zone.pk}"' in html
    config = json.loads(
        html.split('id="feature-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["layer"] == "zones"
    assert config["geometry"]["type"] == "MultiPolygon"
    minx, miny, maxx, maxy = config["bbox"]
    assert 41 < minx < maxx < 42 and 41 < miny < maxy < 42


def test_feature_page_of_a_district_names_it_in_the_page_language(client, batumi):
    district = batumi.districts.get()

    assert (
        "<h1>ძველი ქალაქი</h1>"
        in client.get(f"/ka/layers/districts/{district.pk}/").content.decode()
    )
    assert (
        "<h1>Old Town</h1>" in client.get(f"/en/layers/districts/{district.pk}/").content.decode()
    )


@pytest.mark.parametrize("feature_id", ["999999", "not-a-number"])
def test_feature_page_of_a_missing_feature_answers_404(client, zone, feature_id):
    assert client.get(f"/en/layers/zones/{feature_id}/").status_code == 404


def test_feature_page_needs_one_query_for_the_feature(client, zone, django_assert_num_queries):
    # The feature with its outline, and the header's municipalities.
    with django_assert_num_queries(2):
        client.get(f"/en/layers/zones/{zone.pk}/")


def test_table_names_referenced_rows_in_one_query_for_the_page(client, batumi, rustavi):
    from core.models import District

    for i in range(5):
        District.objects.create(
            municipality=rustavi if i % 2 else batumi,
            code=f"d-{i}",
            name_ka=f"რაიონი {i}",
            name_en=f"District {i}",
            boundary=batumi.boundary,
        )

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/en/layers/districts/").content.decode()

    assert "<td>Rustavi</td>" in html and "<td>Batumi</td>" in html
    # The count, the page, the municipalities they name, and the header's municipalities.
    assert len(queries.captured_queries) == 4
