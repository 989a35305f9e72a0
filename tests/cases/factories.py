"""Factories for the one window: a small service of its own, files, and cases made through the
services (never by writing rows directly), so that every test walks the real path."""

from __future__ import annotations

import datetime

import factory
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from cases import services
from cases.models import Case, DocumentType, Service, ServicePeriod
from core.models import Municipality, Role
from tests.core.factories import MembershipFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n% a tiny test file\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"test_service_{n}")
    name_ka = "სატესტო მომსახურება"
    name_en = "Test service"
    module = "permits"
    municipality = None
    working_days = 10


def service_with_documents(**kwargs) -> Service:
    """A permits service asking for one required PDF "plan" (at most 1 MB) and an optional
    photo, with a period of its own for class III."""
    service = ServiceFactory(**kwargs)
    DocumentType.objects.create(
        service=service,
        code="plan",
        name_ka="გეგმა",
        name_en="Site plan",
        required=True,
        content_types=["application/pdf"],
        max_size_mb=1,
    )
    DocumentType.objects.create(
        service=service,
        code="photo",
        name_ka="ფოტო",
        name_en="Photo",
        required=False,
        content_types=["image/jpeg", "image/png"],
        max_size_mb=1,
    )
    ServicePeriod.objects.create(service=service, variant="III", working_days=20)
    return service


def pdf_file(name: str = "plan.pdf", extra: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES + b"0" * extra, content_type="application/pdf")


def png_file(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def point_in(municipality: Municipality, dx: float = 100, dy: float = 100) -> Point:
    """A point just inside the municipality's south-west corner, EPSG:32638."""
    x0, y0, _, _ = municipality.boundary.extent
    return Point(x0 + dx, y0 + dy, srid=settings.SRID_STORAGE)


def applicant(**kwargs):
    return UserFactory(**kwargs)


def staff(municipality: Municipality, role: str = Role.PLANNER):
    return MembershipFactory(municipality=municipality, role=role).user


def draft_case(*, service: Service, municipality: Municipality, user=None, **kwargs) -> Case:
    return services.case_create(
        service=service,
        applicant=user or applicant(),
        location=point_in(municipality),
        **kwargs,
    )


def submitted_case(*, service: Service, municipality: Municipality, user=None, **kwargs) -> Case:
    case = draft_case(service=service, municipality=municipality, user=user, **kwargs)
    services.case_document_add(case=case, doc_type="plan", file=pdf_file(), by=case.applicant)
    services.case_submit(case=case, by=case.applicant)
    return case


def on_day(monkeypatch, day: datetime.date) -> None:
    """Let the services' calendar see `day` as today (the clock under test; no database mock)."""
    monkeypatch.setattr("cases.calendar.today", lambda: day)


def run_document_jobs() -> int:
    """Run the decision-document jobs deferred so far, as the worker would (their rows are in
    the test's own transaction, which the worker's connection cannot see); how many ran."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    from cases.jobs import make_decision_document
    from cases.models import Decision

    # Jobs left by transactional tests (flush leaves procrastinate's tables) name no decision.
    waiting = set(Decision.objects.filter(pdf="").values_list("pk", flat=True))
    jobs = ProcrastinateJob.objects.filter(task_name=make_decision_document.name, status="todo")
    ran = 0
    for job in jobs.order_by("id"):
        if job.args.get("decision_id") in waiting:
            make_decision_document(**job.args)
            ran += 1
    return ran
