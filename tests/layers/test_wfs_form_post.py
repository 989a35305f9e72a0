"""A WFS POST of a form instead of XML is answered 400 with an exception report, not 500 (found by
the isolation matrix, whose plausible bodies are forms)."""

from lxml import etree

OWS = "http://www.opengis.net/ows/1.1"


def test_a_multipart_form_posted_to_wfs_is_refused_as_not_xml(client, db):
    response = client.post("/wfs", {"REQUEST": "GetFeature", "TYPENAMES": "parcels"})
    assert response.status_code == 400
    report = etree.fromstring(response.content)
    assert report.find(f"{{{OWS}}}Exception").get("locator") == "request"
