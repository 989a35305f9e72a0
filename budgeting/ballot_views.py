"""The resident's ballot pages, under /{lang}/budgeting/<municipality>/<cycle>/vote/:

- `vote`: verify the account against the cycle's voter list (personal number and year of
  birth), then the ballots the list's district gives: that district's budget and the city-wide
  one, each with its state;
- `ballot`: the projects of a budget on a map and in a list of checkboxes, with the money
  chosen and remaining; a plain form that saves a draft ("Save") or checks out ("Check out"),
  which static/budgeting/ballot.js makes live through the ballot API;
- `ballot-checkout`: check the choice against the rules and count it;
- `ballot-done`: the confirmation, with the code and the close.

Signed-in residents with a verified e-mail only. A budget of another district is refused with
the reason; outside the voting phase the ballot says when it opens or that it closed.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgeting import ballots, cycles
from budgeting.ballot_forms import ChoiceForm, VerifyForm
from budgeting.models import Ballot, BallotStatus, Budget, Cycle, Phase, Voter

# The colours of the map: a project not chosen, and one chosen.
COLOUR_OPEN = "#0f4c81"
COLOUR_CHOSEN = "#e07a1f"


def _link(name: str, *args) -> str | None:
    """The address of a budgeting page, or None where the portal has no such page."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _cycle(municipality: str, slug: str) -> Cycle:
    return get_object_or_404(
        Cycle.objects.select_related("municipality").prefetch_related("phases"),
        municipality__code=municipality,
        slug=slug,
    )


def _budget(cycle: Cycle, pk: int) -> Budget:
    budget = get_object_or_404(
        Budget.objects.select_related("district", "cycle"), pk=pk, cycle=cycle
    )
    budget.cycle = cycle  # with its phases, prefetched
    return budget


def has_verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _refusal(request, cycle: Cycle, message: str, status: int = 403):
    return render(
        request,
        "budgeting/ballots/refused.html",
        {"cycle": cycle, "message": message, "page": "budgeting"},
        status=status,
    )


def _resident(request, cycle: Cycle):
    """None when the request may go on, or the answer that stops it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_verified_email(request.user):
        return _refusal(
            request,
            cycle,
            _(
                "Only residents with a verified e-mail address can vote. Confirm your address "
                "from the message we sent you, then come back."
            ),
        )
    return None


def voting_state(cycle: Cycle) -> dict:
    """Where the voting is: open, not yet open or closed, with its dates."""
    phase = cycles.phase_of(cycle, Phase.BALLOTING)
    now = timezone.now()
    if phase is None:
        state = "none"
    elif now < phase.starts_at:
        state = "before"
    elif now >= phase.ends_at:
        state = "closed"
    else:
        state = "open"
    return {
        "state": state,
        "opens": phase.starts_at if phase else None,
        "closes": phase.ends_at if phase else None,
    }


def vote(request, municipality: str, cycle: str):
    """GET/POST /{lang}/budgeting/<municipality>/<cycle>/vote/: verify, then choose a ballot."""
    found = _cycle(municipality, cycle)
    stop = _resident(request, found)
    if stop is not None:
        return stop
    voter = ballots.voter_of(found, request.user)
    form = None
    status = 200
    if voter is None:
        form = VerifyForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    ballots.voter_verify(
                        cycle=found,
                        user=request.user,
                        number=form.cleaned_data["number"],
                        birth_year=form.cleaned_data["birth_year"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("You are verified: choose your ballot."))
                    return redirect("budgeting:vote", municipality, cycle)
            status = 400
    entries = []
    if voter is not None:
        own = {
            b.budget_id: b for b in Ballot.objects.filter(cycle=found, person_key=voter.person_key)
        }
        for budget in ballots.budgets_of(voter):
            entries.append({"budget": budget, "ballot": own.get(budget.pk)})
    return render(
        request,
        "budgeting/ballots/vote.html",
        {
            "cycle": found,
            "voter": voter,
            "form": form,
            "entries": entries,
            "voting": voting_state(found),
            "cycle_url": _link("budgeting:cycle", found.municipality.code, found.slug),
            "page": "budgeting",
        },
        status=status,
    )


def _voter_for(request, cycle: Cycle, budget: Budget):
    """The request's voter for this budget, or the answer that refuses it."""
    stop = _resident(request, cycle)
    if stop is not None:
        return None, stop
    voter = ballots.voter_of(cycle, request.user)
    if voter is None:
        messages.info(request, _("First confirm that you are on the voter list."))
        return None, redirect("budgeting:vote", cycle.municipality.code, cycle.slug)
    try:
        ballots.check_may_vote_in(voter, budget)
    except ValidationError as error:
        return None, _refusal(request, cycle, error.messages[0])
    return voter, None


def _features(project, chosen: bool) -> list[dict]:
    """The project's marker, and its area when it covers one; both carry the project's id, so
    that one feature state marks them chosen together."""
    properties = {
        "id": project.pk,
        "reference": project.reference,
        "title": project.title,
        "cost": project.cost,
        "chosen": chosen,
    }
    shapes = [project.area, project.location] if project.area else [project.location]
    return [
        {
            "type": "Feature",
            "id": project.pk,
            "geometry": json.loads(shape.transform(4326, clone=True).geojson),
            "properties": properties,
        }
        for shape in shapes
    ]


def _bbox(budget: Budget) -> list[float]:
    """The extent of the budget's district (or of the municipality, for a city-wide budget),
    where the map opens when the ballot has no project to fit."""
    shape = budget.district.boundary if budget.district_id else budget.cycle.municipality.boundary
    return list(shape.envelope.transform(4326, clone=True).extent)


