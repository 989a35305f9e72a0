"""What residents see of participatory budgeting: the cycles, a cycle's phases, budgets and
proposals on a map and in a list, proposing a project, a proposal's page with its support and
comments, and one's own proposals. The lists and forms work without JavaScript."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.gis.db.models.functions import Transform
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from budgeting import proposals as services
from budgeting.cycles import current_phase, enabled_phases, phase_of
from budgeting.layers import PROPOSAL_COLOURS, PROPOSALS_LAYER
from budgeting.models import (
    Budget,
    Cycle,
    Phase,
    Photo,
    PhotoKind,
    Proposal,
    ProposalStatus,
    Support,
)
from budgeting.proposal_forms import ProposalFilterForm, ProposeForm
from budgeting.rules import keeps
from parcels.models import Parcel

PAGE_SIZE = 20
# Phases in which a cycle is not shown to the public yet.
HIDDEN_PHASES = (None, Phase.DRAFTING)
DISTRICT_COLOUR = "#1d6fa5"


def reverse_or_none(name: str, *args) -> str | None:
    """The address of a page that another part of budgeting may not offer (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Cycles ----------------------------------------------------------------------------------


def cycles_queryset() -> QuerySet[Cycle]:
    return (
        Cycle.objects.select_related("municipality")
        .defer("municipality__boundary")
        .prefetch_related("phases")
        .annotate(total=Sum("budgets__amount"), budget_count=Count("budgets"))
    )


def public_cycle(request: HttpRequest, municipality: str, slug: str) -> Cycle:
    """The cycle of a public address, or 404: cycles still being drafted are shown only to the
    staff who keep them."""
    cycle = (
        Cycle.objects.select_related("municipality")
        .prefetch_related("phases")
        .filter(municipality__code=municipality.upper()[:10], slug=slug[:40])
        .first()
    )
    if cycle is None:
        raise Http404(_("There is no such budget cycle."))
    cycle.phase = current_phase(cycle)
    if cycle.phase in HIDDEN_PHASES and not keeps(request.user, cycle):
        raise Http404(_("There is no such budget cycle."))
    return cycle


@dataclass
class CycleAction:
    label: str
    url: str
    primary: bool = False


def cycle_actions(cycle: Cycle, phase: str | None) -> list[CycleAction]:
    """What one can do in a cycle now: propose, support, vote or see the results."""
    code, slug = cycle.municipality.code, cycle.slug
    found: list[CycleAction] = []
    here = reverse("budgeting:cycle", args=[code, slug])
    if phase == Phase.ACCEPTING:
        found.append(
            CycleAction(
                _("Propose a project"), reverse("budgeting:propose", args=[code, slug]), True
            )
        )
    if phase == Phase.SUPPORTING:
        found.append(CycleAction(_("Support proposals"), f"{here}#proposals", True))
    if phase == Phase.BALLOTING:
        url = reverse_or_none("budgeting:vote", code, slug)
        if url:
            found.append(CycleAction(_("Vote"), url, True))
    if phase in (Phase.REVIEWING_BALLOTS, Phase.FINISHED):
        url = reverse_or_none("budgeting:results", code, slug)
        if url:
            found.append(CycleAction(_("See the results"), url, phase == Phase.FINISHED))
    found.append(CycleAction(_("See the proposals"), f"{here}#proposals"))
    return found


def home(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/budgeting/: the cycles of every municipality, with what one can do now."""
    cycles = []
    for cycle in cycles_queryset().order_by("municipality__code", "-created_at"):
        phase = current_phase(cycle)
        if phase in HIDDEN_PHASES and not keeps(request.user, cycle):
            continue
        cycle.phase = phase
        cycle.phase_label = Phase(phase).label if phase else _("Not started")
        cycle.phase_row = phase_of(cycle, phase) if phase else None
        cycle.actions = cycle_actions(cycle, phase)
        cycles.append(cycle)
    return render(
        request,
        "budgeting/proposals/home.html",
        {
            "cycles": cycles,
            "delivery_url": reverse_or_none("budgeting:delivery"),
            "page": "budgeting",
        },
    )


def _phase_rows(cycle: Cycle, phase: str | None) -> list[dict]:
    now = timezone.now()
    return [
        {
            "kind": row.kind,
            "label": Phase(row.kind).label,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "description": row.description,
            "current": row.kind == phase,
            "past": row.ends_at <= now,
        }
        for row in enabled_phases(cycle)
    ]


def _budgets(cycle: Cycle) -> list[Budget]:
    return list(
        cycle.budgets.select_related("district")
        .defer("district__boundary")
        .annotate(
            proposal_count=Count(
                "proposals", filter=Q(proposals__status__in=services.PUBLIC_STATUSES)
            )
        )
        .order_by("district__code")
    )


def _district_features(cycle: Cycle, budgets: list[Budget], here: str) -> dict:
    """The budgets' districts as a FeatureCollection in degrees (simplified for the page)."""
    rows = (
        Budget.objects.filter(cycle=cycle, district__isnull=False)
        .annotate(outline=Transform("district__boundary", settings.SRID_API))
        .values_list("pk", "outline")
    )
    names = {b.pk: (b.name, b.amount) for b in budgets}
    features = []
    for pk, outline in rows:
        outline = outline.simplify(0.00005, preserve_topology=True)
        name, amount = names.get(pk, ("", 0))
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "properties": {
                    "budget": pk,
                    "name": name,
                    "amount": amount,
                    "url": f"{here}?{urlencode({'budget': pk})}#proposals",
                },
                "geometry": json.loads(outline.geojson),
            }
        )
    return {"type": "FeatureCollection", "features": features}


