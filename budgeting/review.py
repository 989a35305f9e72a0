"""The review of proposals by the budget officers: feasible with the municipality's price, or
not feasible with a reason; a move to another budget; and the merge of a duplicate into the
proposal that is kept. The author is told of each decision.

A proposal may be reviewed again until the voting opens: from then on the ballot's projects
and their prices are fixed, since residents choose among them.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.cycles import current_phase, phase_of
from budgeting.models import PHASE_ORDER, Budget, Cycle, Phase, Proposal, ProposalStatus, Support

# Statuses a review can no longer change.
CLOSED_STATUSES = (ProposalStatus.MERGED, ProposalStatus.WITHDRAWN)
# The longest reason kept (the model's field is a text; the form and the service bound it).
REASON_MAX = 2000

REVIEWED_KIND = "budgeting_reviewed"
MERGED_KIND = "budgeting_merged"


def voting_has_opened(cycle: Cycle, now=None) -> bool:
    """The voting phase has started (or a later one is current, or a ballot exists)."""
    now = now or timezone.now()
    if cycle.rules_locked_at is not None:
        return True
    balloting = phase_of(cycle, Phase.BALLOTING)
    if balloting is not None and now >= balloting.starts_at:
        return True
    current = current_phase(cycle, now)
    return current is not None and PHASE_ORDER.index(current) >= PHASE_ORDER.index(Phase.BALLOTING)


def check_reviewable(proposal: Proposal, now=None) -> None:
    """Refuse a review or merge of a proposal whose decision is no longer open."""
    if proposal.status == ProposalStatus.MERGED:
        raise ValidationError(
            _("This proposal was merged into another one; review the kept proposal instead."),
            code="merged",
        )
    if proposal.status == ProposalStatus.WITHDRAWN:
        raise ValidationError(_("The author withdrew this proposal."), code="withdrawn")
    if voting_has_opened(proposal.cycle, now):
        raise ValidationError(
            _(
                "The voting has opened: the ballot's projects and their prices are fixed once "
                "voting opens, so the review can no longer change."
            ),
            code="voting_open",
        )


def _lock(*pks: int) -> dict[int, Proposal]:
    """The proposals locked for update, in the order of their keys (no deadlock between two
    merges of the same pair)."""
    rows = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("cycle", "budget", "author")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def _check_cost(cost, budget: Budget) -> dict[str, ValidationError]:
    if cost is None:
        return {"cost": ValidationError(_("A feasible project needs its price."), code="required")}
    if isinstance(cost, bool) or not isinstance(cost, int):
        return {"cost": ValidationError(_("The price is a whole number of lari."), code="invalid")}
    if cost <= 0:
        return {"cost": ValidationError(_("The price must be more than 0 GEL."), code="min")}
    if cost > budget.amount:
        return {
            "cost": ValidationError(
                _(
                    "The price is more than all the money of %(budget)s (%(amount)s GEL): no "
                    "ballot could choose it."
                )
                % {"budget": budget.name, "amount": budget.amount},
                code="max",
            )
        }
    return {}


def proposal_path(proposal: Proposal) -> str:
    """The proposal's public page, or its staff page where the portal has no public one."""
    for name in ("budgeting:proposal", "budgeting:staff-proposal"):
        try:
            return reverse(name, args=[proposal.reference])
        except NoReverseMatch:
            continue
    return "/"


def _notify(
    *, kind: str, proposal: Proposal, context: dict, key: str, about: Proposal | None = None
) -> None:
    """Tell the proposal's author, with a link to `about` (by default the proposal)."""
    from engagement.notifications import notify_user

    if proposal.author is None:
        return
    notify_user(
        recipient=proposal.author,
        kind=kind,
        context={"proposal": proposal, **context},
        url=proposal_path(about or proposal),
        municipality=proposal.municipality,
        dedupe_key=key,
    )


@transaction.atomic
def proposal_review(
    *,
    proposal: Proposal,
    feasible: bool,
    cost: int | None = None,
    reason_ka: str = "",
    reason_en: str = "",
    budget: Budget | None = None,
    by,
) -> Proposal:
    """Record the review of a proposal and tell its author.

    Feasible: the price (whole GEL, more than 0, at most the budget's money) makes it a project
    of the ballot. Not feasible: a reason in Georgian is required (and in English if given).
    `budget` moves the proposal to another budget of its cycle.
    """
    proposal = _lock(proposal.pk)[proposal.pk]
    check_reviewable(proposal)
    target = proposal.budget
    if budget is not None and budget.pk != proposal.budget_id:
        target = Budget.objects.filter(pk=budget.pk, cycle_id=proposal.cycle_id).first()
        if target is None:
            raise ValidationError(
                {"budget": _("Choose a budget of this proposal's cycle.")}, code="budget"
            )
    reason_ka, reason_en = (reason_ka or "").strip(), (reason_en or "").strip()
    errors: dict[str, ValidationError] = {}
    if len(reason_ka) > REASON_MAX or len(reason_en) > REASON_MAX:
        errors["reason_ka"] = ValidationError(
            _("A reason has at most %(count)s characters.") % {"count": REASON_MAX},
            code="max_length",
        )
    if feasible:
        errors.update(_check_cost(cost, target))
    elif not reason_ka:
        errors["reason_ka"] = ValidationError(
            _("Say in Georgian why the proposal is not feasible."), code="required"
        )
    if errors:
        raise ValidationError(errors)

    before = (proposal.status, proposal.cost, proposal.budget_id)
    proposal.budget = target
    proposal.status = ProposalStatus.FEASIBLE if feasible else ProposalStatus.UNFEASIBLE
    proposal.cost = cost if feasible else None
    proposal.review_reason_ka = reason_ka
    proposal.review_reason_en = reason_en
    proposal.reviewed_at = timezone.now()
    proposal.reviewed_by = by
    proposal.full_clean()
    proposal.save()
    after = (proposal.status, proposal.cost, proposal.budget_id)
    _notify(
        kind=REVIEWED_KIND,
        proposal=proposal,
        context={"feasible": feasible, "moved": before[2] != after[2], "budget": target},
        key=f"{REVIEWED_KIND}:{proposal.pk}:{int(proposal.reviewed_at.timestamp() * 1000)}",
    )
    return proposal


