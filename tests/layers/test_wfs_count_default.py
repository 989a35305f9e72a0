"""GetCapabilities states CountDefault, the page a GetFeature without COUNT gets, and GDAL
pages by it."""

import os
import subprocess

import pytest
from lxml import etree

from layers.wfs import LayerWFSView
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

OWS = "http://www.opengis.net/ows/1.1"
CAPABILITIES = "/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"


def count_default(element) -> str | None:
    for constraint in element.findall(f"{{{OWS}}}Constraint"):
        if constraint.get("name") == "CountDefault":
            return constraint.findtext(f"{{{OWS}}}DefaultValue")
    return None


def test_count_default_is_the_page_size_for_the_service_and_get_feature(client, db, settings):
    root = etree.fromstring(client.get(CAPABILITIES).content)
    metadata = root.find(f"{{{OWS}}}OperationsMetadata")
    page = str(settings.WFS_MAX_PAGE_SIZE)
    assert count_default(metadata) == page
    operations = {op.get("name"): op for op in metadata.iterfind(f"{{{OWS}}}Operation")}
    assert count_default(operations["GetFeature"]) == page
    assert count_default(operations["GetPropertyValue"]) == page
    assert count_default(operations["DescribeFeatureType"]) is None


def test_count_default_follows_the_constraints_of_the_service(client, db):
    # OWS 1.1: the service's constraints come after its operations; an operation's after
    # its parameters.
    root = etree.fromstring(client.get(CAPABILITIES).content)
    metadata = root.find(f"{{{OWS}}}OperationsMetadata")
    names = [etree.QName(child).localname for child in metadata]
    assert names == sorted(names, key=["Operation", "Parameter", "Constraint"].index)
    get_feature = next(op for op in metadata if op.get("name") == "GetFeature")
    assert etree.QName(get_feature[-1]).localname == "Constraint"


@pytest.fixture
def parcels(batumi):
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
        )
        for i in range(5)
    ]


def test_gdal_pages_by_the_count_default(live_server, transactional_db, parcels, monkeypatch):
    monkeypatch.setattr(LayerWFSView, "max_page_size", 2)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"WFS:{live_server.url}/wfs", "parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "CPL_DEBUG": "WFS", "OGR_WFS_LOAD_MULTIPLE_LAYER_DEFN": "NO"},
    )
    assert "Paging support with page size 2" in result.stderr
    features = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", f"WFS:{live_server.url}/wfs", "parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    codes = {
        line.split("=")[1].strip()
        for line in features.stdout.splitlines()
        if "cadastral_code (String)" in line
    }
    assert codes == {p.cadastral_code for p in parcels}
