"""Portal pages of the one window: my applications, one application, the staff work queue, and
the public verification of decisions.

A case that the person may not see answers 404, as one that does not exist. Every form that
is refused is shown again with what was entered and the reason, with status 400.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import calendar, selectors, services
from cases.forms import (
    AnswerForm,
    AssignForm,
    DecisionForm,
    DocumentForm,
    InformationRequestForm,
    MessageForm,
    QueueFilterForm,
    TransitionForm,
    VerifyForm,
    WithdrawForm,
)
from cases.models import Decision, Service, Status
from cases.rules import can_handle_case
from core.modules import registry


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@signed_in
def my_cases(request):
    cases = selectors.cases_of_applicant(request.user)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/mine.html",
        {"page_obj": page, "cases": page.object_list, "today": calendar.today(), "page": "cases"},
    )


@signed_in
def queue(request):
    user = request.user
    if not selectors.is_case_staff(user):
        raise PermissionDenied(_("The work queue is for staff who handle applications."))
    services_offered = Service.objects.order_by("module", "code")
    form = QueueFilterForm(request.GET or None, services=services_offered)
    filters = selectors.QueueFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.QueueFilter(
            service=data["service"],
            status=data["status"],
            overdue=data["overdue"],
            mine=data["mine"],
        )
    today = calendar.today()
    cases = selectors.case_queue(user, filters=filters, today=today)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    for case in page.object_list:
        case.staff_links = registry.case_links(case, user, staff=True)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "page_obj": page,
            "cases": page.object_list,
            "today": today,
            "query": query.urlencode(),
            "page": "queue",
        },
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _case_context(request, case, **forms) -> dict:
    user = request.user
    staff = can_handle_case.test(user, case)
    applicant = case.applicant_id == user.pk
    document_types = list(case.service.document_types.all())
    documents = list(case.documents.select_related("uploaded_by").order_by("doc_type", "-version"))
    latest = {}
    for document in documents:
        latest.setdefault(document.doc_type, document)
    type_names = {t.code: t.name for t in document_types}
    message_list = case.messages.select_related("author")
    if not staff:
        message_list = message_list.filter(internal=False)
    decision = Decision.objects.filter(case=case).select_related("decided_by").first()
    can_upload = not case.is_finished and (staff or applicant)
    context = {
        "case": case,
        "is_staff_view": staff,
        "is_applicant": applicant,
        "history": case.status_changes.select_related("by"),
        "message_list": message_list,
        "requests": case.information_requests.select_related("requested_by"),
        "documents": documents,
        "latest_documents": latest,
        "document_types": document_types,
        "type_names": type_names,
        "missing": services.missing_documents(case) if case.status == Status.DRAFT else [],
        "decision": decision,
        "today": calendar.today(),
        "page": "queue" if staff and not applicant else "cases",
        "message_form": forms.get("message_form") or MessageForm(),
        "document_form": (forms.get("document_form") or DocumentForm(document_types=document_types))
        if can_upload
        else None,
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "answer_request_id": forms.get("answer_request_id"),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "can_withdraw": applicant and (case.is_open or case.status == Status.DRAFT),
        "errors": forms.get("errors"),
        # The module's own pages: what it asks of the applicant now (e.g. answer a boundary
        # change), and its pages for the staff handling it.
        "actions": registry.case_links(case, user, staff=False) if applicant else [],
        "staff_links": registry.case_links(case, user, staff=True) if staff else [],
    }
    if staff:
        targets = services.allowed_targets(case)
        context.update(
            {
                "assign_form": forms.get("assign_form")
                or AssignForm(
                    officers=selectors.officers_for_case(case),
                    initial={"officer": case.assigned_to_id},
                ),
                "transition_form": forms.get("transition_form") or TransitionForm(targets=targets),
                "targets": targets,
                "request_form": forms.get("request_form") or InformationRequestForm(),
                "decision_form": forms.get("decision_form") or DecisionForm(),
                "can_decide": decision is None
                and services.can_move_to(case, Status.DECIDED_APPROVED),
            }
        )
    return context


def _render_case(request, case, status=200, **forms):
    return render(
        request, "cases/detail.html", _case_context(request, case, **forms), status=status
    )


def _back(case):
    return redirect("cases:detail", reference=case.reference)


@signed_in
def case_detail(request, reference: str):
    case = selectors.case_for_user(request.user, reference)
    return _render_case(request, case)


def _act(request, reference, *, form, form_name, action, success, staff_only=False, **extra):
    """Run one service from a posted form; on refusal the page again with the form and why."""
    case = selectors.case_for_user(request.user, reference, staff_only=staff_only)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this with this application."))
        else:
            messages.success(request, success)
            return _back(case)
    return _render_case(request, case, status=400, **{form_name: form}, **extra)


@require_POST
@signed_in
def case_submit(request, reference: str):
    case = selectors.case_for_user(request.user, reference)
    try:
        services.case_submit(case=case, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _render_case(request, case, status=400, errors=[text])
    messages.success(
        request,
        _("Application %(reference)s was submitted. A decision is due by %(due)s.")
        % {"reference": case.reference, "due": case.due_date.strftime("%d.%m.%Y")},
    )
    return _back(case)


@require_POST
@signed_in
def case_withdraw(request, reference: str):
    return _act(
        request,
        reference,
        form=WithdrawForm(request.POST),
        form_name="withdraw_form",
        action=lambda case, data: services.case_withdraw(
            case=case, by=request.user, note=data["note"]
        ),
        success=_("The application was withdrawn."),
    )


@require_POST
@signed_in
def message_post(request, reference: str):
    return _act(
        request,
        reference,
        form=MessageForm(request.POST),
        form_name="message_form",
        action=lambda case, data: services.case_message_post(
            case=case, author=request.user, body=data["body"], internal=data["internal"]
        ),
        success=_("Message sent."),
    )


@require_POST
@signed_in
def document_add(request, reference: str):
    case = selectors.case_for_user(request.user, reference)
    form = DocumentForm(
        request.POST, request.FILES, document_types=list(case.service.document_types.all())
    )
    return _act(
        request,
        reference,
        form=form,
        form_name="document_form",
        action=lambda case, data: services.case_document_add(
            case=case, doc_type=data["doc_type"], file=data["file"], by=request.user
        ),
        success=_("Document attached."),
    )


@signed_in
def document_download(request, reference: str, pk: int):
    case = selectors.case_for_user(request.user, reference)
    document = get_object_or_404(case.documents, pk=pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
def decision_pdf(request, reference: str):
    case = selectors.case_for_user(request.user, reference)
    decision = Decision.objects.filter(case=case).first()
    if decision is None or not decision.pdf:
        raise Http404("No decision document.")
    return FileResponse(
        decision.pdf.open("rb"),
        filename=f"{case.reference}-decision.pdf",
        content_type="application/pdf",
    )


@require_POST
@signed_in
def request_answer(request, reference: str, pk: int):
    case = selectors.case_for_user(request.user, reference)
    info_request = get_object_or_404(case.information_requests, pk=pk)
    return _act(
        request,
        reference,
        form=AnswerForm(request.POST),
        form_name="answer_form",
        answer_request_id=info_request.pk,
        action=lambda case, data: services.information_request_answer(
            request=info_request, answer=data["answer"], by=request.user
        ),
        success=_("Thank you: your answer was sent and the clock runs again."),
    )


# Staff actions


@require_POST
@signed_in
def case_assign(request, reference: str):
    case = selectors.case_for_user(request.user, reference, staff_only=True)
    return _act(
        request,
        reference,
        staff_only=True,
        form=AssignForm(request.POST, officers=selectors.officers_for_case(case)),
        form_name="assign_form",
        action=lambda case, data: services.case_assign(
            case=case, officer=data["officer"], by=request.user
        ),
        success=_("Assignment saved."),
    )


@require_POST
@signed_in
def case_transition(request, reference: str):
    case = selectors.case_for_user(request.user, reference, staff_only=True)
    return _act(
        request,
        reference,
        staff_only=True,
        form=TransitionForm(request.POST, targets=services.allowed_targets(case)),
        form_name="transition_form",
        action=lambda case, data: services.case_transition(
            case=case, to=data["to"], by=request.user, note=data["note"]
        ),
        success=_("Status changed."),
    )


@require_POST
@signed_in
def information_request_open(request, reference: str):
    return _act(
        request,
        reference,
        staff_only=True,
        form=InformationRequestForm(request.POST),
        form_name="request_form",
        action=lambda case, data: services.information_request_open(
            case=case, text=data["text"], by=request.user, working_days=data["working_days"]
        ),
        success=_("The request was sent; the clock is stopped until the applicant answers."),
    )


@require_POST
@signed_in
def decision_issue(request, reference: str):
    form = DecisionForm(request.POST)
    return _act(
        request,
        reference,
        staff_only=True,
        form=form,
        form_name="decision_form",
        action=lambda case, data: services.decision_issue(
            case=case,
            outcome=data["outcome"],
            conditions=form.condition_list(),
            reasons=data["reasons"],
            by=request.user,
        ),
        success=_(
            "The decision was issued. Its document is being prepared; the applicant is told by "
            "e-mail, with its link, when it is ready."
        ),
    )


# Public verification


def verify(request):
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"].strip().upper().replace(" ", "").replace("-", "")
        if code:
            return redirect(reverse("cases:verify-code", kwargs={"code": code}))
    return render(request, "cases/verify.html", {"form": form, "page": "verify"})


def verify_code(request, code: str):
    decision = selectors.decision_by_code(code)
    return render(
        request,
        "cases/verify.html",
        {
            "form": VerifyForm(initial={"code": code}),
            "decision": decision,
            "code": code,
            "searched": True,
            "page": "verify",
        },
        status=200 if decision else 404,
    )
