"""Writes of the one window. Every status change goes through `case_status_set`, which keeps the
clock (paused while the applicant is asked for something, the due date extended by the working
days lost) and writes a CaseStatusChange row.

Refusals are `ValidationError`s with a message for people (views show them next to the form,
the API answers 400); acting without the right answers `PermissionDenied`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import calendar, statuses
from cases.filetypes import readable_type, sniff_content_type
from cases.models import (
    Case,
    CaseDocument,
    CaseMessage,
    CaseStatusChange,
    Decision,
    InformationRequest,
    Outcome,
    ReferenceCounter,
    Service,
    Status,
)
from cases.notifications import notify, notify_followers, public_url
from cases.rules import can_handle_case, is_applicant
from core.geometry import parse_geometry
from core.models import Municipality
from core.modules import registry


def allowed_targets(case: Case) -> list[str]:
    """The statuses case_transition may move this case to, in the order of the choices."""
    module = case.service.module
    allowed = statuses.transitions(case.status, module)
    return [
        value
        for value, _label in statuses.status_choices()
        if value in allowed and not statuses.is_own_action(value, module)
    ]


def can_move_to(case: Case, status: str) -> bool:
    """Whether the state machine lets this case move to `status` now (by any service)."""
    return status in statuses.transitions(case.status, case.service.module)


def _require(predicate, user, obj) -> None:
    if user is None or not predicate.test(user, obj):
        raise PermissionDenied(_("You may not do this with this application."))


def _lock(case: Case) -> Case:
    """Reload the case under a row lock: two officers acting at once act one after the other."""
    locked = Case.objects.select_for_update().select_related("service").get(pk=case.pk)
    case.__dict__.update(
        {f.attname: getattr(locked, f.attname) for f in Case._meta.concrete_fields}
    )
    return case


# ---------------------------------------------------------------------------------------------
# The clock and the history


def case_status_set(
    *, case: Case, to: str, by: AbstractBaseUser | None, note: str = "", today=None
) -> CaseStatusChange:
    """Move the case to `to` by the state machine, keeping its clock and history.

    Every status change goes through here. It checks no permission: a module's own service
    that moves a case to or from its own statuses (a consultation opened or ended) checks
    who may, then calls this inside its transaction.
    """
    today = today or calendar.today()
    before = case.status
    if not can_move_to(case, to):
        raise ValidationError(
            _("An application that is “%(before)s” cannot become “%(after)s”.")
            % {"before": statuses.status_label(before), "after": statuses.status_label(to)},
            code="transition",
        )
    if to == Status.AWAITING_APPLICANT and case.paused_since is None:
        case.paused_since = today
    elif to != Status.AWAITING_APPLICANT and case.paused_since is not None:
        lost = calendar.working_days_between(case.paused_since, today)
        case.paused_days += lost
        if case.due_date is not None and lost and to not in statuses.finished_statuses():
            case.due_date = calendar.add_working_days(case.due_date, lost)
        case.paused_since = None
    case.status = to
    case.full_clean()
    case.save()
    change = CaseStatusChange(case=case, from_status=before, to_status=to, by=by, note=note)
    change.full_clean()
    change.save()
    notify_followers(case=case, change=change)
    return change


def _reference_next(*, municipality: Municipality, year: int) -> str:
    """The next reference of the municipality and year, counted under a row lock."""
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(municipality=municipality, year=year)], ignore_conflicts=True
    )
    counter = ReferenceCounter.objects.select_for_update().get(municipality=municipality, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{municipality.code.upper()}-{year}-{counter.last:06d}"


def municipality_of_location(location: GEOSGeometry) -> Municipality:
    """The one municipality served by the portal whose boundary covers the location."""
    found = list(Municipality.objects.filter(boundary__covers=location)[:2])
    if len(found) != 1:
        raise ValidationError(
            {
                "location": _(
                    "The location does not lie within one municipality served by the portal."
                )
            },
            code="outside",
        )
    return found[0]


# ---------------------------------------------------------------------------------------------
# Applications


@transaction.atomic
def case_create(
    *,
    service: Service,
    applicant: AbstractBaseUser,
    location=None,
    municipality: Municipality | None = None,
    payload: dict | None = None,
    variant: str = "",
    summary: str = "",
    language: str | None = None,
    contact_phone: str = "",
) -> Case:
    """A draft application with its reference number.

    The municipality is the one whose boundary covers the location; a service without a place
    names it instead. `location` is a GEOS geometry or anything core.geometry.parse_geometry
    reads (GeoJSON in EPSG:4326 by default).
    """
    if not applicant.is_authenticated or not applicant.is_active:
        raise PermissionDenied(_("Sign in to apply."))
    if not service.active:
        raise ValidationError(_("This service is not offered at the moment."), code="inactive")
    if location is not None:
        location = parse_geometry(location)
        found = municipality_of_location(location)
        if municipality is not None and municipality.pk != found.pk:
            raise ValidationError(
                {
                    "location": _("The location lies in %(found)s, not in %(given)s.")
                    % {"found": found.name, "given": municipality.name}
                },
                code="municipality_mismatch",
            )
        municipality = found
    if municipality is None:
        raise ValidationError(
            {"location": _("Show the place on the map or choose the municipality.")},
            code="no_municipality",
        )
    if service.municipality_id and service.municipality_id != municipality.pk:
        raise ValidationError(
            _("This service is not offered in %(municipality)s.")
            % {"municipality": municipality.name},
            code="wrong_municipality",
        )
    year = calendar.today().year
    case = Case(
        reference=_reference_next(municipality=municipality, year=year),
        service=service,
        variant=variant,
        applicant=applicant,
        municipality=municipality,
        location=location,
        payload=payload or {},
        summary=summary,
        language=_language(language),
        contact_phone=contact_phone,
    )
    case.full_clean()
    case.save()
    change = CaseStatusChange(case=case, from_status="", to_status=Status.DRAFT, by=applicant)
    change.save()
    return case


def _language(language: str | None) -> str:
    """One of the portal's languages: the one given, else the one the request is in."""
    known = [code for code, _name in settings.LANGUAGES]
    for candidate in (language, translation.get_language()):
        code = (candidate or "").split("-")[0]
        if code in known:
            return code
    return settings.LANGUAGE_CODE


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: AbstractBaseUser,
    payload: dict | None = None,
    location=None,
    summary: str | None = None,
    variant: str | None = None,
    contact_phone: str | None = None,
) -> Case:
    """Save a draft again: only its applicant, only while it is a draft. The location may move
    but not to another municipality."""
    _require(is_applicant, by, case)
    _lock(case)
    if case.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed."), code="not_draft")
    if location is not None:
        location = parse_geometry(location)
        if municipality_of_location(location).pk != case.municipality_id:
            raise ValidationError(
                {"location": _("The location must stay in %(m)s.") % {"m": case.municipality.name}},
                code="municipality_mismatch",
            )
        case.location = location
    if payload is not None:
        case.payload = payload
    if summary is not None:
        case.summary = summary
    if variant is not None:
        case.variant = variant
    if contact_phone is not None:
        case.contact_phone = contact_phone
    case.full_clean()
    case.save()
    return case


