"""/api/v1/docs/: the browsable Swagger page works with no internet (drf-spectacular-sidecar)."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders


def test_the_swagger_page_loads_its_scripts_and_styles_from_this_server(client, db):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), f"{asset} is not served by this server"
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), f"{asset} does not exist"
    assert "cdn.jsdelivr.net" not in html


def test_the_swagger_page_reads_the_schema_of_this_api(client, db):
    response = client.get("/api/v1/docs/")

    assert "/api/v1/schema/" in response.content.decode()