SORTS = {
    "new": ("-created_at", "-pk"),
    "supports": ("-supports", "-created_at"),
    "cost": ("price", "pk"),
    "-cost": ("-price", "pk"),
}


def filtered_proposals(cycle: Cycle, data: dict) -> QuerySet[Proposal]:
    qs = (
        services.public_proposals(cycle)
        .select_related("budget")
        .annotate(price=Coalesce("cost", "estimated_cost"))
    )
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(reference__iexact=q))
    if data.get("budget"):
        qs = qs.filter(budget_id=int(data["budget"]))
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    return qs.order_by(*SORTS.get(data.get("sort") or "new", SORTS["new"]))


def cycle_page(request: HttpRequest, municipality: str, cycle: str) -> HttpResponse:
    """GET /{lang}/budgeting/<municipality>/<slug>/: the phases, the budgets on a map and in a
    list, and the proposals on the map beside a list with its filters."""
    found = public_cycle(request, municipality, cycle)
    phase = found.phase
    budgets = _budgets(found)
    form = ProposalFilterForm(request.GET or None, budgets=budgets)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(filtered_proposals(found, data), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    here = reverse("budgeting:cycle", args=[found.municipality.code, found.slug])
    boundary = found.municipality.boundary.transform(settings.SRID_API, clone=True)
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
        "layer": PROPOSALS_LAYER,
        "cardUrl": reverse("layer-pages:card", args=[PROPOSALS_LAYER]),
        "cycle": found.slug,
        "municipality": found.municipality.code,
        "bbox": list(boundary.extent),
        "districts": _district_features(found, budgets, here),
        "districtColour": DISTRICT_COLOUR,
        "language": get_language(),
        "legend": [
            {"label": str(label), "colour": "#ffffff", "fill": PROPOSAL_COLOURS[status]}
            for status, label in (
                (ProposalStatus.SUBMITTED, ProposalStatus.SUBMITTED.label),
                (ProposalStatus.FEASIBLE, ProposalStatus.FEASIBLE.label),
                (ProposalStatus.UNFEASIBLE, ProposalStatus.UNFEASIBLE.label),
            )
        ]
        + [
            {"label": _("District with a budget"), "colour": DISTRICT_COLOUR, "fill": "transparent"}
        ],
    }
    return render(
        request,
        "budgeting/proposals/cycle.html",
        {
            "cycle": found,
            "phase": phase,
            "phase_label": Phase(phase).label if phase else _("Not started"),
            "phases": _phase_rows(found, phase),
            "budgets": budgets,
            "total": sum(b.amount for b in budgets),
            "actions": cycle_actions(found, phase),
            "form": form,
            "page_obj": page,
            "proposals": page.object_list,
            "query": query.urlencode(),
            "config": config,
            "supporting": phase == Phase.SUPPORTING,
            "page": "budgeting",
        },
    )


