"""A permit's decision document names the site (cadastral codes, address), the building class
by its label, the stage, the building's figures, and shows a plan of the site and the footprint
drawn from the geometries, with a scale bar and a north arrow. Case pages show the class by
its label."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from cases import services as case_services
from cases.catalogue import catalogue_sync
from cases.models import Outcome, Status
from cases.pdf import decision_facts
from core.models import Role
from core.modules import registry
from permits.plan import HEIGHT_MM, WIDTH_MM, site_plan_svg
from permits.services import permit_application_start, permit_application_submit
from tests.cases.factories import applicant, pdf_file, run_document_jobs, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, rect
from tests.permits.factories import ZoneFactory

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


@pytest.fixture
def decided(batumi):
    """An approved class III application on two parcels, with a drawn footprint."""
    ZoneFactory(municipality=batumi, code="SZ-6")
    for n, dx in ((5, 0), (6, 20)):
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.00{n}",
            geom=multi(square(X + dx, Y, 20)),
            address_en=f"{n} Rustaveli Avenue, Batumi",
            address_ka=f"რუსთაველის გამზირი {n}, ბათუმი",
        )
    person = applicant(first_name="Nino", last_name="Beridze")
    application = permit_application_start(
        applicant=person,
        stage="construction_permit",
        building_class="III",
        parcel_codes=["05.24.11.005", "05.24.11.006"],
        language="en",
        building={
            "footprint": rect(X + 4, Y + 4, X + 34, Y + 14),
            "floors": 3,
            "height_m": 10.5,
            "green_area_m2": 250,
        },
    )
    case = application.case
    for kind in case.service.document_types.filter(required=True):
        case_services.case_document_add(case=case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    planner = staff(batumi, Role.PLANNER)
    case_services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    decision = case_services.decision_issue(
        case=case, outcome=Outcome.APPROVED, conditions=["Keep the plane tree."], by=planner
    )
    run_document_jobs()
    decision.refresh_from_db()
    return decision


def pdf_words(decision, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "decision.pdf"
    path.write_bytes(decision.pdf.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(text.split())


def test_the_pdf_names_the_site_the_class_the_stage_and_the_figures(decided, tmp_path):
    words = pdf_words(decided, tmp_path)

    assert "05.24.11.005, 05.24.11.006" in words
    assert "5 Rustaveli Avenue, Batumi; 6 Rustaveli Avenue, Batumi" in words
    assert "Class III (moderate risk)" in words and "III. Construction permit" in words
    assert "სართულები 3 Floors above ground" in words  # the value follows the Georgian label
    for figure in ("800 m²", "300 m²", "900 m²", "250 m²", "10.5 m"):
        assert figure in words, figure
    assert "Site plan" in words and "North is up" in words
    assert "Footprint of the building" in words
    assert "Keep the plane tree." in words
    assert "SZ-6" in words


def test_the_pdf_is_drawn_from_its_own_svg_without_fetching(decided):
    data = decided.pdf.read()
    # WeasyPrint turns the inline SVG into vector paths; a fetched image would be an XObject.
    assert b"/Subtype /Image" not in data


def test_the_decision_facts_come_in_both_languages(decided):
    rows, ka, en = decision_facts(decided.case)

    labels = {row["label_en"]: row for row in rows}
    assert labels["Building class"]["value_en"] == "Class III (moderate risk)"
    assert labels["Cadastral codes"]["value_ka"] == "05.24.11.005, 05.24.11.006"
    assert "რუსთაველის გამზირი 5" in labels["Address"]["value_ka"]
    assert en["place"] == (
        "05.24.11.005, 05.24.11.006 — 5 Rustaveli Avenue, Batumi; 6 Rustaveli Avenue, Batumi"
    )
    assert en["variant"] == "Class III (moderate risk)"
    assert all(row["label_ka"] for row in rows)


def test_the_plan_draws_the_site_the_footprint_a_scale_bar_and_north(batumi):
    site = multi(square(X, Y, 40))
    footprint = multi(rect(X + 5, Y + 5, X + 25, Y + 20))
    neighbour = multi(square(X + 44, Y, 40))

    svg = site_plan_svg(
        site=site, footprint=footprint, parcels=[("05.24.11.005", site)], neighbours=[neighbour]
    )

    root = ET.fromstring(svg)
    assert root.get("viewBox") == f"0 0 {WIDTH_MM} {HEIGHT_MM}"
    assert root.find(f".//{SVG}path[@class='site']") is not None
    footprint_path = root.find(f".//{SVG}path[@class='footprint']").get("d")
    numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", footprint_path)]
    assert all(0 <= n <= WIDTH_MM for n in numbers[::2])
    assert all(0 <= n <= HEIGHT_MM for n in numbers[1::2])
    scale = root.find(f".//{SVG}g[@class='scale-bar']")
    assert re.fullmatch(r"\d+ m", scale.findall(f"{SVG}text")[-1].text)
    north = root.find(f".//{SVG}g[@class='north-arrow']")
    assert north.find(f"{SVG}text").text == "N"
    assert "05.24.11.005" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_footprint_is_in_proportion_on_the_plan(batumi):
    site = multi(square(X, Y, 40))
    footprint = multi(rect(X, Y, X + 20, Y + 10))  # twice as wide as high

    svg = site_plan_svg(site=site, footprint=footprint, parcels=[])

    path = ET.fromstring(svg).find(f".//{SVG}path[@class='footprint']").get("d")
    xs = [float(v) for v in re.findall(r"[ML](-?[\d.]+),", path)]
    ys = [float(v) for v in re.findall(r",(-?[\d.]+)", path)]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(2.0, rel=0.01)


def test_case_pages_show_the_class_by_its_label(client, decided):
    case = decided.case
    client.force_login(case.applicant)
    page = client.get(f"/en/cases/{case.reference}/").text
    assert "Class III (moderate risk)" in page and "<dd>III</dd>" not in page

    planner = staff(case.municipality, Role.PLANNER)
    client.force_login(planner)
    assert (
        "Class III (moderate risk)"
        in client.get("/en/cases/queue/", {"status": Status.DECIDED_APPROVED}).text
    )
    review = client.get(f"/en/permits/review/{case.reference}/").text
    assert "Class III (moderate risk)" in review
    assert f'href="/en/cases/{case.reference}/decision.pdf"' in review
    with translation.override("ka"):
        assert registry.variant_label(case) == "III კლასი (საშუალო რისკი)"