def missing_documents(case: Case) -> list:
    """The required document types of the service that the case has no file for."""
    present = set(case.documents.values_list("doc_type", flat=True))
    return [t for t in case.service.document_types.all() if t.required and t.code not in present]


@transaction.atomic
def case_submit(*, case: Case, by: AbstractBaseUser) -> Case:
    """Send a draft: the required documents must be there; the clock starts."""
    _require(is_applicant, by, case)
    _lock(case)
    if case.status != Status.DRAFT:
        raise ValidationError(_("This application was submitted already."), code="not_draft")
    missing = missing_documents(case)
    if missing:
        raise ValidationError(
            _("Attach the required documents first: %(names)s.")
            % {"names": ", ".join(t.name for t in missing)},
            code="documents_missing",
        )
    start = calendar.today()
    case.submitted_at = timezone.now()
    case.period_days = case.service.period_for(case.variant)
    case.due_date = calendar.add_working_days(start, case.period_days)
    case_status_set(case=case, to=Status.SUBMITTED, by=by, today=start)
    notify(case=case, recipient=case.applicant, kind="submitted")
    return case


@transaction.atomic
def case_assign(*, case: Case, officer: AbstractBaseUser | None, by: AbstractBaseUser) -> Case:
    """Give the case to an officer who handles it (None: to nobody)."""
    _require(can_handle_case, by, case)
    _lock(case)
    if case.status == Status.DRAFT:
        raise ValidationError(_("A draft is not assigned."), code="draft")
    if officer is not None and not can_handle_case.test(officer, case):
        raise ValidationError(
            {"officer": _("This person does not handle this service in this municipality.")},
            code="not_handler",
        )
    case.assigned_to = officer
    case.full_clean()
    case.save()
    if officer is not None and officer.pk != by.pk:
        notify(case=case, recipient=officer, kind="assigned", context={"by": by})
    return case


