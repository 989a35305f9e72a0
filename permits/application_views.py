"""Portal pages of permit applications: the applicant's steps and the planner's review.

Every page finds its case through cases.selectors.case_for_user, so anyone who may not see the
application (another applicant, staff of another municipality) is answered 404.
"""

from __future__ import annotations

import json

from django import forms as django_forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import Status
from permits import application_forms as forms
from permits.consultation import (
    comments_open,
    current_consultation,
    neighbour_parcels,
    neighbour_radius_m,
)
from permits.models import CONSULTATION, BoundaryChangeRequest, Constraint, PermitApplication
from permits.services import (
    CONSULTATION_MAX_WORKING_DAYS,
    CONSULTATION_WORKING_DAYS,
    REGISTER_LAYER,
    application_constraints,
    boundary_change_answer,
    boundary_change_request,
    consultation_start,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
    permit_constraint_override,
    permit_decision_issue,
)

STEPS = (
    (1, _("Stage and class")),
    (2, _("Site")),
    (3, _("Building")),
    (4, _("Documents")),
    (5, _("Review and submit")),
)
LAST_STEP = 5


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def _application_for(request: HttpRequest, reference: str, *, staff: bool) -> PermitApplication:
    case = case_selectors.case_for_user(request.user, reference, staff_only=staff)
    application = (
        PermitApplication.objects.filter(case=case).select_related("case__service").first()
    )
    if application is None:
        raise Http404("No such permit application.")
    if not staff and case.applicant_id != request.user.pk:
        raise Http404("No such permit application.")
    return application


def _geojson(geom) -> str:
    if geom is None:
        return ""
    return geom.transform(settings.SRID_API, clone=True).geojson


def _map_config(application: PermitApplication | None) -> dict:
    language = translation.get_language()
    return {
        "language": language,
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "checkUrl": reverse("permits-api:check"),
        "parcelLayer": "parcels",
        "showLayers": ["zones", "constraints", "monuments"],
        "site": json.loads(_geojson(application.site))
        if application and application.site
        else None,
        "footprint": (
            json.loads(_geojson(application.footprint))
            if application and application.footprint
            else None
        ),
        "center": (
            [application.case.municipality.center_lon, application.case.municipality.center_lat]
            if application
            else None
        ),
    }


def _render_step(request, step: int, application, form, **extra) -> HttpResponse:
    context = {
        "step": step,
        "steps": STEPS,
        "application": application,
        "case": application.case if application else None,
        "form": form,
        "config": _map_config(application),
        "report": application.compliance if application else None,
        "page": "apply",
        **extra,
    }
    return render(request, "permits/apply.html", context, status=extra.pop("status", 200))