def ballot_context(
    request, *, cycle: Cycle, budget: Budget, voter: Voter, chosen: list[int] | None = None
) -> dict:
    """What the ballot page shows: the projects with the choice (the one given, or the stored
    ballot's), the money chosen and remaining, the rule and the state of the voting."""
    ballot = ballots.ballot_of(voter, budget)
    if chosen is None:
        chosen = list(ballot.projects) if ballot else []
    projects = list(ballots.ballot_projects(budget))
    chosen_set = set(chosen)
    for project in projects:
        project.chosen = project.pk in chosen_set
        project.url = _link("budgeting:proposal", project.reference)
    total = sum(p.cost for p in projects if p.chosen)
    voting = voting_state(cycle)
    api = reverse("budgeting-api:ballot", args=[budget.pk])
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
        "bbox": None if projects else _bbox(budget),
        "projects": {
            "type": "FeatureCollection",
            "features": [f for p in projects for f in _features(p, p.chosen)],
        },
        "api": api,
        "checkoutApi": reverse("budgeting-api:ballot-checkout", args=[budget.pk]),
        "language": get_language(),
        "amount": budget.amount,
        "kind": cycle.ballot_kind,
        "minShare": cycle.min_share_percent,
        "minProjects": cycle.min_projects,
        "maxProjects": cycle.max_projects,
        "status": ballot.status if ballot else None,
        "open": voting["state"] == "open",
        "colours": {"open": COLOUR_OPEN, "chosen": COLOUR_CHOSEN},
    }
    return {
        "cycle": cycle,
        "budget": budget,
        "voter": voter,
        "ballot": ballot,
        "projects": projects,
        "total": total,
        "remaining": budget.amount - total,
        "over": total > budget.amount,
        "count": len(chosen_set),
        "rule": ballots.rule_summary(cycle, budget),
        "uses_money": cycle.ballot_kind != "approval",
        "voting": voting,
        "config": config,
        "page": "budgeting",
    }


def ballot(request, municipality: str, cycle: str, budget: int):
    """GET/POST /{lang}/budgeting/<municipality>/<cycle>/vote/<budget>/: the ballot; a POST
    saves the choice as a draft."""
    found = _cycle(municipality, cycle)
    chosen_budget = _budget(found, budget)
    voter, stop = _voter_for(request, found, chosen_budget)
    if stop is not None:
        return stop
    if request.method == "POST":
        chosen, form = _posted_choice(request, chosen_budget)
        try:
            if form is None:
                raise ValidationError(_("A project of the ballot is not a number."))
            ballots.ballot_save_draft(
                voter=voter, budget=chosen_budget, proposal_ids=chosen, user=request.user
            )
        except ValidationError as error:
            context = ballot_context(
                request, cycle=found, budget=chosen_budget, voter=voter, chosen=chosen
            )
            context["error"] = error.messages[0]
            return render(request, "budgeting/ballots/ballot.html", context, status=400)
        messages.success(
            request,
            _("Your choice is saved. It counts only once you check it out."),
        )
        return redirect("budgeting:ballot", municipality, cycle, budget)
    context = ballot_context(request, cycle=found, budget=chosen_budget, voter=voter)
    return render(request, "budgeting/ballots/ballot.html", context)


def _posted_choice(request, budget: Budget) -> tuple[list[int], ChoiceForm | None]:
    form = ChoiceForm(request.POST, projects=ballots.ballot_projects(budget))
    values = request.POST.getlist("projects")
    try:
        chosen = [int(v) for v in values]
    except ValueError:
        return [], None
    return chosen, form


@require_POST
def ballot_checkout(request, municipality: str, cycle: str, budget: int):
    """POST /{lang}/budgeting/<municipality>/<cycle>/vote/<budget>/checkout: count the ballot."""
    found = _cycle(municipality, cycle)
    chosen_budget = _budget(found, budget)
    voter, stop = _voter_for(request, found, chosen_budget)
    if stop is not None:
        return stop
    chosen, form = _posted_choice(request, chosen_budget)
    try:
        if form is None:
            raise ValidationError(_("A project of the ballot is not a number."))
        ballots.ballot_checkout(
            voter=voter, budget=chosen_budget, proposal_ids=chosen, user=request.user
        )
    except ValidationError as error:
        context = ballot_context(
            request, cycle=found, budget=chosen_budget, voter=voter, chosen=chosen
        )
        context["error"] = error.messages[0]
        return render(request, "budgeting/ballots/ballot.html", context, status=400)
    return redirect("budgeting:ballot-done", municipality, cycle, budget)


def ballot_done(request, municipality: str, cycle: str, budget: int):
    """GET /{lang}/budgeting/<municipality>/<cycle>/vote/<budget>/done: the confirmation."""
    found = _cycle(municipality, cycle)
    chosen_budget = _budget(found, budget)
    voter, stop = _voter_for(request, found, chosen_budget)
    if stop is not None:
        return stop
    counted = ballots.ballot_of(voter, chosen_budget)
    if counted is None or counted.status != BallotStatus.CHECKED_OUT:
        raise Http404(_("You have not checked out a ballot in this budget."))
    by_id = {p.pk: p for p in ballots.ballot_projects(chosen_budget)}
    chosen = [by_id[pk] for pk in counted.projects if pk in by_id]
    for project in chosen:
        project.url = _link("budgeting:proposal", project.reference)
    return render(
        request,
        "budgeting/ballots/done.html",
        {
            "cycle": found,
            "budget": chosen_budget,
            "ballot": counted,
            "chosen": chosen,
            "voting": voting_state(found),
            "page": "budgeting",
        },
    )