@transaction.atomic
def case_transition(*, case: Case, to: str, by: AbstractBaseUser, note: str = "") -> Case:
    """Move a case on by the transitions table; staff only."""
    _require(can_handle_case, by, case)
    _lock(case)
    module = case.service.module
    if to not in dict(statuses.status_choices()):
        raise ValidationError(_("Unknown status."), code="unknown_status")
    if statuses.is_own_action(to, module):
        raise ValidationError(
            _("“%(status)s” is reached by its own action, not by a status change.")
            % {"status": statuses.status_label(to)},
            code="own_service",
        )
    note = (note or "").strip()
    if to in statuses.NEEDING_NOTE and not note:
        raise ValidationError({"note": _("Give the reason for this change.")}, code="note_required")
    case_status_set(case=case, to=to, by=by, note=note)
    if statuses.is_told_to_applicant(to, module):
        notify(case=case, recipient=case.applicant, kind="status_changed", context={"note": note})
    return case


@transaction.atomic
def case_withdraw(*, case: Case, by: AbstractBaseUser, note: str = "") -> Case:
    """The applicant takes the application back (a draft or an open one)."""
    _require(is_applicant, by, case)
    _lock(case)
    if not case.is_open and case.status != Status.DRAFT:
        raise ValidationError(_("A decided or closed application cannot be withdrawn."))
    case_status_set(case=case, to=Status.WITHDRAWN, by=by, note=(note or "").strip())
    if case.assigned_to_id:
        notify(case=case, recipient=case.assigned_to, kind="status_changed", context={"note": note})
    return case


# ---------------------------------------------------------------------------------------------
# Requests for information


@transaction.atomic
def information_request_open(
    *, case: Case, text: str, by: AbstractBaseUser, working_days: int = 15
) -> InformationRequest:
    """Ask the applicant for something; the clock stops until every request is answered."""
    _require(can_handle_case, by, case)
    _lock(case)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what is needed.")}, code="required")
    if not case.is_open:
        raise ValidationError(
            _("Information can be requested only while the application is open."),
            code="not_open",
        )
    today = calendar.today()
    request = InformationRequest(
        case=case,
        text=text,
        requested_by=by,
        working_days=working_days,
        due_date=calendar.add_working_days(today, working_days),
    )
    request.full_clean()
    request.save()
    if case.status != Status.AWAITING_APPLICANT:
        case_status_set(
            case=case,
            to=Status.AWAITING_APPLICANT,
            by=by,
            note=_("Information requested."),
            today=today,
        )
    notify(
        case=case,
        recipient=case.applicant,
        kind="information_requested",
        context={"request": request},
    )
    return request


@transaction.atomic
def information_request_answer(
    *, request: InformationRequest, answer: str, by: AbstractBaseUser
) -> InformationRequest:
    """The applicant answers; with no other request open the clock runs again."""
    case = request.case
    _require(is_applicant, by, case)
    _lock(case)
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write your answer.")}, code="required")
    if not request.is_open:
        raise ValidationError(_("This request was answered already."), code="answered")
    if case.is_finished:
        raise ValidationError(_("The application is closed."), code="closed")
    request.answer = answer
    request.answered_by = by
    request.answered_at = timezone.now()
    request.full_clean()
    request.save()
    still_open = case.information_requests.filter(answered_at__isnull=True).exists()
    if case.status == Status.AWAITING_APPLICANT and not still_open:
        case_status_set(case=case, to=Status.IN_REVIEW, by=by, note=_("Information provided."))
    recipient = case.assigned_to or request.requested_by
    if recipient is not None:
        notify(
            case=case,
            recipient=recipient,
            kind="information_answered",
            context={"request": request},
        )
    return request


# ---------------------------------------------------------------------------------------------
# Messages and documents