# --- Proposing -------------------------------------------------------------------------------


def _parcel(code: str) -> Parcel | None:
    return Parcel.objects.current().filter(cadastral_code=code).first()


def _geojson(geom) -> str:
    return geom.transform(settings.SRID_API, clone=True).geojson


def _initial_place(request: HttpRequest, cycle: Cycle) -> tuple[dict, str]:
    """What the form starts from: a parcel's outline (?parcel=) or a point (?lon=&lat=)."""
    initial: dict = {}
    label = ""
    code = request.GET.get("parcel", "").strip()[:32]
    if code:
        parcel = _parcel(code)
        if parcel is not None:
            initial.update(parcel=code, geometry=_geojson(parcel.geom))
            label = code
    elif request.GET.get("lon") and request.GET.get("lat"):
        from core.geometry import GeometryError, parse_lonlat

        try:
            point = parse_lonlat(request.GET["lon"][:30], request.GET["lat"][:30])
        except GeometryError:
            point = None
        if point is not None:
            initial["geometry"] = point.geojson
    return initial, label


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, municipality: str, cycle: str) -> HttpResponse:
    """/{lang}/budgeting/<municipality>/<slug>/propose/: propose a project (signed in, while the
    cycle takes proposals; otherwise a page that says when it does)."""
    found = public_cycle(request, municipality, cycle)
    accepting_phase = phase_of(found, Phase.ACCEPTING)
    context = {
        "cycle": found,
        "accepting": accepting_phase,
        "cycle_url": reverse("budgeting:cycle", args=[found.municipality.code, found.slug]),
        "page": "budgeting",
    }
    if found.phase != Phase.ACCEPTING:
        context["now"] = timezone.now()
        return render(request, "budgeting/proposals/propose_closed.html", context)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    status = 200
    if request.method == "POST":
        form = ProposeForm(request.POST, request.FILES, parcel_lookup=_parcel)
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = services.proposal_create(
                    cycle=found,
                    author=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    estimated_cost=data["estimated_cost"],
                    geometry=data["place"],
                    citywide=data["citywide"],
                    place_label=data.get("parcel", ""),
                    photos=data["photos"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you: your proposal %(reference)s is submitted for review.")
                    % {"reference": proposal.reference},
                )
                return redirect("budgeting:proposal", proposal.reference)
        status = 400
        context["files_again"] = bool(request.FILES)
    else:
        initial, _label = _initial_place(request, found)
        form = ProposeForm(initial=initial, parcel_lookup=_parcel)
    boundary = found.municipality.boundary.transform(settings.SRID_API, clone=True)
    budgets = _budgets(found)
    here = context["cycle_url"]
    context.update(
        form=form,
        budgets=budgets,
        config={
            "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
            "bbox": list(boundary.extent),
            "districts": _district_features(found, budgets, here),
            "districtColour": DISTRICT_COLOUR,
            "parcelLayer": "parcels",
        },
    )
    return render(request, "budgeting/proposals/propose.html", context, status=status)


# --- A proposal ------------------------------------------------------------------------------


def _proposal_or_404(request: HttpRequest, reference: str) -> Proposal:
    proposal = (
        Proposal.objects.select_related(
            "cycle", "cycle__municipality", "budget", "budget__district", "merged_into"
        )
        .defer("cycle__municipality__boundary", "budget__district__boundary")
        .prefetch_related("cycle__phases")
        .filter(reference=reference[:30])
        .first()
    )
    if proposal is None:
        raise Http404(_("There is no such proposal."))
    user = request.user
    if proposal.status == ProposalStatus.WITHDRAWN and not (
        (user.is_authenticated and proposal.author_id == user.pk) or keeps(user, proposal)
    ):
        raise Http404(_("There is no such proposal."))
    if current_phase(proposal.cycle) in HIDDEN_PHASES and not keeps(user, proposal):
        raise Http404(_("There is no such proposal."))
    return proposal


@require_http_methods(["GET", "POST"])
def proposal_page(request: HttpRequest, reference: str) -> HttpResponse:
    """/{lang}/budgeting/proposals/<reference>/: the proposal, its support and its comments
    (engagement's, on the proposals layer; a comment is posted here)."""
    from engagement import panels
    from engagement.views import comment_form, comment_submit

    proposal = _proposal_or_404(request, reference)
    public = proposal.status in services.PUBLIC_STATUSES
    form, status = None, 200
    reply_to = request.GET.get("reply_to")
    if request.method == "POST":
        if not public:
            raise Http404(_("There is no such proposal."))
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        form = comment_form(request.POST)
        comment = comment_submit(
            request, layer=PROPOSALS_LAYER, feature_id=str(proposal.pk), form=form
        )
        if comment is not None:
            return redirect(
                f"{reverse('budgeting:proposal', args=[proposal.reference])}#comment-{comment.pk}"
            )
        reply_to = request.POST.get("parent")
        status = 400
    thread = ""
    if public:
        thread = panels.thread_html(
            request,
            layer=PROPOSALS_LAYER,
            feature_id=proposal.pk,
            form=form,
            reply_to=int(reply_to) if str(reply_to or "").isdigit() else None,
            action="",
        )
    user = request.user
    supported = (
        user.is_authenticated and Support.objects.filter(proposal=proposal, user=user).exists()
    )
    location = proposal.location.transform(settings.SRID_API, clone=True)
    area = proposal.area.transform(settings.SRID_API, clone=True) if proposal.area else None
    cycle = proposal.cycle
    photos = list(proposal.photos.filter(kind=PhotoKind.PROPOSAL))
    return render(
        request,
        "budgeting/proposals/proposal.html",
        {
            "proposal": proposal,
            "cycle": cycle,
            "phase": current_phase(cycle),
            "cycle_url": reverse("budgeting:cycle", args=[cycle.municipality.code, cycle.slug]),
            "photos": photos,
            "thread": thread,
            "can_support": services.can_support(proposal),
            "supported": supported,
            "can_withdraw": services.can_withdraw(proposal, user),
            "project_url": reverse_or_none("budgeting:project", proposal.reference)
            if proposal.winner
            else None,
            "config": {
                "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
                "geometry": json.loads((area or location).geojson),
                "bbox": list((area or location.buffer(0.002)).extent),
            },
            "page": "budgeting",
        },
        status=status,
    )


@require_POST
def proposal_support(request: HttpRequest, reference: str) -> HttpResponse:
    """POST .../support: support the proposal, or take one's support back."""
    proposal = _proposal_or_404(request, reference)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("budgeting:proposal", args=[proposal.reference]))
    try:
        now = services.proposal_support_toggle(proposal=proposal, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        response = redirect("budgeting:proposal", proposal.reference)
        response.status_code = 303
        return response
    messages.success(
        request,
        _("You support this proposal.") if now else _("Your support is taken back."),
    )
    return redirect("budgeting:proposal", proposal.reference)


@require_POST
def proposal_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """POST .../withdraw: the author withdraws a proposal not yet reviewed."""
    proposal = _proposal_or_404(request, reference)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("budgeting:proposal", args=[proposal.reference]))
    if proposal.author_id != request.user.pk:
        raise Http404(_("There is no such proposal."))
    try:
        services.proposal_withdraw(proposal=proposal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proposal is withdrawn."))
    return redirect("budgeting:proposal", proposal.reference)


def proposal_photo(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """GET .../photos/<pk>: a photo of a proposal that may be seen."""
    proposal = _proposal_or_404(request, reference)
    photo = Photo.objects.filter(proposal=proposal, pk=pk).first()
    if photo is None or not photo.image:
        raise Http404(_("There is no such photo."))
    suffix = photo.image.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(suffix)
    if content_type is None:
        raise Http404(_("There is no such photo."))
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def my_proposals(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/budgeting/my/: the signed-in person's proposals with their status."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rows = (
        Proposal.objects.filter(author=request.user)
        .select_related("cycle", "cycle__municipality", "budget", "merged_into")
        .defer("cycle__municipality__boundary")
        .order_by("-created_at")
    )
    return render(
        request,
        "budgeting/proposals/my.html",
        {"proposals": rows, "page": "budgeting-my"},
    )
