"""The budget officers' review of proposals: a cycle's queue of proposals with a small map,
one proposal with its review form, and the merge of a duplicate into another proposal.

Anyone signed out is sent to sign in; a cycle or proposal of a municipality whose budgeting
the person does not keep answers 404, as one that does not exist.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budgeting import review as services
from budgeting.models import Cycle, Proposal, ProposalStatus
from budgeting.review_forms import Decision, MergeForm, QueueFilterForm, ReviewForm
from budgeting.rules import keeps

PAGE_SIZE = 50
# The most proposals drawn on the queue's map (the list pages through all of them).
MAP_LIMIT = 1000
# Colours of the statuses on the map and in the legend.
STATUS_COLOURS = {
    ProposalStatus.SUBMITTED: "#c05a00",
    ProposalStatus.FEASIBLE: "#1f7a4d",
    ProposalStatus.UNFEASIBLE: "#9b1c1c",
    ProposalStatus.MERGED: "#5b6770",
    ProposalStatus.WITHDRAWN: "#5b6770",
}


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def cycle_for(user, pk: int) -> Cycle:
    cycle = Cycle.objects.select_related("municipality").filter(pk=pk).first()
    if cycle is None or not keeps(user, cycle):
        raise Http404("No such cycle.")
    return cycle


def proposal_for(user, reference: str) -> Proposal:
    proposal = (
        Proposal.objects.select_related(
            "cycle", "budget", "budget__district", "municipality", "author", "merged_into"
        )
        .filter(reference=reference)
        .first()
    )
    if proposal is None or not keeps(user, proposal):
        raise Http404("No such proposal.")
    return proposal


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def link(name: str, *args) -> str | None:
    """A page of budgeting that another part of it may or may not provide."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _style_url() -> str:
    return f"{reverse('layers:style')}?lang={translation.get_language()}"


def _geojson(geometry) -> dict:
    return json.loads(geometry.transform(settings.SRID_API, clone=True).json)


def _search(queryset, text: str):
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(reference__icontains=text) | Q(title__icontains=text) | Q(description__icontains=text)
    )


def _queue_map(cycle: Cycle, proposals) -> dict:
    """The proposals of the queue as points by status, for the small map."""
    groups: dict[str, list] = {status.value: [] for status in ProposalStatus}
    rows = proposals.order_by("reference").values_list("reference", "title", "status", "location")
    for reference, title, status, location in rows[:MAP_LIMIT]:
        groups[status].append(
            {
                "type": "Feature",
                "properties": {
                    "reference": reference,
                    "title": title,
                    "url": reverse("budgeting:staff-proposal", args=[reference]),
                },
                "geometry": _geojson(location),
            }
        )
    municipality = cycle.municipality
    return {
        "styleUrl": _style_url(),
        "center": [municipality.center_lon, municipality.center_lat],
        "zoom": municipality.default_zoom,
        "groups": [
            {
                "status": status.value,
                "label": str(status.label),
                "colour": STATUS_COLOURS[status],
                "data": {"type": "FeatureCollection", "features": groups[status.value]},
            }
            for status in ProposalStatus
            if groups[status.value]
        ],
    }


