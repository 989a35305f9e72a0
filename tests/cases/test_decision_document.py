"""The decision document is drawn by a job, not in the request that decides: issuing records
the decision and its status at once, the pages say the document is being prepared until it is
there, and the applicant's e-mail goes when it is, with its link."""

import time

import pytest
from django.core import mail
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from cases import services
from cases.jobs import DOCUMENTS_QUEUE, make_decision_document
from cases.models import Decision, Outcome, Status
from tests.cases.factories import run_document_jobs, submitted_case


@pytest.fixture
def in_review(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi, language="en")
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    mail.outbox.clear()
    return case


def decided_mails(case):
    return [m for m in mail.outbox if case.reference in m.subject and "Decision" in m.subject]


def test_issuing_records_the_decision_and_orders_its_document(in_review, planner):
    started = time.monotonic()
    decision = services.decision_issue(
        case=in_review, outcome=Outcome.APPROVED, conditions=["Fence the site."], by=planner
    )
    took = time.monotonic() - started

    in_review.refresh_from_db()
    assert in_review.status == Status.DECIDED_APPROVED and in_review.decided_at
    assert not Decision.objects.get(pk=decision.pk).pdf
    [job] = ProcrastinateJob.objects.filter(
        task_name=make_decision_document.name, args__decision_id=decision.pk
    )
    assert (job.queue_name, job.args, job.status) == (
        DOCUMENTS_QUEUE,
        {"decision_id": decision.pk},
        "todo",
    )
    assert decided_mails(in_review) == []
    assert took < 1.0


def test_the_job_draws_the_pdf_then_tells_the_applicant_with_its_link(in_review, planner):
    decision = services.decision_issue(case=in_review, outcome=Outcome.APPROVED, by=planner)

    assert run_document_jobs() == 1
    decision.refresh_from_db()
    assert decision.pdf.read().startswith(b"%PDF")
    [message] = decided_mails(in_review)
    assert message.to == [in_review.applicant.email]
    reference = in_review.reference
    assert f"http://portal.test/en/cases/{reference}/decision.pdf" in message.body
    assert f"http://portal.test/en/cases/verify/{decision.verification_code}/" in message.body
    assert f"http://portal.test/en/cases/{reference}/" in message.body

    # The job again (a retry): the same document, and no second e-mail.
    name = decision.pdf.name
    make_decision_document(decision_id=decision.pk)
    decision.refresh_from_db()
    assert decision.pdf.name == name
    assert len(decided_mails(in_review)) == 1


def test_the_case_page_says_the_document_is_being_prepared_until_it_is_there(
    client, in_review, planner
):
    services.decision_issue(case=in_review, outcome=Outcome.APPROVED, by=planner)
    client.force_login(in_review.applicant)
    page = f"/en/cases/{in_review.reference}/"
    pdf = f"/en/cases/{in_review.reference}/decision.pdf"

    waiting = client.get(page).text
    assert "The decision document is being prepared" in waiting
    assert f'data-decision-document="{pdf}"' in waiting
    assert f'<a href="{page}">Reload to see it</a>' in waiting  # without JavaScript
    assert "cases/decision-document" in waiting
    assert client.head(pdf).status_code == 404  # what the page's script asks

    run_document_jobs()
    ready = client.get(page).text
    assert "being prepared" not in ready
    assert f'href="{pdf}"' in ready
    assert client.head(pdf).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_worker_draws_the_document_and_the_mail_goes(settings, batumi, tmp_path):
    from tests.cases.factories import service_with_documents, staff

    settings.CASES_NOTIFY_SYNC = settings.NOTIFY_SYNC = True
    service = service_with_documents()
    planner = staff(batumi)
    case = submitted_case(service=service, municipality=batumi, language="en")
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    decision = services.decision_issue(
        case=case, outcome=Outcome.REFUSED, reasons="K-1.", by=planner
    )
    mail.outbox.clear()

    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=[DOCUMENTS_QUEUE], wait=False, install_signal_handlers=False, listen_notify=False
        )

    decision.refresh_from_db()
    assert decision.pdf.read().startswith(b"%PDF")
    assert len(decided_mails(case)) == 1
