"""The contract pages: the officer's list, contract and actions, the holder's pages, the PDF
with its verification code, the public verification without personal data, and 404 for
another municipality's officer and another citizen."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from procrastinate.contrib.django.models import ProcrastinateJob

from estate import contracts
from estate.contract_jobs import make_contract_document
from estate.models import Contract, ContractStatus, Payment
from tests.estate.contract_factories import *  # noqa: F403  (its fixtures)
from tests.estate.contract_factories import awarded_lot, citizen, lease_contract, pdf_text

pytestmark = pytest.mark.usefixtures("contract_settings")


@pytest.fixture
def contract(batumi, officer):
    return lease_contract(awarded_lot(batumi, created_by=officer), by=officer)


def run_contract_jobs() -> int:
    """Run the contract-document jobs deferred in this test's transaction, as the worker would."""
    waiting = set(Contract.objects.filter(pdf="").values_list("pk", flat=True))
    jobs = ProcrastinateJob.objects.filter(task_name=make_contract_document.name, status="todo")
    ran = 0
    for job in jobs.order_by("id"):
        if job.args.get("contract_id") in waiting:
            make_contract_document(**job.args)
            ran += 1
    return ran


def test_the_contract_pdf_carries_its_verification_code(contract, client):
    assert run_contract_jobs() == 1
    contract.refresh_from_db()
    data = contract.pdf.read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert contract.verification_code.encode() in text
    assert f"/estate/contracts/verify/{contract.verification_code}/".encode() in text
    client.force_login(contract.holder)
    response = client.get(f"/en/estate/contracts/{contract.reference}/contract.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_verify_page_shows_no_personal_data(contract, client):
    response = client.get(f"/en/estate/contracts/verify/{contract.verification_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert contract.reference in page
    assert "1200.00" in page
    assert contract.assets.get().cadastral_code in page
    assert contract.holder_name not in page  # a person: their name is not public
    assert contract.holder.email not in page
    assert contract.holder.username not in page


def test_the_verify_page_names_a_company(batumi, officer, client):
    lot = awarded_lot(batumi, created_by=officer, company=True, legal_name="Batumi Parking LLC")
    contract = lease_contract(lot, by=officer)
    page = client.get(f"/ka/estate/contracts/verify/{contract.verification_code}/")
    assert "Batumi Parking LLC" in page.content.decode()


def test_the_verify_form_leads_to_the_code_page_and_a_wrong_code_is_404(contract, client):
    code = contract.verification_code.lower()
    response = client.get("/en/estate/contracts/verify/", {"code": f" {code} "})
    assert response["Location"] == f"/en/estate/contracts/verify/{contract.verification_code}/"
    assert client.get("/en/estate/contracts/verify/NOSUCHCODE123456/").status_code == 404


def test_the_summary_include_has_no_personal_data(contract):
    from django.template.loader import render_to_string

    html = render_to_string("estate/_contract_summary.html", {"contract": contract})
    assert contract.reference in html
    assert contract.holder_name not in html


def test_the_holder_sees_their_contract_and_another_citizen_gets_404(contract, client):
    client.force_login(contract.holder)
    assert contract.reference in client.get("/en/estate/contracts/").content.decode()
    page = client.get(f"/en/estate/contracts/{contract.reference}/")
    assert page.status_code == 200
    assert "100.00" in page.content.decode()
    assert client.get(f"/en/estate/staff/contracts/{contract.reference}/").status_code == 404
    client.force_login(citizen("Other", "Person"))
    assert client.get(f"/en/estate/contracts/{contract.reference}/").status_code == 404
    pdf = client.get(f"/en/estate/contracts/{contract.reference}/contract.pdf")
    assert pdf.status_code == 404
    assert contract.reference not in client.get("/en/estate/contracts/").content.decode()


def test_another_municipalitys_officer_gets_404(contract, client, rustavi_officer):
    client.force_login(rustavi_officer)
    for url in (
        f"/en/estate/staff/contracts/{contract.reference}/",
        f"/en/estate/contracts/{contract.reference}/",
        f"/en/estate/contracts/new/?lot={contract.lot.reference}",
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get("/en/estate/staff/contracts/")
    assert contract.reference not in listing.content.decode()
    response = client.post(
        f"/en/estate/staff/contracts/{contract.reference}/",
        {"action": "payment", "amount": "10", "paid_on": "2026-02-01"},
    )
    assert response.status_code == 404
    client.force_login(citizen("Other", "Person"))
    assert client.get("/en/estate/staff/contracts/").status_code == 404


def test_the_officer_makes_a_contract_from_the_page(batumi, officer, client):
    lot = awarded_lot(batumi, created_by=officer)
    client.force_login(officer)
    url = f"/en/estate/contracts/new/?lot={lot.reference}"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"starts_on": "", "frequency": "monthly", "grace_days": 10})
    assert bad.status_code == 400
    response = client.post(
        url,
        {
            "starts_on": "2026-01-15",
            "frequency": "monthly",
            "indexation_percent": "5",
            "grace_days": "10",
        },
    )
    contract = Contract.objects.get(lot=lot)
    assert response["Location"] == f"/en/estate/staff/contracts/{contract.reference}/"
    assert contract.instalments.count() == 12
    assert run_contract_jobs() == 1


def test_the_officer_records_a_payment_and_terminates(contract, officer, client):
    client.force_login(officer)
    page = client.get(f"/en/estate/staff/contracts/{contract.reference}/")
    assert page.status_code == 200
    url = f"/en/estate/staff/contracts/{contract.reference}/"
    response = client.post(
        url, {"action": "payment", "amount": "25.50", "paid_on": "2026-02-01", "note": "cash"}
    )
    assert response.status_code == 302
    assert Payment.objects.filter(contract=contract, amount=Decimal("25.50")).exists()
    checked = contracts.arrears_compute(contract, datetime.date(2026, 6, 1))
    assert len(contracts.reminders_send(checked, datetime.date(2026, 6, 1))) == 3
    listing = client.get("/en/estate/staff/contracts/", {"show": "arrears"})
    assert contract.reference in listing.content.decode()
    client.force_login(contract.holder)
    holder_page = client.get(f"/en/estate/contracts/{contract.reference}/").content.decode()
    assert "proposed for termination" not in holder_page
    client.force_login(officer)
    staff_page = client.get(url).content.decode()
    assert "proposed for termination" in staff_page
    response = client.post(url, {"action": "termination", "reason": "Unpaid since March."})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATION
    early = client.post(url, {"action": "terminate"})
    assert early.status_code == 400
    assert "notice period" in early.content.decode()


def test_the_import_page_shows_each_line(contract, officer, client):
    client.force_login(officer)
    assert client.get("/en/estate/staff/contracts/import/").status_code == 200
    text = (
        "date,amount,reference,transaction_id\n"
        f"2026-02-14,100.00,Rent {contract.reference},TX-77\n"
        "2026-02-14,100.00,Rent,TX-78\n"
    )
    upload = SimpleUploadedFile("s.csv", text.encode(), content_type="text/csv")
    response = client.post(
        "/en/estate/staff/contracts/import/",
        {"municipality": contract.municipality_id, "file": upload},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "TX-77" in page and "TX-78" in page
    assert "no contract number" in page
    bad = SimpleUploadedFile("s.csv", b"nothing,here\n1,2\n", content_type="text/csv")
    response = client.post(
        "/en/estate/staff/contracts/import/",
        {"municipality": contract.municipality_id, "file": bad},
    )
    assert response.status_code == 400
    assert "missing" in response.content.decode()


def test_the_officer_makes_a_direct_lease_from_the_page(batumi, officer, rustavi_officer, client):
    from tests.estate.contract_factories import approved_direct_lease

    request = approved_direct_lease(batumi)
    url = f"/en/estate/contracts/new/?request={request.case.reference}"
    client.force_login(rustavi_officer)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert "Yearly rent, GEL" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "price": "600",
            "starts_on": "2026-03-01",
            "frequency": "monthly",
            "indexation_percent": "0",
            "grace_days": "10",
        },
    )
    assert response.status_code == 302
    contract = Contract.objects.get(holder=request.case.applicant)
    assert contract.instalments.count() == 24
