"""The budget officer's pages: the cycles they keep, a new cycle, and a cycle's phases, voting
rules, budgets and voter list.

Anyone signed out is sent to sign in. Everyone else who keeps no municipality's budgeting, and
an officer asking for a cycle of another municipality, is answered 404, as if the page did not
exist. Staff reach these pages only after their second factor (core.mfa's middleware).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budgeting import cycle_admin, cycles, voter_list
from budgeting.models import (
    PHASE_ORDER,
    Ballot,
    BallotKind,
    BallotStatus,
    Budget,
    Cycle,
    Phase,
    Proposal,
    Voter,
    VoterListUpload,
)
from budgeting.rules import officer_municipality_ids
from budgeting.staff_forms import (
    BudgetFormSet,
    CycleCreateForm,
    DetailsForm,
    PhaseFormSet,
    RulesForm,
    VoterListForm,
    VoterLookupForm,
)
from budgeting.voters import PERSONAL_NUMBER_ERROR, is_personal_number
from core.models import Municipality

PAGE = "budgeting-staff"
UPLOADS_SHOWN = 5


def officer_required(view):
    """Signed in, and a budget officer somewhere (or a superuser); 404 for anyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if officer_municipality_ids(request.user) == []:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def _scoped(queryset, user):
    ids = officer_municipality_ids(user)
    return queryset if ids is None else queryset.filter(municipality_id__in=ids)


def _municipalities(user):
    ids = officer_municipality_ids(user)
    found = Municipality.objects.defer("boundary").order_by("code")
    return found if ids is None else found.filter(pk__in=ids)


