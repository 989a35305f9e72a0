"""WFS 2.0.0 is the one version served; a client pinned to 1.1.0 is answered per OWS Common.

GetCapabilities is negotiated by ACCEPTVERSIONS alone (OWS Common 1.1, 7.3): a VERSION of
another version gets the 2.0.0 capabilities, from which the client learns what to speak; an
ACCEPTVERSIONS without 2.0.0 fails with VersionNegotiationFailed. Other operations in 1.1.0
are refused with InvalidParameterValue on `version`.
"""

import os
import subprocess

import pytest
from lxml import etree

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

OWS = "http://www.opengis.net/ows/1.1"
WFS = "http://www.opengis.net/wfs/2.0"


def exception_of(response) -> tuple[str, str]:
    assert response.status_code == 400
    exception = etree.fromstring(response.content).find(f"{{{OWS}}}Exception")
    return exception.get("exceptionCode"), exception.get("locator")


@pytest.mark.parametrize(
    "query",
    [
        "VERSION=1.1.0",
        "version=1.0.0",
        "ACCEPTVERSIONS=1.1.0,2.0.0",
        "AcceptVersions=2.0.0,1.1.0",
    ],
)
def test_capabilities_asked_in_another_version_come_in_2_0_0(client, db, query):
    response = client.get(f"/wfs?SERVICE=WFS&REQUEST=GetCapabilities&{query}")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{WFS}}}WFS_Capabilities"
    assert root.get("version") == "2.0.0"


def test_capabilities_posted_in_1_1_0_come_in_2_0_0(client, db):
    response = client.post(
        "/wfs",
        b'<GetCapabilities xmlns="http://www.opengis.net/wfs" service="WFS" version="1.1.0"/>',
        content_type="text/xml",
    )
    assert response.status_code == 200
    assert etree.fromstring(response.content).get("version") == "2.0.0"


def test_accept_versions_without_2_0_0_fails_negotiation(client, db):
    response = client.get("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=1.1.0,1.0.0")
    assert exception_of(response) == ("VersionNegotiationFailed", "acceptversions")


def test_get_feature_in_1_1_0_is_refused_on_its_version(client, db):
    response = client.get("/wfs?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=parcels")
    assert exception_of(response) == ("InvalidParameterValue", "version")


def test_gdal_pinned_to_1_1_0_switches_to_2_0_0(live_server, transactional_db, batumi):
    x, y = BATUMI_ORIGIN
    made = [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
        )
        for i in range(3)
    ]
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", f"WFS:{live_server.url}/wfs?VERSION=1.1.0", "parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "CPL_DEBUG": "WFS"},
    )
    assert "VERSION=2.0.0&SERVICE=WFS&REQUEST=GetFeature" in result.stderr
    codes = {
        line.split("=", 1)[1].strip()
        for line in result.stdout.splitlines()
        if "cadastral_code (String)" in line
    }
    assert codes == {p.cadastral_code for p in made}
