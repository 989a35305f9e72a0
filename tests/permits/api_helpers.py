"""Helpers of the check API tests: hand-made shapes in EPSG:32638 sent as GeoJSON in EPSG:4326."""

import json

from django.conf import settings
from django.contrib.gis.geos import Polygon

from tests.conftest import BATUMI_ORIGIN

URL = "/api/v1/permits/check"
X, Y = BATUMI_ORIGIN[0] + 1000, BATUMI_ORIGIN[1] + 1000


def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    polygon = Polygon.from_bbox((x0, y0, x1, y1))
    polygon.srid = settings.SRID_STORAGE
    return polygon


def geojson(geom) -> dict:
    return json.loads(geom.transform(settings.SRID_API, clone=True).json)


def post(client, body, language="en"):
    return client.post(
        URL, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
