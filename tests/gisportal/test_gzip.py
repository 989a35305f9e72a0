"""Text answers are gzipped for clients that take gzip; binary and short ones are not."""

import gzip
import json

import pytest

from gisportal.middleware import compress

pytestmark = pytest.mark.django_db


def test_json_is_gzipped_for_a_client_that_takes_it(client, batumi):
    plain = client.get("/ogcapi/collections?f=json")
    packed = client.get("/ogcapi/collections?f=json", HTTP_ACCEPT_ENCODING="gzip, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()


def test_html_is_gzipped_too(client, batumi):
    response = client.get("/en/layers/", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)


def test_the_gzip_header_varies_in_length():
    data = b'{"type": "FeatureCollection", "features": []}' * 20
    sizes = {len(compress(data)) for _ in range(30)}

    assert len(sizes) > 1
    assert all(gzip.decompress(compress(data)) == data for _ in range(3))