def _cycle_for(user, pk: int) -> Cycle:
    cycle = (
        _scoped(Cycle.objects.select_related("municipality"), user)
        .prefetch_related("phases")
        .filter(pk=pk)
        .first()
    )
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def _link(url_name: str, *args) -> str | None:
    """The address of a staff page, or None where the portal has no such page."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


def _cycle_links(cycle: Cycle) -> list[dict]:
    """The staff pages of a cycle that the portal has, in the order of the work."""
    pages = [
        ("budgeting:staff-phases", _("Phases")),
        ("budgeting:staff-rules", _("Voting rules")),
        ("budgeting:staff-budgets", _("Budgets")),
        ("budgeting:staff-voters", _("Voter list")),
        ("budgeting:staff-proposals", _("Proposals")),
        ("budgeting:staff-paper", _("Paper ballots")),
    ]
    links = []
    for name, label in pages:
        url = _link(name, cycle.pk)
        if url:
            links.append({"name": name.split(":")[1], "label": label, "url": url})
    return links


def _public_link(cycle: Cycle) -> str | None:
    return _link("budgeting:cycle", cycle.municipality.code, cycle.slug)


def _budgets(cycle: Cycle) -> list[dict]:
    rows = []
    for budget in Budget.objects.filter(cycle=cycle).select_related("district"):
        rows.append(
            {
                "budget": budget,
                "results_url": _link("budgeting:staff-results", budget.pk),
            }
        )
    rows.sort(key=lambda row: (row["budget"].district_id is None, row["budget"].name))
    return rows


def _phase_rows(cycle: Cycle, now) -> list[dict]:
    current = cycles.current_phase(cycle, now)
    return [
        {"phase": phase, "current": phase.enabled and phase.kind == current}
        for phase in cycle_admin.ordered_phases(cycle)
    ]


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _context(cycle: Cycle, section: str, **extra) -> dict:
    return {
        "cycle": cycle,
        "section": section,
        "cycle_links": _cycle_links(cycle),
        "public_url": _public_link(cycle),
        "page": PAGE,
        **extra,
    }


# --- The officer's cycles --------------------------------------------------------------------


@officer_required
def staff_home(request):
    """GET /{lang}/budgeting/staff/: the cycles of the municipalities the officer keeps."""
    user = request.user
    now = timezone.now()
    found = list(
        _scoped(Cycle.objects.select_related("municipality"), user)
        .prefetch_related("phases", "budgets__district")
        .order_by("municipality__code", "-created_at")
    )
    ids = [cycle.pk for cycle in found]
    # One grouped count per table: a join of proposals with voters would multiply them.
    proposals = _counts(Proposal.objects.filter(cycle_id__in=ids))
    voters = _counts(Voter.objects.filter(cycle_id__in=ids))
    ballots = _counts(Ballot.objects.filter(cycle_id__in=ids, status=BallotStatus.CHECKED_OUT))
    municipalities = _municipalities(user)
    groups = []
    for municipality in municipalities:
        rows = []
        for cycle in (c for c in found if c.municipality_id == municipality.pk):
            current = cycles.current_phase(cycle, now)
            budgets = sorted(cycle.budgets.all(), key=lambda b: (b.district_id is None, b.name))
            rows.append(
                {
                    "cycle": cycle,
                    "phase": Phase(current).label if current else None,
                    "next": _next_phase(cycle, now),
                    "budgets": [
                        {"budget": b, "results_url": _link("budgeting:staff-results", b.pk)}
                        for b in budgets
                    ],
                    "total": sum(b.amount for b in budgets),
                    "proposals": proposals.get(cycle.pk, 0),
                    "voters": voters.get(cycle.pk, 0),
                    "ballots": ballots.get(cycle.pk, 0),
                    "links": _cycle_links(cycle),
                    "public_url": _public_link(cycle),
                }
            )
        groups.append({"municipality": municipality, "cycles": rows})
    return render(
        request,
        "budgeting/cycles/home.html",
        {"groups": groups, "page": PAGE},
    )


def _counts(queryset) -> dict[int, int]:
    return dict(queryset.order_by().values_list("cycle_id").annotate(n=Count("pk")))


def _next_phase(cycle: Cycle, now):
    """The first enabled phase that has not started yet, if any."""
    upcoming = [p for p in cycles.enabled_phases(cycle) if p.starts_at > now]
    return upcoming[0] if upcoming else None


@officer_required
@require_http_methods(["GET", "POST"])
def cycle_new(request):
    """A new cycle with its phases and budgets."""
    form = CycleCreateForm(
        request.POST if request.method == "POST" else None,
        municipalities=_municipalities(request.user),
    )
    if request.method == "GET" and request.GET.get("municipality", "").isdigit():
        form.fields["municipality"].initial = int(request.GET["municipality"])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                cycle = cycle_admin.cycle_create(**data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The cycle was created with its phases and budgets. Check their dates "
                        "and money."
                    ),
                )
                return redirect("budgeting:staff-cycle", cycle.pk)
        status = 400
    return render(
        request,
        "budgeting/cycles/new.html",
        {"form": form, "page": PAGE},
        status=status,
    )


# --- A cycle ---------------------------------------------------------------------------------


@officer_required
def staff_cycle(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    now = timezone.now()
    current = cycles.current_phase(cycle, now)
    counts = {
        "proposals": cycle.proposals.count(),
        "voters": Voter.objects.filter(cycle=cycle).count(),
        "verified": Voter.objects.filter(cycle=cycle, user__isnull=False).count(),
        "ballots": cycle.ballots.filter(status=BallotStatus.CHECKED_OUT).count(),
        "drafts": cycle.ballots.filter(status=BallotStatus.DRAFT).count(),
    }
    return render(
        request,
        "budgeting/cycles/cycle.html",
        _context(
            cycle,
            "cycle",
            current=Phase(current).label if current else None,
            phases=_phase_rows(cycle, now),
            budgets=_budgets(cycle),
            counts=counts,
        ),
    )


def _phase_initial(cycle: Cycle) -> list[dict]:
    return [
        {
            "kind": phase.kind,
            "enabled": phase.enabled,
            "starts_at": timezone.localtime(phase.starts_at),
            "ends_at": timezone.localtime(phase.ends_at),
        }
        for phase in cycle_admin.ordered_phases(cycle)
    ]


def _chain_errors(formset) -> bool:
    """Put the chain's errors on the phase they concern: a switched-on phase must start when
    the switched-on phase before it ends. True if there were any."""
    before = None
    found = False
    for form in formset.forms:
        data = form.cleaned_data
        if not data.get("enabled"):
            continue
        starts = data.get("starts_at")
        if before is not None and starts is not None and before["ends"] is not None:
            if starts != before["ends"]:
                form.add_error(
                    "starts_at",
                    _("Must start when %(before)s ends: %(end)s.")
                    % {
                        "before": Phase(before["kind"]).label,
                        "end": timezone.localtime(before["ends"]).strftime("%d.%m.%Y %H:%M"),
                    },
                )
                found = True
        before = {"kind": data["kind"], "ends": data.get("ends_at")}
    return found


@officer_required
@require_http_methods(["GET", "POST"])
def cycle_phases(request, pk: int):
    """The ten phases: switched on or off, with dates that chain."""
    cycle = _cycle_for(request.user, pk)
    status = 200
    if request.method == "POST":
        formset = PhaseFormSet(request.POST, prefix="phases")
        valid = formset.is_valid()
        kinds = [form.cleaned_data.get("kind") for form in formset.forms] if valid else []
        if valid and kinds != list(PHASE_ORDER):
            formset._non_form_errors = formset.error_class([_("The list of phases is not whole.")])
            valid = False
        if valid and request.POST.get("action") == "chain":
            formset = _chained(formset)
            messages.info(request, _("The dates now chain. Check them and save."))
        elif valid and not _chain_errors(formset):
            changes = [form.cleaned_data for form in formset.forms]
            try:
                cycle_admin.phases_update(cycle=cycle, changes=changes)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, _("The phases were saved."))
                return redirect("budgeting:staff-phases", cycle.pk)
        if not formset.is_bound or formset.total_error_count():
            status = 400
    else:
        formset = PhaseFormSet(initial=_phase_initial(cycle), prefix="phases")
    labels = dict(Phase.choices)
    rows = [{"form": form, "label": labels.get(form["kind"].value(), "")} for form in formset]
    return render(
        request,
        "budgeting/cycles/phases.html",
        _context(cycle, "phases", formset=formset, rows=rows),
        status=status,
    )


def _chained(formset):
    """The posted phases with each switched-on one moved to start when the one before ends,
    keeping its length: to be checked and saved."""
    initial = []
    previous_end = None
    for form in formset.forms:
        data = dict(form.cleaned_data)
        if data.get("enabled"):
            length = data["ends_at"] - data["starts_at"]
            if previous_end is not None:
                data["starts_at"] = previous_end
                data["ends_at"] = previous_end + length
            previous_end = data["ends_at"]
        data["starts_at"] = timezone.localtime(data["starts_at"])
        data["ends_at"] = timezone.localtime(data["ends_at"])
        initial.append(data)
    return PhaseFormSet(initial=initial, prefix="phases")


def _rules_initial(cycle: Cycle) -> dict:
    return {name: getattr(cycle, name) for name in cycles.RULE_FIELDS}


@officer_required
@require_http_methods(["GET", "POST"])
def cycle_rules(request, pk: int):
    """The cycle's names and descriptions, and its voting rules until the first ballot."""
    cycle = _cycle_for(request.user, pk)
    details_initial = {
        name: getattr(cycle, name)
        for name in ("name_ka", "name_en", "description_ka", "description_en")
    }
    details = DetailsForm(initial=details_initial, prefix="details")
    rules = RulesForm(initial=_rules_initial(cycle), prefix="rules")
    refusal = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "details":
            details = DetailsForm(request.POST, prefix="details")
            if details.is_valid():
                for name, value in details.cleaned_data.items():
                    setattr(cycle, name, value)
                cycle.full_clean()
                cycle.save(update_fields=[*details.cleaned_data, "updated_at"])
                messages.success(request, _("The cycle's description was saved."))
                return redirect("budgeting:staff-rules", cycle.pk)
            status = 400
        else:
            rules = RulesForm(request.POST, prefix="rules")
            if rules.is_valid():
                changed = {
                    name: value
                    for name, value in rules.cleaned_data.items()
                    if getattr(cycle, name) != value
                }
                try:
                    cycles.set_rules(cycle, **changed)
                except ValidationError as error:
                    refusal = " ".join(error.messages)
                    _add_errors(rules, error)
                    cycle.refresh_from_db()
                else:
                    messages.success(request, _("The voting rules were saved."))
                    return redirect("budgeting:staff-rules", cycle.pk)
            status = 409 if refusal and cycle.rules_locked else 400
    return render(
        request,
        "budgeting/cycles/rules.html",
        _context(
            cycle,
            "rules",
            details=details,
            rules=rules,
            refusal=refusal,
            kinds=BallotKind,
        ),
        status=status,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def cycle_budgets(request, pk: int):
    """The budgets: money and population per district, and the city-wide one."""
    cycle = _cycle_for(request.user, pk)
    budgets = sorted(
        Budget.objects.filter(cycle=cycle).select_related("district"),
        key=lambda b: (b.district_id is None, b.district.code if b.district else ""),
    )
    initial = [
        {
            "pk": b.pk,
            "name_ka": b.name_ka,
            "name_en": b.name_en,
            "amount": b.amount,
            "population": b.population,
        }
        for b in budgets
    ]
    status = 200
    if request.method == "POST":
        formset = BudgetFormSet(request.POST, initial=initial, prefix="budgets")
        if formset.is_valid():
            try:
                cycle_admin.budgets_update(
                    cycle=cycle, changes=[form.cleaned_data for form in formset.forms]
                )
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, _("The budgets were saved."))
                return redirect("budgeting:staff-budgets", cycle.pk)
        status = 400
    else:
        formset = BudgetFormSet(initial=initial, prefix="budgets")
    by_pk = {b.pk: b for b in budgets}
    rows = []
    for form in formset:
        try:
            budget = by_pk.get(int(form["pk"].value()))
        except (TypeError, ValueError):
            budget = None
        rows.append({"form": form, "budget": budget})
    return render(
        request,
        "budgeting/cycles/budgets.html",
        _context(
            cycle,
            "budgets",
            formset=formset,
            rows=rows,
            total=sum(b.amount for b in budgets),
        ),
        status=status,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def cycle_voters(request, pk: int):
    """The voter list: upload a CSV file, its size per district, a lookup by personal number."""
    cycle = _cycle_for(request.user, pk)
    status = 200
    upload_form = VoterListForm()
    file_error = None
    if request.method == "POST":
        upload_form = VoterListForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            try:
                loaded = voter_list.load_csv(
                    cycle, data=upload.read(), file_name=upload.name, by=request.user
                )
            except voter_list.VoterListError as error:
                file_error = error.message
            else:
                messages.success(
                    request,
                    _(
                        "The list was loaded: %(added)s added, %(updated)s updated, "
                        "%(refused)s refused."
                    )
                    % {"added": loaded.added, "updated": loaded.updated, "refused": loaded.refused},
                )
                return redirect("budgeting:staff-voters", cycle.pk)
        status = 400
    lookup = VoterLookupForm(request.GET if "number" in request.GET else None)
    found, looked_up = None, False
    if lookup.is_bound and lookup.is_valid():
        looked_up = True
        number = lookup.cleaned_data["number"]
        if not is_personal_number(number):
            lookup.add_error("number", PERSONAL_NUMBER_ERROR)
            looked_up = False
        else:
            found = voter_list.find_voter(cycle, number)
    districts = voter_list.counts_by_district(cycle)
    uploads = list(
        VoterListUpload.objects.filter(cycle=cycle).order_by("-created_at")[:UPLOADS_SHOWN]
    )
    return render(
        request,
        "budgeting/cycles/voters.html",
        _context(
            cycle,
            "voters",
            upload_form=upload_form,
            file_error=file_error,
            lookup=lookup,
            found=found,
            looked_up=looked_up,
            districts=districts,
            total=sum(row["voters"] for row in districts),
            verified=sum(row["verified"] for row in districts),
            uploads=uploads,
            max_rows=voter_list.MAX_ROWS,
        ),
        status=status,
    )
