"""The budget officers' entry of paper ballots: a sheet entered by two officers on their own,
the entries by status, and the third look at a sheet whose entries disagree.

An officer does not see what a sheet's first entry says until the second one is in: each
entry is a reading of the sheet of its own. Personal numbers are shown masked only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budgeting import paper
from budgeting.ballots import ballot_projects, rule_summary
from budgeting.cycles import current_phase
from budgeting.models import Budget, PaperEntry, PaperEntryStatus, Proposal
from budgeting.review_forms import PaperEntryForm, ResolveForm
from budgeting.review_views import add_errors, cycle_for, link, signed_in

PAGE_SIZE = 50


def _budget_of(cycle, request) -> Budget | None:
    budgets = list(Budget.objects.filter(cycle=cycle).select_related("district"))
    wanted = (request.POST or request.GET).get("budget", "")
    chosen = next((b for b in budgets if str(b.pk) == wanted), None)
    return chosen or (budgets[0] if budgets else None), budgets


def _references(entries) -> dict[int, Proposal]:
    ids = {pk for entry in entries for pk in entry.projects}
    return {p.pk: p for p in Proposal.objects.filter(pk__in=ids).only("reference", "title", "cost")}


def _rows(entries, user) -> list[dict]:
    """The entries as the list shows them: a waiting entry's reading is hidden from everyone
    but the officer who made it, so that the second reading is made on its own."""
    projects = _references(entries)
    rows = []
    for entry in entries:
        hidden = entry.status == PaperEntryStatus.WAITING and entry.entered_by_id != user.pk
        rows.append(
            {
                "entry": entry,
                "hidden": hidden,
                "projects": []
                if hidden
                else [projects[pk] for pk in entry.projects if pk in projects],
            }
        )
    return rows


@signed_in
@require_http_methods(["GET", "POST"])
def staff_paper(request, pk: int):
    """GET and POST /{lang}/budgeting/staff/cycles/<pk>/paper/: enter a sheet, and the list of
    entries by status."""
    cycle = cycle_for(request.user, pk)
    budget, budgets = _budget_of(cycle, request)
    projects = list(ballot_projects(budget)) if budget else []
    form = PaperEntryForm(request.POST if request.method == "POST" else None, projects=projects)
    status = 200
    if request.method == "POST" and budget is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = paper.enter(
                    budget=budget,
                    sheet=data["sheet"],
                    personal_number=data["personal_number"],
                    proposal_ids=data["projects"],
                    by=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _entered_message(entry))
                return redirect(
                    f"{reverse('budgeting:staff-paper', args=[cycle.pk])}?budget={budget.pk}"
                )
        status = 400

    entries = PaperEntry.objects.filter(cycle=cycle)
    counts = dict(entries.order_by().values_list("status").annotate(n=Count("pk")))
    wanted = request.GET.get("status", "")
    listed = entries.select_related("budget", "budget__district", "entered_by")
    if wanted in PaperEntryStatus.values:
        listed = listed.filter(status=wanted)
    else:
        wanted = ""
    page = Paginator(listed.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    status_query = request.GET.copy()
    status_query.pop("page", None)
    status_query.pop("status", None)
    phase = current_phase(cycle)
    return render(
        request,
        "budgeting/review/paper.html",
        {
            "cycle": cycle,
            "budget": budget,
            "budgets": budgets,
            "projects": projects,
            "form": form,
            "rule": rule_summary(cycle, budget) if budget else "",
            "open": phase in paper.PAPER_PHASES,
            "page_obj": page,
            "rows": _rows(page.object_list, request.user),
            "counts": [
                {"status": s.value, "label": s.label, "count": counts.get(s.value, 0)}
                for s in PaperEntryStatus
            ],
            "total": sum(counts.values()),
            "current_status": wanted,
            "query": query.urlencode(),
            "status_query": status_query.urlencode(),
            "cycle_url": link("budgeting:staff-cycle", cycle.pk),
            "queue_url": reverse("budgeting:staff-proposals", args=[cycle.pk]),
            "page": "budgeting-staff",
        },
        status=status,
    )


def _entered_message(entry: PaperEntry) -> str:
    values = {"sheet": entry.sheet}
    if entry.status == PaperEntryStatus.MATCHED:
        return _("Sheet %(sheet)s: both entries agree, and the ballot is counted.") % values
    if entry.status == PaperEntryStatus.MISMATCH:
        return (
            _("Sheet %(sheet)s: the two entries disagree. Another officer looks at the sheet.")
            % values
        )
    if entry.status == PaperEntryStatus.REFUSED:
        return _("Sheet %(sheet)s is refused: %(note)s") % {**values, "note": entry.note}
    return _("Sheet %(sheet)s is entered. A second officer enters it again.") % values


@signed_in
@require_http_methods(["GET", "POST"])
def paper_resolve(request, pk: int, entry: int):
    """The third look at a sheet whose two entries disagree."""
    cycle = cycle_for(request.user, pk)
    found = (
        PaperEntry.objects.select_related("budget", "budget__district", "entered_by")
        .filter(pk=entry, cycle=cycle)
        .first()
    )
    if found is None:
        raise Http404("No such entry.")
    entries = paper.sheet_entries(found)
    persons_differ = len({e.person_key for e in entries}) > 1
    form = ResolveForm(
        request.POST if request.method == "POST" else None,
        entries=entries,
        persons_differ=persons_differ,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = paper.resolve(
                    entry=found,
                    chosen=form.chosen(),
                    note=data["note"],
                    personal_number=data.get("personal_number", ""),
                    by=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if any(e.status == PaperEntryStatus.MATCHED for e in result):
                    messages.success(
                        request,
                        _("Sheet %(sheet)s is resolved and its ballot counted.")
                        % {"sheet": found.sheet},
                    )
                else:
                    chosen = form.chosen()
                    row = next((e for e in result if chosen and e.pk == chosen.pk), result[0])
                    messages.warning(
                        request,
                        _("Sheet %(sheet)s is refused: %(note)s")
                        % {"sheet": found.sheet, "note": row.note},
                    )
                return redirect(
                    f"{reverse('budgeting:staff-paper', args=[cycle.pk])}"
                    f"?budget={found.budget_id}&status={PaperEntryStatus.MISMATCH}"
                )
        status = 400
    projects = _references(entries)
    rows = [
        {
            "number": index,
            "entry": e,
            "projects": [projects[p] for p in e.projects if p in projects],
            "total": sum(projects[p].cost or 0 for p in e.projects if p in projects),
        }
        for index, e in enumerate(entries, start=1)
    ]
    return render(
        request,
        "budgeting/review/resolve.html",
        {
            "cycle": cycle,
            "entry": found,
            "rows": rows,
            "persons_differ": persons_differ,
            "resolvable": any(e.status == PaperEntryStatus.MISMATCH for e in entries),
            "entered_it": any(e.entered_by_id == request.user.pk for e in entries),
            "form": form,
            "paper_url": reverse("budgeting:staff-paper", args=[cycle.pk]),
            "page": "budgeting-staff",
        },
        status=status,
    )