@signed_in
def staff_proposals(request, pk: int):
    """GET /{lang}/budgeting/staff/cycles/<pk>/proposals/: the cycle's proposals to review."""
    cycle = cycle_for(request.user, pk)
    every = Proposal.objects.filter(cycle=cycle)
    form = QueueFilterForm(request.GET or None, cycle=cycle)
    found = every
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = _search(found, data["q"])
        if data["budget"]:
            found = found.filter(budget=data["budget"])
        if data["category"]:
            found = found.filter(category=data["category"])
        by_status = found
        if data["status"]:
            found = found.filter(status=data["status"])
    else:
        by_status = every
    counts = dict(by_status.order_by().values_list("status").annotate(n=Count("pk")))
    # The proposals waiting for a review come first: they are the work.
    waiting_first = Case(When(status=ProposalStatus.SUBMITTED, then=0), default=1)
    listed = found.select_related("budget", "budget__district").order_by(waiting_first, "reference")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status_query = request.GET.copy()
    status_query.pop("page", None)
    status_query.pop("status", None)
    current = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "budgeting/review/proposals.html",
        {
            "cycle": cycle,
            "form": form,
            "page_obj": page,
            "proposals": page.object_list,
            "counts": [
                {"status": s.value, "label": s.label, "count": counts.get(s.value, 0)}
                for s in ProposalStatus
            ],
            "total": sum(counts.values()),
            "current_status": current,
            "query": query.urlencode(),
            "status_query": status_query.urlencode(),
            "map_config": _queue_map(cycle, found),
            "cycle_url": link("budgeting:staff-cycle", cycle.pk),
            "paper_url": reverse("budgeting:staff-paper", args=[cycle.pk]),
            "voting_open": services.voting_has_opened(cycle),
            "page": "budgeting-staff",
        },
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _review_initial(proposal: Proposal) -> dict:
    initial = {
        "budget": proposal.budget_id,
        "cost": proposal.cost,
        "reason_ka": proposal.review_reason_ka,
        "reason_en": proposal.review_reason_en,
    }
    if proposal.status == ProposalStatus.FEASIBLE:
        initial["decision"] = Decision.FEASIBLE
    elif proposal.status == ProposalStatus.UNFEASIBLE:
        initial["decision"] = Decision.UNFEASIBLE
    return initial


def _proposal_context(request, proposal: Proposal) -> dict:
    geometry = _geojson(proposal.area or proposal.location)
    closed_reason = None
    try:
        services.check_reviewable(proposal)
    except ValidationError as error:
        closed_reason = " ".join(error.messages)
    return {
        "proposal": proposal,
        "photos": list(proposal.photos.all()),
        "merged": list(proposal.merged.order_by("reference")),
        "candidates": list(services.merge_candidates(proposal)),
        "closed_reason": closed_reason,
        "public_url": link("budgeting:proposal", proposal.reference),
        "queue_url": reverse("budgeting:staff-proposals", args=[proposal.cycle_id]),
        "map_config": {"styleUrl": _style_url(), "geometry": geometry},
        "page": "budgeting-staff",
    }


@signed_in
@require_http_methods(["GET", "POST"])
def staff_proposal(request, reference: str):
    """A proposal as its reviewers see it, with the review form."""
    proposal = proposal_for(request.user, reference)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        proposal=proposal,
        initial=_review_initial(proposal),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            feasible = data["decision"] == Decision.FEASIBLE
            try:
                services.proposal_review(
                    proposal=proposal,
                    feasible=feasible,
                    cost=data["cost"] if feasible else None,
                    reason_ka=data["reason_ka"],
                    reason_en=data["reason_en"],
                    budget=data["budget"],
                    by=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The review of %(reference)s is saved and its author is told.")
                    % {"reference": proposal.reference},
                )
                return redirect("budgeting:staff-proposal", proposal.reference)
        status = 400
        proposal = proposal_for(request.user, reference)
    context = _proposal_context(request, proposal)
    context["form"] = form
    context["merge_form"] = MergeForm(candidates=context["candidates"])
    return render(request, "budgeting/review/proposal.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def proposal_merge(request, reference: str):
    """Merge this proposal, a duplicate, into another one of the same cycle and budget."""
    proposal = proposal_for(request.user, reference)
    candidates = list(services.merge_candidates(proposal))
    form = MergeForm(request.POST if request.method == "POST" else None, candidates=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                keep = services.proposal_merge(
                    duplicate=proposal,
                    keep=data["keep"],
                    by=request.user,
                    note_ka=data["note_ka"],
                    note_en=data["note_en"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(duplicate)s is merged into %(keep)s; its supports and followers "
                        "went with it, and both authors are told."
                    )
                    % {"duplicate": proposal.reference, "keep": keep.reference},
                )
                return redirect("budgeting:staff-proposal", keep.reference)
        status = 400
    context = _proposal_context(request, proposal)
    context["merge_form"] = form
    return render(request, "budgeting/review/merge.html", context, status=status)
