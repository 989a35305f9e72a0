"""In Chromium, the journey from the pre-check to the decision: a building checked on a parcel
is headed compliant with its assumptions below; "Apply for a permit with this building" goes
through the sign-in to step 1, which names the municipality from the parcel and carries the
footprint and the floors into the draft; the planner decides, the page says the document is
being prepared, and turns into its link once the worker has drawn it."""

import os
import threading

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core import mail
from django.db import connections
from django.test import Client
from procrastinate.contrib.django import app

from cases.catalogue import catalogue_sync
from cases.jobs import DOCUMENTS_QUEUE
from cases.models import Decision
from cases.services import case_document_add
from core.models import Role
from permits.models import PermitApplication
from permits.services import permit_application_submit
from tests.browser.pages import MapPage, parcel_hash
from tests.cases.factories import pdf_file, staff
from tests.core.factories import PASSWORD, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.browser

SCREEN_POINT = """([lon, lat]) => {
    const p = gisportalMap.project([lon, lat]);
    const r = gisportalMap.getCanvas().getBoundingClientRect();
    return [p.x + r.left, p.y + r.top];
}"""


def lonlat(x: float, y: float) -> list[float]:
    point = Point(x, y, srid=settings.SRID_STORAGE)
    point.transform(settings.SRID_API)
    return [point.x, point.y]


def draw_rectangle(page, a, c) -> None:
    page.get_by_role("button", name="Rectangle footprint").click()
    page.mouse.move(*a)
    page.mouse.click(*a)
    page.mouse.move((a[0] + c[0]) / 2, (a[1] + c[1]) / 2)
    page.mouse.move(*c)
    page.mouse.click(*c)


def run_documents_worker() -> None:
    """The real worker until the documents queue is empty, in a thread of its own: this one's
    event loop belongs to Playwright."""

    def work():
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(
                    queues=[DOCUMENTS_QUEUE],
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                )
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)


def test_from_the_pre_check_to_the_decision_document(
    page, page_errors, live_server, cities, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_NOTIFY_SYNC = settings.NOTIFY_SYNC = True
    catalogue_sync()
    parcel = cities["BTM"][5]  # 40 m × 40 m in a zone with K-1 0.5, K-2 1.8, K-3 0.3
    x0, y0, _x1, _y1 = parcel.geom.extent
    person = UserFactory(email="nino@example.ge", first_name="Nino", last_name="Beridze")

    # The pre-check: a 20 m × 30 m building of 4 floors, its height and green area assumed.
    map_page = MapPage(page)
    page.goto(f"/en/permits/check/{parcel_hash(parcel)}")
    map_page.wait_until_idle()
    page.wait_for_function("() => !!window.precheckDraw")
    page.mouse.click(*page.evaluate(SCREEN_POINT, lonlat(x0 + 5, y0 + 5)))
    page.wait_for_function(
        "(code) => document.getElementById('id_parcels').value === code", arg=parcel.cadastral_code
    )
    draw_rectangle(
        page,
        page.evaluate(SCREEN_POINT, lonlat(x0 + 10, y0 + 5)),
        page.evaluate(SCREEN_POINT, lonlat(x0 + 30, y0 + 35)),
    )
    page.get_by_label("Floors above ground").fill("4")
    apply = page.locator("#report-body [data-apply-link]")
    apply.wait_for()
    report = page.locator("#report-body")
    assert report.locator("[data-outcome]").get_attribute("data-outcome") == "compliant"
    assert "Some figures were assumed" in report.locator(".outcome").text_content()
    assert report.locator(".notes li").count() == 2
    assert report.locator(".rule--warning").count() == 0

    # Apply: signing in on the way keeps what the pre-check knew.
    apply.click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("[name=login]", person.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_url("**/permits/apply/?*")
    carried = page.locator("#carried").text_content()
    assert parcel.cadastral_code in carried and "Batumi" in carried
    assert "Footprint drawn on the map" in carried
    assert page.locator("[name=municipality]").count() == 0
    page.select_option("[name=stage]", "merged")
    page.select_option("[name=building_class]", "II")
    page.get_by_role("button", name="Start the application").click()
    page.wait_for_url("**/2/")
    assert page.locator("[name=parcel_codes]").input_value() == parcel.cadastral_code
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/3/")
    assert page.locator("[name=floors]").input_value() == "4"
    assert page.locator("[name=footprint]").input_value() != ""

    application = PermitApplication.objects.get(case__applicant=person)
    assert application.footprint.area == pytest.approx(600, rel=0.05)  # drawn in screen pixels
    assert [p.cadastral_code for p in application.parcels.all()] == [parcel.cadastral_code]
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)

    # The planner decides; the document is prepared by the worker, and the page shows its link.
    planner = staff(parcel.municipality, Role.PLANNER)
    client = Client()
    client.force_login(planner)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    reference = application.case.reference
    client.post(f"/en/permits/review/{reference}/", {"action": "transition", "to": "in_review"})
    page.goto(f"/en/permits/review/{reference}/")
    decide = page.locator("form:has(input[name=action][value=decide])")
    decide.locator("[name=outcome]").select_option("approved")
    decide.get_by_role("button", name="Issue the decision").click()
    notice = page.locator("[data-decision-document]")
    notice.wait_for()
    assert "being prepared" in notice.text_content()
    assert not Decision.objects.get(case=application.case).pdf

    run_documents_worker()

    link = page.locator("[data-decision-document-ready] a")
    link.wait_for()
    assert link.get_attribute("href") == f"/en/cases/{reference}/decision.pdf"
    decided = [m for m in mail.outbox if m.to == [person.email] and "Decision" in m.subject]
    assert len(decided) == 1 and f"/en/cases/{reference}/decision.pdf" in decided[0].body
    assert page_errors == []