@transaction.atomic
def case_message_post(
    *, case: Case, author: AbstractBaseUser, body: str, internal: bool = False
) -> CaseMessage:
    """A message between applicant and staff, or (staff only) an internal note."""
    staff = can_handle_case.test(author, case)
    if not staff and not is_applicant.test(author, case):
        raise PermissionDenied(_("You may not do this with this application."))
    if internal and not staff:
        raise PermissionDenied(_("Only staff write internal notes."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")}, code="required")
    message = CaseMessage(case=case, author=author, body=body, internal=internal)
    message.full_clean()
    message.save()
    if not internal:
        if staff and author.pk != case.applicant_id:
            recipient = case.applicant
        else:
            recipient = case.assigned_to
        if recipient is not None:
            notify(case=case, recipient=recipient, kind="message", context={"message": message})
    return message


@transaction.atomic
def case_document_add(
    *, case: Case, doc_type: str, file: UploadedFile, by: AbstractBaseUser
) -> CaseDocument:
    """Attach a file of one of the service's document types; the same type again is a new
    version. The kind of file (read from its bytes) and its size are checked."""
    staff = can_handle_case.test(by, case)
    if not staff and not is_applicant.test(by, case):
        raise PermissionDenied(_("You may not do this with this application."))
    _lock(case)
    if case.is_finished:
        raise ValidationError(_("Documents cannot be added to a closed application."))
    kind = case.service.document_types.filter(code=doc_type).first()
    if kind is None:
        raise ValidationError(
            {"doc_type": _("This service does not ask for a document of that type.")},
            code="unknown_type",
        )
    size = file.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    if size > kind.max_size_bytes:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; “%(type)s” may be at most %(limit)s.")
                % {
                    "size": filesizeformat(size),
                    "type": kind.name,
                    "limit": filesizeformat(kind.max_size_bytes),
                }
            },
            code="too_large",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    name = (file.name or "document").rsplit("/", 1)[-1][-255:]
    content_type = sniff_content_type(head, name)
    if kind.content_types and content_type not in kind.content_types:
        allowed = ", ".join(readable_type(t) for t in kind.content_types)
        raise ValidationError(
            {
                "file": _("“%(type)s” accepts %(allowed)s; this file is %(found)s.")
                % {"type": kind.name, "allowed": allowed, "found": readable_type(content_type)}
            },
            code="content_type",
        )
    last = case.documents.filter(doc_type=doc_type).aggregate(v=Max("version"))["v"] or 0
    document = CaseDocument(
        case=case,
        doc_type=doc_type,
        version=last + 1,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=by,
    )
    document.file.save(name, file, save=False)
    document.full_clean()
    document.save()
    return document


# ---------------------------------------------------------------------------------------------
# Decisions


@transaction.atomic
def decision_issue(
    *,
    case: Case,
    outcome: str,
    by: AbstractBaseUser,
    conditions: Iterable[str] = (),
    reasons: str = "",
) -> Decision:
    """Decide: the decision and the status are recorded, and the decision document (a PDF with
    its verification code) is ordered from the job worker, which tells the applicant once the
    document is there (`decision_document_make`). A refusal needs its reasons."""
    from cases.jobs import make_decision_document

    _require(can_handle_case, by, case)
    _lock(case)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose approved or refused.")}, code="outcome")
    conditions = [c.strip() for c in conditions if c and c.strip()]
    reasons = (reasons or "").strip()
    if outcome == Outcome.REFUSED and not reasons:
        raise ValidationError({"reasons": _("A refusal must give its reasons.")}, code="reasons")
    if Decision.objects.filter(case=case).exists():
        raise ValidationError(_("This application is decided already."), code="decided")
    target = Status.DECIDED_APPROVED if outcome == Outcome.APPROVED else Status.DECIDED_REFUSED
    if not can_move_to(case, target):
        raise ValidationError(
            _("An application that is “%(status)s” cannot be decided; move it to assessment first.")
            % {"status": statuses.status_label(case.status)},
            code="transition",
        )
    now = timezone.now()
    decision = Decision(
        case=case,
        outcome=outcome,
        conditions=conditions,
        reasons=reasons,
        decided_by=by,
        decided_at=now,
    )
    decision.full_clean()
    decision.save()
    case.decided_at = now
    case_status_set(case=case, to=target, by=by, note=decision.get_outcome_display())
    registry.decided(decision, by)
    # Deferred in this transaction: the worker sees the job only once the decision is stored.
    make_decision_document.defer(decision_id=decision.pk)
    return decision


@transaction.atomic
def decision_document_make(*, decision: Decision) -> Decision:
    """Draw the decision's PDF, keep it with the decision, and tell the applicant, with the
    link to it. Done once: a decision that has its document is left as it is."""
    from cases.pdf import decision_pdf

    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("case__service", "case__municipality", "case__applicant", "decided_by")
        .get(pk=decision.pk)
    )
    if decision.pdf:
        return decision
    decision.pdf.save(f"{decision.verification_code}.pdf", ContentFile(decision_pdf(decision)))
    case = decision.case
    with translation.override(case.language or settings.LANGUAGE_CODE):
        pdf_url = public_url(reverse("cases:decision-pdf", kwargs={"reference": case.reference}))
        verify_url = public_url(
            reverse("cases:verify-code", kwargs={"code": decision.verification_code})
        )
    notify(
        case=case,
        recipient=case.applicant,
        kind="decided",
        context={"decision": decision, "pdf_url": pdf_url, "verify_url": verify_url},
        dedupe_key=f"cases:decided:{decision.pk}",
    )
    return decision
