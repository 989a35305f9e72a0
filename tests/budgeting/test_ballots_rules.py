"""The rules of a ballot on hand-made choices: knapsack, knapsack with a number of projects,
approval; projects of another budget, unfeasible or unpriced ones."""

import pytest
from django.core.exceptions import ValidationError

from budgeting.ballots import check_choice
from budgeting.models import BallotKind
from tests.budgeting.ballot_factories import ballot_world, ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(batumi):
    return ballot_world(batumi)


def refused(budget, proposals) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_choice(budget, ids(*proposals))
    return caught.value


def test_knapsack_takes_a_choice_within_the_budget_and_over_the_share(world):
    p = world["projects"]
    chosen, total = check_choice(world["budget"], ids(p["park"], p["lights"]))
    assert chosen == [p["park"], p["lights"]]
    assert total == 350_000


def test_knapsack_refuses_a_choice_over_the_budget_naming_both_sums(world, english_messages):
    p = world["projects"]
    error = refused(world["budget"], [p["park"], p["lights"], p["playground"]])
    assert error.code == "over_budget"
    assert error.messages == ["Your choice costs 462,000 GEL; the budget is 400,000 GEL."]


def test_knapsack_refuses_a_choice_under_the_minimum_share(world, english_messages):
    p = world["projects"]
    error = refused(world["budget"], [p["playground"], p["bench"]])
    assert error.code == "under_min_share"
    assert "142,000 GEL" in error.messages[0]
    assert "70%" in error.messages[0] and "280,000 GEL" in error.messages[0]


def test_knapsack_takes_exactly_the_minimum_share(world):
    p = world["projects"]
    world["cycle"].min_share_percent = 50
    world["cycle"].save()
    world["budget"].refresh_from_db()
    # half of 400,000 GEL is 200,000 GEL: the street lights alone
    chosen, total = check_choice(world["budget"], ids(p["lights"]))
    assert total == 200_000


def test_knapsack_count_needs_the_minimum_number_within_the_budget(world, english_messages):
    p = world["projects"]
    cycle = world["cycle"]
    cycle.ballot_kind, cycle.min_projects = BallotKind.KNAPSACK_COUNT, 3
    cycle.save()
    budget = world["budget"]
    budget.refresh_from_db()
    error = refused(budget, [p["park"], p["bench"]])
    assert error.code == "too_few"
    assert error.messages == ["Too few projects: you chose 2, the minimum is 3."]
    _chosen, total = check_choice(budget, ids(p["park"], p["bench"], p["playground"]))
    assert total == 292_000
    assert refused(budget, [p["park"], p["lights"], p["playground"]]).code == "over_budget"


def test_approval_counts_projects_and_not_money(world, english_messages):
    p = world["projects"]
    cycle = world["cycle"]
    cycle.ballot_kind, cycle.min_projects, cycle.max_projects = BallotKind.APPROVAL, 2, 3
    cycle.save()
    budget = world["budget"]
    budget.refresh_from_db()
    assert refused(budget, [p["park"]]).code == "too_few"
    error = refused(budget, [p["park"], p["lights"], p["playground"], p["bench"]])
    assert error.code == "too_many"
    assert error.messages == ["Too many projects: you chose 4, the maximum is 3."]
    # 462,000 GEL is over the budget, but approval has no money limit
    _chosen, total = check_choice(budget, ids(p["park"], p["lights"], p["playground"]))
    assert total == 462_000


def test_a_project_of_another_district_is_refused(world, english_messages):
    p = world["projects"]
    error = refused(world["budget"], [p["park"], p["lights"], p["seaside"]])
    assert error.code == "other_budget"
    assert "Seaside budget" in error.messages[0] and "Old Town budget" in error.messages[0]


def test_unfeasible_and_unpriced_projects_are_refused(world):
    p = world["projects"]
    assert refused(world["budget"], [p["park"], p["lights"], p["unfeasible"]]).code == (
        "not_on_ballot"
    )
    assert refused(world["budget"], [p["park"], p["lights"], p["unpriced"]]).code == (
        "not_on_ballot"
    )


def test_an_unknown_project_is_refused(world):
    assert refused_ids(world["budget"], [999_999]).code == "unknown_project"


def test_a_project_chosen_twice_counts_once(world):
    p = world["projects"]
    chosen, total = check_choice(world["budget"], ids(p["park"], p["lights"], p["park"]))
    assert total == 350_000 and len(chosen) == 2


def refused_ids(budget, values) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_choice(budget, values)
    return caught.value