@login_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest) -> HttpResponse:
    """Step 1 of a new application: the stage and the building class, and the municipality
    unless the parcels carried from the map or the pre-check name it.

    `?parcels=CODE,CODE` (or `?site=<GeoJSON>`), `&footprint=<GeoJSON>`, `&floors=N` and the
    pre-check's other figures are kept in the page's address, so the form posts them back and
    the sign-in on the way keeps them; the draft starts with them.
    """
    carried = forms.carried_from(request.GET)
    form = forms.StartForm(
        request.POST or None,
        municipality=carried.municipality if (carried.codes or carried.site) else None,
        initial={
            "municipality": carried.municipality.pk if carried.municipality else None,
            "building_class": carried.building_class or None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = permit_application_start(
                applicant=request.user,
                stage=form.cleaned_data["stage"],
                building_class=form.cleaned_data["building_class"],
                municipality=form.cleaned_data["municipality"],
                parcel_codes=carried.codes or None,
                site=carried.site,
                building=carried.building,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("permits:apply-step", application.case.reference, 2)
    return _render_step(request, 1, None, form, carried=carried if carried.given else None)


def _step_form(step: int, application, data=None, files=None):
    if step == 1:
        initial = {
            "municipality": application.case.municipality_id,
            "stage": application.stage,
            "building_class": application.building_class,
        }
        form = forms.StartForm(data, initial=initial)
        for name in ("municipality", "stage"):
            form.fields[name].disabled = True
        return form
    if step == 2:
        codes = ", ".join(application.parcels.values_list("cadastral_code", flat=True))
        return forms.SiteForm(
            data, initial={"parcel_codes": codes, "site": _geojson(application.site)}
        )
    if step == 3:
        initial = {
            name: getattr(application, name)
            for name in (
                "footprint_area_m2",
                "floors",
                "floor_area_m2",
                "green_area_m2",
                "height_m",
                "use",
                "public_description",
            )
        }
        initial["footprint"] = _geojson(application.footprint)
        return forms.BuildingForm(data, initial=initial)
    if step == 4:
        return forms.DocumentForm(
            data, files, document_types=application.case.service.document_types.all()
        )
    return None


@login_required
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, reference: str, step: int) -> HttpResponse:
    """Steps 1–5 of a draft: each POST saves the draft and goes on; errors keep what was typed."""
    if step < 1 or step > LAST_STEP:
        raise Http404("No such step.")
    application = _application_for(request, reference, staff=False)
    case = application.case
    if case.status != Status.DRAFT:
        return redirect("permits:apply-done", reference)
    posted = request.method == "POST"
    form = _step_form(step, application, request.POST if posted else None, request.FILES or None)
    extra = {}
    if step == 4:
        extra["documents"] = case.documents.order_by("doc_type", "-version")
        extra["missing"] = case_services.missing_documents(case)
    if step == 5:
        extra["missing"] = case_services.missing_documents(case)
        extra["parcels"] = application.parcels.values_list("cadastral_code", flat=True)
    if not posted:
        return _render_step(request, step, application, form, **extra)

    if step == 5:
        try:
            permit_application_submit(application=application, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            return _render_step(request, step, application, form, errors=messages, **extra)
        return redirect("permits:apply-done", reference)
    if step == 4 and "next" in request.POST and not request.FILES:
        return redirect("permits:apply-step", reference, 5)
    if form.is_valid():
        try:
            if step == 1:
                permit_application_update(
                    application=application,
                    by=request.user,
                    building_class=form.cleaned_data["building_class"],
                )
            elif step == 2:
                data = form.cleaned_data
                permit_application_update(
                    application=application,
                    by=request.user,
                    parcel_codes=data["parcel_codes"] or None,
                    site=None if data["parcel_codes"] else data["site"],
                )
            elif step == 3:
                data = dict(form.cleaned_data)
                permit_application_update(application=application, by=request.user, **data)
            elif step == 4:
                case_services.case_document_add(
                    case=case,
                    doc_type=form.cleaned_data["doc_type"],
                    file=form.cleaned_data["file"],
                    by=request.user,
                )
                return redirect("permits:apply-step", reference, 4)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("permits:apply-step", reference, step + 1)
    application.refresh_from_db()
    return _render_step(request, step, application, form, status=400, **extra)


@login_required
def apply_done(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation: the reference number and what happens next."""
    application = _application_for(request, reference, staff=False)
    return render(
        request,
        "permits/apply_done.html",
        {"application": application, "case": application.case, "page": "apply"},
    )


class OverrideRemoveForm(django_forms.Form):
    constraint = django_forms.ModelChoiceField(
        label=_("Constraint to remove"), queryset=Constraint.objects.none()
    )
    reason = django_forms.CharField(
        label=_("Reason"), max_length=2000, widget=django_forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constraint"].queryset = Constraint.objects.in_municipality(municipality).defer(
            "geom"
        )


class OverrideAddForm(django_forms.Form):
    constraint = django_forms.ModelChoiceField(
        label=_("Constraint layer"), queryset=Constraint.objects.none(), required=False
    )
    text = django_forms.CharField(
        label=_("Or describe a constraint on no layer"), max_length=300, required=False
    )
    reason = django_forms.CharField(
        label=_("Reason"), max_length=2000, widget=django_forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constraint"].queryset = Constraint.objects.in_municipality(municipality).defer(
            "geom"
        )

    def clean(self):
        data = super().clean()
        if not data.get("constraint") and not (data.get("text") or "").strip():
            raise django_forms.ValidationError(
                _("Choose a constraint layer or describe the constraint.")
            )
        return data


class BoundaryRequestForm(django_forms.Form):
    proposed_site = django_forms.CharField(
        label=_("Proposed site (GeoJSON)"),
        help_text=_("A Polygon or MultiPolygon in longitude/latitude (EPSG:4326)."),
        widget=django_forms.Textarea(attrs={"rows": 4, "class": "mono"}),
    )
    reason = django_forms.CharField(
        label=_("Reason"), max_length=2000, widget=django_forms.Textarea(attrs={"rows": 2})
    )


class BoundaryAnswerForm(django_forms.Form):
    accept = django_forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("yes", _("I accept the new boundary")), ("no", _("I do not accept it"))],
        coerce=lambda value: value == "yes",
        widget=django_forms.RadioSelect,
    )
    comment = django_forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=django_forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you do not accept."),
    )


class ConsultationForm(django_forms.Form):
    working_days = django_forms.IntegerField(
        label=_("Period for comments (working days)"),
        min_value=1,
        max_value=CONSULTATION_MAX_WORKING_DAYS,
        initial=CONSULTATION_WORKING_DAYS,
    )


def _review_action(action: str, form, application, user) -> None:
    """Run one of the planner's corrections; ValidationError goes back to the form."""
    data = form.cleaned_data
    if action == "override_remove":
        permit_constraint_override(
            application=application,
            constraint=data["constraint"],
            action="remove",
            reason=data["reason"],
            by=user,
        )
    elif action == "override_add":
        permit_constraint_override(
            application=application,
            constraint=data["constraint"] or data["text"],
            action="add",
            reason=data["reason"],
            by=user,
        )
    elif action == "consult":
        consultation_start(application=application, by=user, working_days=data["working_days"])
    else:
        boundary_change_request(
            application=application,
            proposed_site=data["proposed_site"],
            reason=data["reason"],
            by=user,
        )


def _targets(case) -> list[tuple[str, str]]:
    # "In consultation" is reached by starting the consultation, which writes to the neighbours.
    return [
        (value, Status(value).label)
        for value in case_services.allowed_targets(case)
        if value != CONSULTATION
    ]


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, reference: str) -> HttpResponse:
    """The planner's review: the site on the map, the compliance report, and the actions."""
    application = _application_for(request, reference, staff=True)
    case = application.case
    if case.status == Status.DRAFT:
        raise Http404("No such permit application.")
    action = request.POST.get("action") if request.method == "POST" else None
    request_form = forms.InformationRequestForm(request.POST if action == "request" else None)
    transition_form = forms.TransitionForm(
        request.POST if action == "transition" else None, targets=_targets(case)
    )
    decision_form = forms.DecisionForm(request.POST if action == "decide" else None)
    municipality = case.municipality
    remove_form = OverrideRemoveForm(
        request.POST if action == "override_remove" else None, municipality=municipality
    )
    add_form = OverrideAddForm(
        request.POST if action == "override_add" else None, municipality=municipality
    )
    boundary_form = BoundaryRequestForm(request.POST if action == "boundary" else None)
    consultation_form = ConsultationForm(request.POST if action == "consult" else None)
    corrections = {
        "override_remove": remove_form,
        "override_add": add_form,
        "boundary": boundary_form,
        "consult": consultation_form,
    }
    bound = {"request": request_form, "transition": transition_form, "decide": decision_form}
    status = 200
    if action in corrections:
        form = corrections[action]
        if form.is_valid():
            try:
                _review_action(action, form, application, request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                return redirect("permits:review", reference)
        status = 400
    elif action in bound:
        form = bound[action]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "request":
                    case_services.information_request_open(
                        case=case,
                        text=data["text"],
                        by=request.user,
                        working_days=data["working_days"],
                    )
                elif action == "transition":
                    case_services.case_transition(
                        case=case, to=data["to"], by=request.user, note=data["note"]
                    )
                else:
                    permit_decision_issue(
                        application=application,
                        outcome=data["outcome"],
                        by=request.user,
                        conditions=data["conditions"].splitlines(),
                        reasons=data["reasons"],
                    )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("permits:review", reference)
        status = 400
    decision = getattr(case, "decision", None) if case.decided_at else None
    return render(
        request,
        "permits/review.html",
        {
            "application": application,
            "case": case,
            "report": application.compliance,
            "config": _map_config(application),
            "request_form": request_form,
            "transition_form": transition_form,
            "decision_form": decision_form,
            "decision": decision,
            "can_decide": case_services.can_move_to(case, Status.DECIDED_APPROVED),
            "open_requests": case.information_requests.filter(answered_at__isnull=True),
            "neighbours": neighbour_parcels(application),
            "radius_m": neighbour_radius_m(),
            "thread": comments_thread(request, application),
            **_consultation_context(application),
            "consultation_form": consultation_form,
            "constraints": application_constraints(application),
            "overrides": application.constraint_overrides.select_related("constraint", "by"),
            "remove_form": remove_form,
            "add_form": add_form,
            "boundary_form": boundary_form,
            "boundary_changes": application.boundary_changes.select_related("requested_by"),
            "page": "review",
        },
        status=status,
    )


def comments_thread(request: HttpRequest, application: PermitApplication) -> str:
    """The register's comment thread of the application, as the planner sees it (with the
    moderation links: planners moderate their applications' comments)."""
    from engagement import panels

    return panels.thread_html(
        request, layer=REGISTER_LAYER, feature_id=application.pk, writable=False
    )


def _consultation_context(application: PermitApplication) -> dict:
    """The consultation part of the review (staff only): its period, and the owners written to."""
    consulted = list(application.consulted_neighbours.all())
    return {
        "consultation": current_consultation(application),
        "consultation_open": comments_open(application),
        "consulted": consulted,
        "consulted_notified": sum(1 for c in consulted if c.notified),
        "can_consult": application.case.status in (Status.IN_REVIEW, CONSULTATION),
    }


@login_required
@require_http_methods(["GET", "POST"])
def boundary_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's page of a boundary change: the site as it is and as proposed, the reason,
    and the accept/reject form. Anyone but the applicant is answered 404."""
    change = (
        BoundaryChangeRequest.objects.select_related("application__case")
        .filter(pk=pk, application__case__applicant=request.user)
        .first()
    )
    if change is None:
        raise Http404("No such boundary change.")
    application = change.application
    form = BoundaryAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                boundary_change_answer(
                    request=change,
                    accept=form.cleaned_data["accept"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return redirect("permits:boundary", change.pk)
        status = 400
    return render(
        request,
        "permits/boundary.html",
        {
            "change": change,
            "application": application,
            "case": application.case,
            "form": form,
            "old_geojson": _geojson(change.old_site),
            "proposed_geojson": _geojson(change.proposed_site),
            "page": "boundary",
        },
        status=status,
    )


REGISTER_STATUSES_PUBLIC = (
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.AWAITING_APPLICANT,
    CONSULTATION,
    Status.AWAITING_DECISION,
    Status.DECIDED_APPROVED,
    Status.DECIDED_REFUSED,
)


@require_http_methods(["GET", "POST"])
def register_entry(request: HttpRequest, reference: str) -> HttpResponse:
    """The public page of an application on the register: no personal data; the comment thread
    (engagement's, on the register layer) taken while its consultation is open."""
    from engagement import panels
    from engagement.views import comment_form, comment_submit

    application = (
        PermitApplication.objects.select_related("case", "case__municipality")
        .filter(case__reference=reference, case__status__in=REGISTER_STATUSES_PUBLIC)
        .first()
    )
    if application is None:
        raise Http404("No such application on the register.")
    case = application.case
    form, status = None, 200
    reply_to = request.GET.get("reply_to")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        form = comment_form(request.POST)
        comment = comment_submit(
            request, layer=REGISTER_LAYER, feature_id=application.pk, form=form
        )
        if comment is not None:
            return redirect(
                f"{reverse('permits:register-entry', args=[reference])}#comment-{comment.pk}"
            )
        reply_to = request.POST.get("parent")
        status = 400
    thread = panels.thread_html(
        request,
        layer=REGISTER_LAYER,
        feature_id=application.pk,
        form=form,
        reply_to=int(reply_to) if str(reply_to or "").isdigit() else None,
        action="",
    )
    return render(
        request,
        "permits/register_entry.html",
        {
            "application": application,
            "case": case,
            "open": comments_open(application),
            "consultation": current_consultation(application),
            "thread": thread,
            "config": _map_config(application),
            "page": "register",
        },
        status=status,
    )
