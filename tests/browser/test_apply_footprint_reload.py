"""In Chromium: coming back to step 3, the saved footprint is on the map to redraw, not lost
(terra-draw refuses the stored coordinates' full precision unless they are rounded)."""

import json
import os

import pytest
from django.test import Client

from cases.catalogue import catalogue_sync
from permits.services import permit_application_start, permit_application_update
from tests.cases.factories import applicant
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.django_db(transaction=True)
def test_the_saved_footprint_is_drawn_again_on_step_3(
    page, page_errors, live_server, batumi, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    catalogue_sync()
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 40)))
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    footprint = json.dumps(geojson(rect(X + 5, Y + 5, X + 20, Y + 20)))
    permit_application_update(application=application, by=person, footprint=footprint, floors=2)
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/en/permits/apply/{application.case.reference}/3/")
    page.wait_for_selector("#tools:not([hidden])")
    assert page.evaluate("() => applyDraw.getSnapshot().length") == 1
    assert page_errors == []