# --- Merging a duplicate --------------------------------------------------------------------


def merge_candidates(proposal: Proposal):
    """The proposals a duplicate may be merged into: same cycle and budget, still open."""
    return (
        Proposal.objects.filter(cycle_id=proposal.cycle_id, budget_id=proposal.budget_id)
        .exclude(pk=proposal.pk)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("reference")
    )


def _carry_supports(duplicate: Proposal, keep: Proposal) -> int:
    """Move the duplicate's supports to the kept proposal; a person who supported both keeps
    one support (the unique constraint of Support). Returns the supports carried over."""
    already = Support.objects.filter(proposal=keep).values("user_id")
    Support.objects.filter(proposal=duplicate, user_id__in=already).delete()
    carried = Support.objects.filter(proposal=duplicate).update(proposal=keep)
    for row in (duplicate, keep):
        row.supports = Support.objects.filter(proposal=row).count()
    return carried


def _carry_follows(duplicate: Proposal, keep: Proposal) -> int:
    """Those who follow the duplicate (as an object, or as a feature of one of budgeting's
    layers) follow the kept proposal as well. Returns the follows added."""
    from engagement.models import Follow, FollowKind

    added = 0
    for follow in Follow.objects.of_object(duplicate):
        _row, created = Follow.objects.get_or_create(
            user_id=follow.user_id,
            kind=FollowKind.OBJECT,
            content_type=ContentType.objects.get_for_model(Proposal),
            object_id=str(keep.pk),
        )
        added += created
    features = Follow.objects.filter(
        kind=FollowKind.FEATURE, layer__startswith="budgeting", feature_id=str(duplicate.pk)
    )
    for follow in features:
        _row, created = Follow.objects.get_or_create(
            user_id=follow.user_id,
            kind=FollowKind.FEATURE,
            layer=follow.layer,
            feature_id=str(keep.pk),
        )
        added += created
    return added


@transaction.atomic
def proposal_merge(
    *, duplicate: Proposal, keep: Proposal, by, note_ka: str = "", note_en: str = ""
) -> Proposal:
    """Merge a duplicate into the proposal kept: the duplicate's status becomes merged and it
    points to the kept one; its supports and followers go to the kept one; both authors are
    told. Returns the kept proposal."""
    if duplicate.pk == keep.pk:
        raise ValidationError({"keep": _("A proposal cannot be merged into itself.")})
    rows = _lock(duplicate.pk, keep.pk)
    duplicate, keep = rows[duplicate.pk], rows[keep.pk]
    check_reviewable(duplicate)
    if keep.status in CLOSED_STATUSES:
        raise ValidationError(
            {
                "keep": _("%(reference)s was merged or withdrawn: keep an open proposal.")
                % {"reference": keep.reference}
            },
        )
    if keep.cycle_id != duplicate.cycle_id or keep.budget_id != duplicate.budget_id:
        raise ValidationError(
            {"keep": _("Only proposals of the same cycle and budget can be merged.")}
        )
    note_ka, note_en = (note_ka or "").strip(), (note_en or "").strip()
    if len(note_ka) > REASON_MAX or len(note_en) > REASON_MAX:
        raise ValidationError(
            {"note_ka": _("A reason has at most %(count)s characters.") % {"count": REASON_MAX}}
        )

    carried = _carry_supports(duplicate, keep)
    followers = _carry_follows(duplicate, keep)
    # Proposals merged into the duplicate before now point to the one kept.
    Proposal.objects.filter(merged_into=duplicate).update(merged_into=keep)
    now = timezone.now()
    duplicate.status = ProposalStatus.MERGED
    duplicate.merged_into = keep
    duplicate.review_reason_ka = note_ka
    duplicate.review_reason_en = note_en
    duplicate.reviewed_at = now
    duplicate.reviewed_by = by
    duplicate.full_clean()
    duplicate.save()
    keep.save(update_fields=["supports", "updated_at"])

    context = {"duplicate": duplicate, "keep": keep, "carried": carried, "followers": followers}
    stamp = int(now.timestamp())
    _notify(
        kind=MERGED_KIND,
        proposal=duplicate,
        context={**context, "yours_kept": False},
        key=f"{MERGED_KIND}:{duplicate.pk}:{stamp}",
        about=keep,
    )
    if keep.author_id is not None and keep.author_id != duplicate.author_id:
        _notify(
            kind=MERGED_KIND,
            proposal=keep,
            context={**context, "yours_kept": True},
            key=f"{MERGED_KIND}:{duplicate.pk}:kept:{stamp}",
        )
    return keep
