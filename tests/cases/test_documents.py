"""Documents: the service's types only, the kind of file read from its bytes, a size limit,
versions, and files served only to the applicant and the case's staff."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Status
from tests.cases.factories import draft_case, pdf_file, png_file, submitted_case


def test_uploading_the_same_type_again_makes_a_new_version(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    first = services.case_document_add(
        case=case, doc_type="plan", file=pdf_file(), by=case.applicant
    )
    second = services.case_document_add(
        case=case, doc_type="plan", file=pdf_file("plan-2.pdf"), by=case.applicant
    )
    assert (first.version, second.version) == (1, 2)
    assert second.original_name == "plan-2.pdf"
    assert second.content_type == "application/pdf"
    assert second.file.name.startswith(f"cases/{case.reference}/plan-v2-")


def test_a_file_of_a_kind_the_type_does_not_accept_is_refused(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError) as caught:
        services.case_document_add(case=case, doc_type="plan", file=png_file(), by=case.applicant)
    assert "accepts PDF; this file is PNG" in str(caught.value)


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="unknown kind of file"):
        services.case_document_add(case=case, doc_type="plan", file=fake, by=case.applicant)


def test_a_file_above_the_limit_is_refused_with_both_sizes(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="may be at most 1.0"):
        services.case_document_add(
            case=case, doc_type="plan", file=pdf_file(extra=1024 * 1024), by=case.applicant
        )
    assert not case.documents.exists()


def test_a_type_the_service_does_not_ask_for_is_refused(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="does not ask for"):
        services.case_document_add(
            case=case, doc_type="passport", file=pdf_file(), by=case.applicant
        )


def test_submitting_without_the_required_documents_names_them(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    services.case_document_add(case=case, doc_type="photo", file=png_file(), by=case.applicant)
    with pytest.raises(ValidationError, match="Attach the required documents first"):
        services.case_submit(case=case, by=case.applicant)
    case.refresh_from_db()
    assert case.status == Status.DRAFT


def test_a_document_is_served_to_the_applicant_and_the_planner_only(
    client, service, batumi, planner, rustavi_planner
):
    case = submitted_case(service=service, municipality=batumi)
    document = case.documents.get()
    url = f"/en/cases/{case.reference}/documents/{document.pk}/"
    for person, expected in ((case.applicant, 200), (planner, 200), (rustavi_planner, 404)):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == expected, person
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")
            assert response["Content-Disposition"].startswith("attachment")
