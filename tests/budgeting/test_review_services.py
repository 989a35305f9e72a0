"""The review of proposals: feasible with a bounded price or not feasible with a reason, a move
to another budget, no change once the voting opens, and the merge of duplicates with their
supports and followers; each decision told to the authors."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError

from budgeting.models import Phase, Proposal, ProposalStatus, Support
from budgeting.review import proposal_merge, proposal_review
from engagement.models import Follow, FollowKind, Notification
from tests.budgeting.review_factories import *  # noqa: F403  (its fixtures)
from tests.budgeting.review_factories import set_phase
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notify_at_once(settings):
    settings.NOTIFY_SYNC = True


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_feasible_review_sets_the_price_and_tells_the_author(world):
    park = world["park"]
    proposal_review(proposal=park, feasible=True, cost=120_000, by=world["officer"])
    park.refresh_from_db()
    assert park.status == ProposalStatus.FEASIBLE
    assert park.cost == 120_000
    assert park.reviewed_by == world["officer"]
    assert park.on_ballot
    notice = Notification.objects.get(recipient=world["author"], kind="budgeting_reviewed")
    assert park.reference in notice.subject
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["author@example.org"]
    assert "120000" in mail.outbox[0].body


def test_unfeasible_review_needs_a_reason_in_georgian(world):
    park = world["park"]
    with pytest.raises(ValidationError) as refused:
        proposal_review(
            proposal=park, feasible=False, reason_en="On private land", by=world["officer"]
        )
    assert codes(refused.value) == {"reason_ka": ["required"]}
    park.refresh_from_db()
    assert park.status == ProposalStatus.SUBMITTED
    assert not Notification.objects.exists()


def test_unfeasible_review_keeps_the_reason_and_clears_the_price(world):
    park = world["park"]
    proposal_review(proposal=park, feasible=True, cost=100_000, by=world["officer"])
    proposal_review(
        proposal=park,
        feasible=False,
        reason_ka="კერძო მიწაზეა",
        reason_en="It is on private land",
        by=world["officer"],
    )
    park.refresh_from_db()
    assert park.status == ProposalStatus.UNFEASIBLE
    assert park.cost is None
    assert park.review_reason_ka == "კერძო მიწაზეა"
    assert Notification.objects.filter(kind="budgeting_reviewed").count() == 2


@pytest.mark.parametrize("cost", [None, 0, -5, 400_001])
def test_a_feasible_price_is_more_than_nothing_and_at_most_the_budget(world, cost):
    with pytest.raises(ValidationError) as refused:
        proposal_review(proposal=world["park"], feasible=True, cost=cost, by=world["officer"])
    assert "cost" in refused.value.error_dict


def test_the_whole_budget_is_the_highest_price(world):
    proposal_review(proposal=world["park"], feasible=True, cost=400_000, by=world["officer"])
    assert Proposal.objects.get(pk=world["park"].pk).cost == 400_000


def test_the_price_is_bounded_by_the_budget_it_moves_to(world, english_messages):
    with pytest.raises(ValidationError) as refused:
        proposal_review(
            proposal=world["park"],
            feasible=True,
            cost=350_000,
            budget=world["east"],
            by=world["officer"],
        )
    assert "East budget (300000 GEL)" in refused.value.message_dict["cost"][0]


def test_a_review_moves_the_proposal_to_another_budget_of_its_cycle(world):
    proposal_review(
        proposal=world["park"],
        feasible=True,
        cost=90_000,
        budget=world["citywide"],
        by=world["officer"],
    )
    assert Proposal.objects.get(pk=world["park"].pk).budget == world["citywide"]


def test_a_review_does_not_move_a_proposal_to_another_cycle(world, rustavi):
    from budgeting.models import Budget, Cycle

    other = Cycle.objects.create(municipality=rustavi, slug="pb-2028", name_ka="2028")
    foreign = Budget.objects.create(municipality=rustavi, cycle=other, name_ka="სხვა", amount=10**6)
    with pytest.raises(ValidationError) as refused:
        proposal_review(
            proposal=world["park"], feasible=True, cost=1000, budget=foreign, by=world["officer"]
        )
    assert "budget" in refused.value.error_dict


@pytest.mark.parametrize("phase", [Phase.SUPPORTING, Phase.VALUATING, Phase.PUBLISHING_PRICES])
def test_a_proposal_is_reviewed_again_before_the_voting(world, phase):
    set_phase(world["cycle"], phase)
    proposal_review(proposal=world["park"], feasible=True, cost=100_000, by=world["officer"])
    proposal_review(proposal=world["park"], feasible=True, cost=110_000, by=world["officer"])
    assert Proposal.objects.get(pk=world["park"].pk).cost == 110_000


@pytest.mark.parametrize("phase", [Phase.BALLOTING, Phase.REVIEWING_BALLOTS, Phase.FINISHED])
def test_a_review_is_refused_once_the_voting_opens(world, phase, english_messages):
    proposal_review(proposal=world["park"], feasible=True, cost=100_000, by=world["officer"])
    set_phase(world["cycle"], phase)
    with pytest.raises(ValidationError) as refused:
        proposal_review(proposal=world["park"], feasible=True, cost=10, by=world["officer"])
    assert refused.value.code == "voting_open"
    assert "fixed once voting opens" in refused.value.messages[0]
    assert Proposal.objects.get(pk=world["park"].pk).cost == 100_000


def test_a_review_is_refused_when_the_voting_phase_is_switched_off_and_a_later_one_runs(world):
    cycle = world["cycle"]
    set_phase(cycle, Phase.REVIEWING_BALLOTS)
    cycle.phases.filter(kind=Phase.BALLOTING).update(enabled=False)
    with pytest.raises(ValidationError):
        proposal_review(proposal=world["park"], feasible=True, cost=10, by=world["officer"])


# --- Merging duplicates ---------------------------------------------------------------------


def support(proposal, user):
    Support.objects.create(municipality=proposal.municipality, proposal=proposal, user=user)
    proposal.supports = proposal.support_rows.count()
    proposal.save(update_fields=["supports"])


def test_merge_carries_the_supports_and_counts_a_person_who_supported_both_once(world):
    keep, duplicate = world["park"], world["park_again"]
    both, only_keep, only_duplicate = UserFactory(), UserFactory(), UserFactory()
    for user in (both, only_keep):
        support(keep, user)
    for user in (both, only_duplicate):
        support(duplicate, user)

    proposal_merge(duplicate=duplicate, keep=keep, by=world["officer"], note_ka="იგივე პარკი")

    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == ProposalStatus.MERGED
    assert duplicate.merged_into == keep
    assert duplicate.review_reason_ka == "იგივე პარკი"
    assert set(keep.support_rows.values_list("user_id", flat=True)) == {
        both.pk,
        only_keep.pk,
        only_duplicate.pk,
    }
    assert keep.supports == 3
    assert duplicate.supports == 0
    assert not duplicate.support_rows.exists()


def test_merge_makes_the_followers_follow_the_kept_proposal(world):
    keep, duplicate = world["park"], world["park_again"]
    on_map, on_object, already = UserFactory(), UserFactory(), UserFactory()
    proposal_type = ContentType.objects.get_for_model(Proposal)
    Follow.objects.create(
        user=on_map,
        kind=FollowKind.FEATURE,
        layer="budgeting-proposals",
        feature_id=str(duplicate.pk),
    )
    Follow.objects.create(
        user=on_object,
        kind=FollowKind.OBJECT,
        content_type=proposal_type,
        object_id=str(duplicate.pk),
    )
    for proposal in (keep, duplicate):
        Follow.objects.create(
            user=already,
            kind=FollowKind.FEATURE,
            layer="budgeting-proposals",
            feature_id=str(proposal.pk),
        )

    proposal_merge(duplicate=duplicate, keep=keep, by=world["officer"])

    assert set(
        Follow.objects.of_feature("budgeting-proposals", keep.pk).values_list("user_id", flat=True)
    ) == {on_map.pk, already.pk}
    assert list(Follow.objects.of_object(keep).values_list("user_id", flat=True)) == [on_object.pk]


def test_merge_tells_both_authors(world):
    keep, duplicate = world["park"], world["park_again"]
    proposal_merge(duplicate=duplicate, keep=keep, by=world["officer"])
    told = Notification.objects.filter(kind="budgeting_merged")
    assert set(told.values_list("recipient_id", flat=True)) == {
        world["author"].pk,
        world["other_author"].pk,
    }
    assert {m.to[0] for m in mail.outbox} == {"author@example.org", "other@example.org"}
    to_duplicate = told.get(recipient=world["other_author"])
    assert keep.reference in to_duplicate.body
    assert to_duplicate.url.endswith(f"/{keep.reference}/")


def test_a_merged_proposal_is_neither_merged_again_nor_reviewed(world):
    keep, duplicate = world["park"], world["park_again"]
    proposal_merge(duplicate=duplicate, keep=keep, by=world["officer"])
    with pytest.raises(ValidationError) as again:
        proposal_merge(duplicate=duplicate, keep=world["lights"], by=world["officer"])
    assert again.value.code == "merged"
    with pytest.raises(ValidationError) as review:
        proposal_review(proposal=duplicate, feasible=True, cost=1000, by=world["officer"])
    assert review.value.code == "merged"
    with pytest.raises(ValidationError) as into_merged:
        proposal_merge(duplicate=world["lights"], keep=duplicate, by=world["officer"])
    assert "keep" in into_merged.value.error_dict


def test_merge_is_refused_across_budgets_and_into_itself(world):
    with pytest.raises(ValidationError) as other_budget:
        proposal_merge(duplicate=world["park"], keep=world["square"], by=world["officer"])
    assert "keep" in other_budget.value.error_dict
    with pytest.raises(ValidationError):
        proposal_merge(duplicate=world["park"], keep=world["park"], by=world["officer"])


def test_proposals_merged_into_a_duplicate_follow_it_into_the_kept_one(world):
    earlier = world["lights"]
    proposal_merge(duplicate=earlier, keep=world["park_again"], by=world["officer"])
    proposal_merge(duplicate=world["park_again"], keep=world["park"], by=world["officer"])
    assert Proposal.objects.get(pk=earlier.pk).merged_into == world["park"]


def test_merge_is_refused_once_the_voting_opens(world):
    set_phase(world["cycle"], Phase.BALLOTING)
    with pytest.raises(ValidationError) as refused:
        proposal_merge(duplicate=world["park_again"], keep=world["park"], by=world["officer"])
    assert refused.value.code == "voting_open"
