"""The results' pages: for budget officers, computing a budget's results as a job with its
progress, the two rules side by side, overrides and publication, and the replay of a pabulib
file; for everyone, a cycle's published results.

A budget of a municipality the officer does not keep answers 404, as one that does not exist.
Unpublished results are not public: the public page answers 404 until a budget of the cycle
has published results.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budgeting import results as services
from budgeting.models import Budget, Cycle, ResultRun, Rule, RunStatus
from budgeting.rules import keeps, officer_municipality_ids

# A replayed pabulib file is read in the request: bounded.
REPLAY_MAX_BYTES = 20 * 1024 * 1024
REFRESH_SECONDS = 3


def officer_required(view):
    """Signed in, and a budget officer somewhere (or a superuser)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if officer_municipality_ids(request.user) == []:
            raise PermissionDenied(_("These pages are for the budget officers."))
        return view(request, *args, **kwargs)

    return wrapper


def _link(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _budget_for(user, pk: int) -> Budget:
    budget = (
        Budget.objects.select_related("cycle", "municipality", "district")
        .defer("municipality__boundary", "district__boundary")
        .filter(pk=pk)
        .first()
    )
    if budget is None or not keeps(user, budget):
        raise Http404("No such budget.")
    return budget


def _map_config(rows) -> dict:
    features = services.map_features(rows)
    return {
        "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
        "features": features,
        "legend": services.legend(),
    }


class OverrideForm(forms.Form):
    proposal = forms.ChoiceField(label=gettext_lazy("Project"))
    funded = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("1", gettext_lazy("Fund it, whatever the rule says")),
            ("0", gettext_lazy("Do not fund it, whatever the rule says")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason_ka = forms.CharField(
        label=gettext_lazy("Reason in Georgian"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason_en = forms.CharField(
        label=gettext_lazy("Reason in English"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [("", "—")] + [
            (p.reference, f"{p.reference} · {p.title}")
            for p in services.ballot_projects(budget).only("reference", "title")
        ]


class ReplayForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("pabulib file (.pb)"),
        help_text=gettext_lazy("An election in the pabulib format, at most 20 MB."),
    )
    compare = forms.BooleanField(
        label=gettext_lazy("Compare with pabutools (files of at most 2,000 voters)"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > REPLAY_MAX_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc


def _staff_page(request, budget: Budget, *, override_form=None, status: int = 200):
    runs = list(
        ResultRun.objects.filter(budget=budget)
        .select_related("requested_by", "published_by")
        .order_by("-created_at", "-pk")[:10]
    )
    pending = next((r for r in runs if r.status in (RunStatus.QUEUED, RunStatus.RUNNING)), None)
    shown = next((r for r in runs if r.status == RunStatus.DONE), None)
    published = services.published_run(budget)
    compared = services.comparison(shown) if shown else None
    context = {
        "budget": budget,
        "cycle": budget.cycle,
        "runs": runs,
        "pending": pending,
        "shown": shown,
        "published": published,
        "compared": compared,
        "counted": services.counted_ballots(budget).count(),
        "override_form": override_form or OverrideForm(budget=budget),
        "refresh_seconds": REFRESH_SECONDS,
        "cycle_url": _link("budgeting:staff-cycle", budget.cycle_id),
        "staff_home_url": _link("budgeting:staff-home"),
        "public_url": _link("budgeting:results", budget.municipality.code, budget.cycle.slug)
        if published
        else None,
        "election_url": reverse("budgeting-api:election", args=[budget.pk]),
        "page": "budgeting",
    }
    if compared:
        context["config"] = _map_config(compared.rows)
    return render(request, "budgeting/results/staff.html", context, status=status)


@officer_required
@require_GET
def staff_results(request, pk: int):
    """GET staff/budgets/<pk>/results/: the budget's results, their runs and overrides."""
    return _staff_page(request, _budget_for(request.user, pk))


@officer_required
@require_POST
def staff_results_run(request, pk: int):
    """POST staff/budgets/<pk>/results/run: compute the results again, as a job."""
    budget = _budget_for(request.user, pk)
    try:
        services.run_request(budget=budget, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The results are being computed."))
    return redirect("budgeting:staff-results", budget.pk)


@officer_required
@require_GET
def staff_run_progress(request, pk: int):
    """GET staff/runs/<pk>/progress: how far a run is (JSON, for the page's bar)."""
    run = ResultRun.objects.filter(pk=pk).first()
    if run is None or not keeps(request.user, run):
        raise Http404("No such run.")
    return JsonResponse(
        {
            "status": run.status,
            "progress": round(run.progress, 4),
            "percent": int(run.progress * 100),
            "done": run.status in (RunStatus.DONE, RunStatus.FAILED),
            "page": reverse("budgeting:staff-results", args=[run.budget_id]),
        }
    )


@officer_required
@require_POST
def staff_results_override(request, pk: int):
    """POST staff/budgets/<pk>/override: fund a project or not, with the reason."""
    budget = _budget_for(request.user, pk)
    form = OverrideForm(request.POST, budget=budget)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.override_add(
                budget=budget,
                reference=data["proposal"],
                funded=data["funded"],
                reason_ka=data["reason_ka"],
                reason_en=data["reason_en"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The override is recorded."))
            return redirect(f"{reverse('budgeting:staff-results', args=[budget.pk])}#overrides")
    return _staff_page(request, budget, override_form=form, status=400)


@officer_required
@require_POST
def staff_results_publish(request, pk: int):
    """POST staff/budgets/<pk>/publish: publish the budget's latest computed results."""
    budget = _budget_for(request.user, pk)
    run = (
        ResultRun.objects.filter(budget=budget, status=RunStatus.DONE)
        .order_by("-created_at", "-pk")
        .first()
    )
    wanted = request.POST.get("run", "")
    if run is None or (wanted and str(run.pk) != wanted):
        messages.error(
            request, _("Publish the latest computed results: compute them first, or reload.")
        )
    else:
        services.results_publish(run=run, by=request.user)
        messages.success(request, _("The results are published."))
    return redirect("budgeting:staff-results", budget.pk)


@officer_required
@require_http_methods(["GET", "POST"])
def staff_replay(request):
    """GET/POST staff/replay/: read a pabulib file and compute its winners by both rules."""
    from budgeting.pabulib import PabulibError

    form = ReplayForm(request.POST or None, request.FILES or None)
    replayed = None
    refusal = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                replayed = services.replay(
                    form.cleaned_data["file"], compare=form.cleaned_data["compare"]
                )
            except PabulibError as error:
                refusal = _("Line %(line)s: %(message)s") % {
                    "line": getattr(error, "line", "?"),
                    "message": getattr(error, "message", str(error)),
                }
                status = 400
            except ValueError as error:
                refusal = str(error)
                status = 400
        else:
            status = 400
    return render(
        request,
        "budgeting/results/replay.html",
        {
            "form": form,
            "replayed": replayed,
            "refusal": refusal,
            "file_name": getattr(request.FILES.get("file"), "name", ""),
            "staff_home_url": _link("budgeting:staff-home"),
            "page": "budgeting",
        },
        status=status,
    )


def public_results(request, municipality: str, cycle: str):
    """GET /budgeting/<municipality>/<cycle>/results/: the cycle's published results."""
    found = (
        Cycle.objects.select_related("municipality")
        .defer("municipality__boundary")
        .filter(municipality__code=municipality, slug=cycle)
        .first()
    )
    if found is None:
        raise Http404(_("There is no such budget cycle."))
    sections = []
    all_rows = []
    for budget in found.budgets.select_related("district").defer("district__boundary"):
        run = services.published_run(budget)
        if run is None:
            continue
        compared = services.comparison(run)
        all_rows.extend(compared.rows)
        sections.append(
            {
                "budget": budget,
                "compared": compared,
                "election_url": reverse("budgeting-api:election", args=[budget.pk]),
            }
        )
    if not sections:
        raise Http404(_("The results of this cycle are not published yet."))
    return render(
        request,
        "budgeting/results/public.html",
        {
            "cycle": found,
            "sections": sections,
            "winner_rule": Rule(found.winner_rule).label,
            "config": _map_config(all_rows),
            "cycle_url": _link("budgeting:cycle", found.municipality.code, found.slug),
            "page": "budgeting",
        },
    )
