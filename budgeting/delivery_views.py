"""The delivery of the winning projects: the public map and list of the winners with their
progress, a project's page with its milestones, photos and history, and the budget officer's
page that reports on a winner. The list and the forms work without JavaScript.

A winner of another municipality than the officer's answers 404, as one that does not exist.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budgeting import delivery
from budgeting.delivery_forms import (
    DeliveryFilterForm,
    MilestoneDoneForm,
    MilestoneForm,
    PhotoForm,
    ReportForm,
)
from budgeting.layers import WINNERS_LAYER
from budgeting.models import Milestone, Photo, PhotoKind, Proposal
from budgeting.rules import keeps, officer_municipality_ids
from core.models import Municipality

PAGE_SIZE = 20


def reverse_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _bbox(projects, code: str) -> list[float] | None:
    """Where the map opens: the winners listed in one city (the one filtered, or the first),
    else that city's boundary; the two cities are too far apart for one view."""
    if not code:
        code = (
            projects.order_by("municipality__code")
            .values_list("municipality__code", flat=True)
            .first()
        )
    if not code:
        return None
    box = (
        Proposal.objects.filter(pk__in=projects.values("pk"), municipality__code=code)
        .aggregate(box=Extent(Transform("location", 4326)))
        .get("box")
    )
    if box is None or box[0] == box[2]:
        box = Municipality.objects.filter(code=code).aggregate(
            box=Extent(Transform("boundary", 4326))
        )["box"]
    return list(box) if box else None


def _legend() -> list[dict]:
    return [
        {"label": str(status.label), "colour": colour, "fill": colour}
        for status, colour in delivery.STATUS_COLOURS.items()
    ]


def delivery_list(request):
    """GET /{lang}/budgeting/delivery/: the winning projects on a map and in a list."""
    cycles = delivery.public_cycles()
    form = DeliveryFilterForm(request.GET or None, cycles=cycles)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "municipality": data["municipality"],
            "cycle": int(data["cycle"]) if data["cycle"] else None,
            "status": data["status"],
        }
    projects = delivery.public_winners(**filters)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = officer_municipality_ids(request.user)
    for project in page.object_list:
        project.keeps = kept is None or project.municipality_id in kept
    query = request.GET.copy()
    query.pop("page", None)
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
        "layer": WINNERS_LAYER,
        "cardUrl": reverse("layer-pages:card", args=[WINNERS_LAYER]),
        "bbox": _bbox(projects, filters.get("municipality", "")),
        "legend": _legend(),
    }
    unfiltered = delivery.public_winners(**{k: v for k, v in filters.items() if k != "status"})
    return render(
        request,
        "budgeting/delivery/list.html",
        {
            "form": form,
            "page_obj": page,
            "projects": page.object_list,
            "query": query.urlencode(),
            "counts": delivery.status_counts(unfiltered),
            "config": config,
            "page": "budgeting-delivery",
        },
    )


def project_page(request, reference: str):
    """GET /{lang}/budgeting/delivery/<reference>/: a winner's delivery and its history."""
    project = delivery.public_project(reference)
    if project is None:
        raise Http404(_("There is no such winning project."))
    location = project.location.transform(settings.SRID_API, clone=True)
    area = project.area.transform(settings.SRID_API, clone=True) if project.area else None
    cycle = project.cycle
    return render(
        request,
        "budgeting/delivery/project.html",
        {
            "project": project,
            "cycle": cycle,
            "milestones": delivery.timeline(project),
            "photos": delivery.progress_photos(project),
            "updates": delivery.history(project),
            "proposal_url": reverse_or_none("budgeting:proposal", project.reference),
            "cycle_url": reverse_or_none("budgeting:cycle", cycle.municipality.code, cycle.slug),
            "results_url": reverse_or_none(
                "budgeting:results", cycle.municipality.code, cycle.slug
            ),
            "staff_url": reverse_or_none("budgeting:staff-delivery", project.reference)
            if keeps(request.user, project)
            else None,
            "colour": delivery.STATUS_COLOURS.get(project.delivery_status),
            "config": {
                "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
                "geometry": json.loads((area or location).geojson),
                "bbox": list((area or location.buffer(0.002)).extent),
                "colour": delivery.STATUS_COLOURS.get(project.delivery_status),
            },
            "page": "budgeting-delivery",
        },
    )


