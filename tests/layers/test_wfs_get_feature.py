"""WFS GetFeature: GDAL and OWSLib read the features with their public properties only."""

import json
import re
import subprocess

import pyogrio.raw
import pytest
import shapely
from lxml import etree
from owslib.wfs import WebFeatureService

from layers.registry import registry
from parcels.models import LandUse
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

WFS = "http://www.opengis.net/wfs/2.0"
GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
GET_PARCELS = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcels"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def parcels(batumi):
    """Seven 20 m squares in a row, 30 m apart, from BATUMI_ORIGIN + (100, 100) (EPSG:32638)."""
    x, y = BATUMI_ORIGIN
    uses = [LandUse.RESIDENTIAL, LandUse.COMMERCIAL, LandUse.GREEN]
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
            land_use=uses[i % 3],
            is_municipal_property=i % 2 == 0,
            address_ka="not public",
            source="not public either",
        )
        for i in range(7)
    ]


def test_ogrinfo_counts_the_parcels(live_server, transactional_db, parcels):
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", f"WFS:{live_server.url}/wfs", "parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert re.search(r"^Feature Count: 7$", result.stdout, flags=re.MULTILINE)


def test_ogr2ogr_copies_every_parcel_with_its_properties(
    live_server, transactional_db, parcels, tmp_path
):
    target = tmp_path / "parcels.gpkg"
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), f"WFS:{live_server.url}/wfs", "parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    meta, _, geometries, columns = pyogrio.raw.read(target)
    fields = list(meta["fields"])
    properties = registry.get("parcels").properties
    assert set(fields) == {"gml_id", *properties}
    copied = {
        columns[fields.index("gml_id")][i]: {
            name: columns[fields.index(name)][i] for name in properties
        }
        for i in range(len(geometries))
    }
    assert copied == {
        f"parcels.{p.pk}": {name: pytest.approx(getattr(p, name)) for name in properties}
        for p in parcels
    }
    assert copied[f"parcels.{parcels[1].pk}"]["land_use"] == LandUse.COMMERCIAL
    assert meta["crs"] == "EPSG:32638"
    areas = sorted(shapely.area(shapely.from_wkb(geometries)))
    assert areas == pytest.approx([400.0] * 7)


def test_owslib_getfeature_returns_the_features_in_a_bbox(live_server, transactional_db, parcels):
    x, y = BATUMI_ORIGIN
    wfs = WebFeatureService(f"{live_server.url}/wfs", version="2.0.0", timeout=60)
    # The box (EPSG:32638) covers the second and third squares and none of the others.
    box = (x + 125, y + 95, x + 165, y + 125, "urn:ogc:def:crs:EPSG::32638")
    response = wfs.getfeature(typename=["gisportal:parcels"], bbox=box)
    root = etree.fromstring(response.read())
    ids = {member.get(f"{{{GML}}}id") for member in root.iter(f"{{{APP}}}parcels")}
    assert ids == {f"parcels.{parcels[1].pk}", f"parcels.{parcels[2].pk}"}


def test_only_the_public_properties_go_out(client, parcels):
    properties = registry.get("parcels").properties
    assert "source" not in properties and "address_ka" not in properties
    features = json.loads(body(client.get(GET_PARCELS + "&OUTPUTFORMAT=geojson")))["features"]
    assert len(features) == 7
    for feature in features:
        assert set(feature["properties"]) == set(properties)
        assert "geometry_name" not in feature
    gml = etree.fromstring(body(client.get(GET_PARCELS)))
    member = next(gml.iter(f"{{{APP}}}parcels"))
    own = [etree.QName(child).localname for child in member if child.tag.startswith(f"{{{APP}}}")]
    assert own == [*properties, "geom"]
    assert b"not public" not in etree.tostring(gml)


def test_features_come_in_the_storage_grid_unless_another_crs_is_asked(client, parcels):
    gml = etree.fromstring(body(client.get(GET_PARCELS)))
    polygon = next(gml.iter(f"{{{GML}}}MultiSurface"))
    assert polygon.get("srsName") == "urn:ogc:def:crs:EPSG::32638"

    response = client.get(GET_PARCELS + "&OUTPUTFORMAT=geojson&SRSNAME=EPSG:4326")
    lon, lat = json.loads(body(response))["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 41.5 < lon < 41.7 and 41.6 < lat < 41.7

    response = client.get(GET_PARCELS + "&SRSNAME=urn:ogc:def:crs:EPSG::3857&COUNT=1")
    gml = etree.fromstring(body(response))
    surface = next(gml.iter(f"{{{GML}}}MultiSurface"))
    assert surface.get("srsName") == "urn:ogc:def:crs:EPSG::3857"
    first_x = float(next(gml.iter(f"{{{GML}}}posList")).text.split()[0])
    assert 4.6e6 < first_x < 4.7e6  # 41.6 E in Web Mercator metres


def test_gml_is_the_default_and_geojson_is_offered(client, parcels):
    gml = client.get(GET_PARCELS)
    assert gml.status_code == 200
    assert gml["Content-Type"].startswith("text/xml")
    root = etree.fromstring(body(gml))
    assert root.tag == f"{{{WFS}}}FeatureCollection"
    assert root.get("numberMatched") == "7"
    geojson = client.get(GET_PARCELS + "&OUTPUTFORMAT=application/json")
    assert geojson["Content-Type"].startswith("application/geo+json")
    assert json.loads(body(geojson))["type"] == "FeatureCollection"
