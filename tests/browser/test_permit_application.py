"""In Chromium: step 3 of the application draws the footprint with terra-draw, shows the live
compliance report, and saving goes on to the documents with the footprint stored."""

import os

import pytest
from django.test import Client

from cases.catalogue import catalogue_sync
from permits.services import permit_application_start
from tests.cases.factories import applicant
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y
from tests.permits.factories import ZoneFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.django_db(transaction=True)
def test_the_applicant_draws_the_footprint_and_sees_the_report(
    page,
    page_errors,  # noqa: F811
    live_server,
    batumi,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    catalogue_sync()
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 40)))
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/en/permits/apply/{application.case.reference}/3/")
    page.wait_for_selector("#tools:not([hidden])")
    page.click("[data-tool=rectangle]")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(cx - 20, cy - 20)
    page.mouse.click(cx + 20, cy + 20)
    page.wait_for_function("document.querySelector('[name=footprint]').value !== ''")
    page.fill("[name=floors]", "2")
    page.wait_for_selector("#report:not([hidden]) [data-outcome]")
    assert "K-1" in page.locator("#report").inner_text()
    page.click("#apply-form button[type=submit]")
    page.wait_for_url("**/4/")
    application.refresh_from_db()
    assert application.footprint is not None and application.floors == 2
    assert page_errors == []