# --- The budget officer's page ---------------------------------------------------------------


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def winner_for(user, reference: str) -> Proposal:
    """A winner the officer keeps, or 404 (another municipality's, or not a winner)."""
    proposal = (
        Proposal.objects.select_related("cycle", "cycle__municipality", "budget", "municipality")
        .defer("cycle__municipality__boundary", "municipality__boundary")
        .filter(reference=reference[:30])
        .first()
    )
    if proposal is None or not keeps(user, proposal):
        raise Http404("No such proposal.")
    return proposal


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


ACTIONS = ("report", "milestone", "done", "reopen", "photo", "photo-remove")


@signed_in
@require_http_methods(["GET", "POST"])
def staff_delivery(request, reference: str):
    """GET/POST /{lang}/budgeting/staff/proposals/<reference>/delivery: report on a winner."""
    proposal = winner_for(request.user, reference)
    initial = {"delivery_status": proposal.delivery_status, "progress": proposal.progress}
    forms = {
        "report": ReportForm(initial=initial),
        "milestone": MilestoneForm(),
        "photo": PhotoForm(),
    }
    status = 200
    here = reverse("budgeting:staff-delivery", args=[proposal.reference])
    if request.method == "POST":
        if not proposal.winner:
            messages.error(request, _("Only a winning project has a delivery to report."))
            return redirect(here)
        action = request.POST.get("action", "")
        done = _post(request, proposal, action, forms)
        if done:
            messages.success(request, done)
            response = redirect(here)
            response.status_code = 303
            return response
        status = 400
        proposal = winner_for(request.user, reference)
    return render(
        request,
        "budgeting/delivery/staff.html",
        {
            "proposal": proposal,
            "forms": forms,
            "report_form": forms["report"],
            "milestone_form": forms["milestone"],
            "photo_form": forms["photo"],
            "milestones": delivery.timeline(proposal),
            "photos": delivery.progress_photos(proposal),
            "updates": delivery.history(proposal),
            "project_url": delivery.project_url(proposal.reference) if proposal.winner else None,
            "review_url": reverse_or_none("budgeting:staff-proposal", proposal.reference),
            "today": timezone.localdate(),
            "page": "budgeting-staff",
        },
        status=status,
    )


def _post(request, proposal: Proposal, action: str, forms: dict) -> str | None:
    """Carry out one of the page's forms; the success message, or None with the form's errors
    (the form bound to what was sent, so that nothing typed is lost)."""
    user = request.user
    if action == "report":
        form = forms["report"] = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                delivery.report(
                    proposal=proposal,
                    by=user,
                    delivery_status=data["delivery_status"],
                    progress=data["progress"],
                    note_ka=data["note_ka"],
                    note_en=data["note_en"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _("The report is saved and shown in the project's history.")
        return None
    if action == "milestone":
        form = forms["milestone"] = MilestoneForm(request.POST)
        if form.is_valid():
            try:
                delivery.milestone_add(proposal=proposal, by=user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _("The milestone is added.")
        return None
    if action in ("done", "reopen"):
        form = MilestoneDoneForm(request.POST)
        milestone = None
        if form.is_valid():
            milestone = Milestone.objects.filter(
                proposal=proposal, pk=form.cleaned_data["milestone"]
            ).first()
        if milestone is None:
            raise Http404("No such milestone.")
        try:
            if action == "done":
                delivery.milestone_done(
                    milestone=milestone, by=user, done_on=form.cleaned_data.get("done_on")
                )
                return _("The milestone is marked done.")
            delivery.milestone_reopen(milestone=milestone, by=user)
            return _("The milestone is open again.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return None
    if action == "photo":
        form = forms["photo"] = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                delivery.photo_add(
                    proposal=proposal,
                    by=user,
                    file=form.cleaned_data["photo"],
                    caption=form.cleaned_data["caption"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _("The photo is added.")
        return None
    if action == "photo-remove":
        raw = str(request.POST.get("photo", ""))
        photo = None
        if raw.isdigit():
            photo = Photo.objects.filter(
                proposal=proposal, kind=PhotoKind.PROGRESS, pk=int(raw)
            ).first()
        if photo is None:
            raise Http404("No such photo.")
        delivery.photo_remove(photo=photo, by=user)
        return _("The photo is removed.")
    messages.error(request, _("Choose what to do."))
    return None
