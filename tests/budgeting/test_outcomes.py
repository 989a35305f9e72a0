"""The greedy rule and the Method of Equal Shares with completion, against pabutools.

pabutools is the reference: the greedy rule is its ``greedy_utilitarian_welfare`` with cost
satisfaction, and the Method of Equal Shares is its ``method_of_equal_shares`` with cost
satisfaction and ``voter_budget_increment=1`` completed by that greedy rule through
``completion_by_rule_combination``. Both break ties by project id.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgeting import outcomes
from budgeting.outcomes import Election, equal_shares, greedy

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
    Project,
)
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)


def to_pabutools(election: Election):
    projects = {name: Project(name, cost) for name, cost in election.costs.items()}
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalProfile(
        [ApprovalBallot([projects[p] for p in ballot]) for ballot in election.ballots],
        instance=instance,
    )
    return instance, profile


def pabutools_greedy(instance, profile) -> list[str]:
    return [p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)]


def pabutools_mes(instance, profile) -> list[str]:
    outcome = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return [p.name for p in outcome]


def assert_same_as_pabutools(election: Election) -> None:
    instance, profile = to_pabutools(election)
    assert list(greedy(election).winners) == pabutools_greedy(instance, profile)
    assert list(equal_shares(election).winners) == pabutools_mes(instance, profile)


# -- hand-made elections -----------------------------------------------------------------------

# 6 voters like A, B and C; 4 voters like D and E. The greedy rule spends everything on the
# majority's projects; equal shares gives the minority its 40% of the money.
MAJORITY = Election(
    budget=100,
    costs={"A": 30, "B": 30, "C": 30, "D": 20, "E": 20},
    ballots=[{"A", "B", "C"}] * 6 + [{"D", "E"}] * 4,
)


def test_greedy_takes_the_most_voted_projects_first():
    outcome = greedy(MAJORITY)
    assert outcome.rule == "greedy"
    assert outcome.winners == ("A", "B", "C")
    assert outcome.spent == 90
    assert outcome.reasons["A"].code == "greedy_selected"
    assert outcome.reasons["A"].params["rank"] == 1
    assert outcome.reasons["A"].params["votes"] == 6
    assert outcome.reasons["D"].code == "greedy_no_money"
    assert outcome.reasons["D"].params["money_left"] == 10


def test_equal_shares_gives_the_minority_its_share():
    outcome = equal_shares(MAJORITY)
    assert outcome.rule == "mes"
    assert outcome.winners == ("A", "B", "D", "E")
    assert outcome.spent == 100
    assert outcome.reasons["A"].code == "mes_selected"
    assert outcome.reasons["A"].params["round"] == 1
    assert outcome.reasons["A"].params["max_payment"] == 5
    assert outcome.reasons["D"].code == "mes_selected"
    assert outcome.reasons["C"].code == "mes_unaffordable"
    assert outcome.reasons["C"].params["supporters_money"] == 0
    assert_same_as_pabutools(MAJORITY)


def test_greedy_skips_what_no_longer_fits_and_goes_on():
    election = Election(10, {"a": 6, "b": 5, "c": 4}, [{"a", "b", "c"}, {"a", "b"}, {"a"}])
    outcome = greedy(election)
    assert outcome.winners == ("a", "c")
    assert outcome.reasons["b"].code == "greedy_no_money"
    assert outcome.reasons["b"].params == {"rank": 2, "votes": 2, "cost": 5, "money_left": 4}
    assert_same_as_pabutools(election)


def test_ties_go_to_the_smaller_project_id_as_text():
    # "10" < "9" as text, which is how pabutools orders project names.
    election = Election(10, {"9": 10, "10": 10}, [{"9"}, {"10"}])
    assert greedy(election).winners == ("10",)
    assert equal_shares(election).winners == ("10",)
    assert_same_as_pabutools(election)


def test_projects_nobody_chose():
    election = Election(10, {"a": 5, "b": 3, "z": 20}, [{"a"}, set()])
    g = greedy(election)
    # pabutools' greedy funds an affordable project even without votes.
    assert g.winners == ("a", "b")
    assert g.reasons["z"].code == "no_votes"
    m = equal_shares(election)
    assert m.winners == ("a", "b")
    assert m.reasons["a"].code == "mes_selected"
    assert m.reasons["b"].code == "greedy_completion"
    assert m.reasons["z"].code == "no_votes"
    assert_same_as_pabutools(election)


def test_completion_spends_what_equal_shares_leaves():
    # Four voters with 1 lari each buy w; y and x stay out of reach. With 2 each, x would be
    # bought too and 5 > 4 lari spent, so the share of 1 stands, and the greedy completion buys
    # y (x, with more votes, no longer fits).
    election = Election(4, {"x": 4, "y": 2, "w": 1}, [{"x", "y"}, {"x"}, {"w"}, {"w"}])
    outcome = equal_shares(election)
    assert outcome.winners == ("w", "y")
    assert outcome.reasons["w"].code == "mes_selected"
    assert outcome.reasons["w"].params["voter_share"] == 1
    assert outcome.reasons["y"].code == "greedy_completion"
    assert outcome.reasons["x"].code == "mes_unaffordable"
    assert outcome.reasons["x"].params["supporters_money"] == 2
    assert outcome.reasons["x"].params["money_left"] == 3
    assert_same_as_pabutools(election)


def test_no_ballots_and_no_money():
    assert equal_shares(Election(10, {"a": 5}, [])).winners == ("a",)
    assert greedy(Election(0, {"a": 5}, [{"a"}])).winners == ()
    assert equal_shares(Election(0, {"a": 5}, [{"a"}])).winners == ()
    assert_same_as_pabutools(Election(10, {"a": 5}, []))
    assert_same_as_pabutools(Election(0, {"a": 5}, [{"a"}]))


def test_every_project_gets_a_reason_and_progress_reaches_one():
    seen: list[float] = []
    rng = random.Random(3)
    costs = {f"p{i}": rng.randint(1, 40) for i in range(12)}
    ballots = [set(rng.sample(sorted(costs), rng.randint(0, 5))) for _ in range(80)]
    election = Election(150, costs, ballots)
    for rule in (greedy, equal_shares):
        outcome = rule(election, progress=seen.append)
        assert set(outcome.reasons) == set(costs)
        assert outcome.spent == sum(costs[p] for p in outcome.winners) <= 150
        assert seen[-1] == 1.0
        assert all(0.0 <= f <= 1.0 for f in seen)
    assert_same_as_pabutools(election)


def test_bad_elections_are_refused():
    with pytest.raises(ValueError, match="cost"):
        greedy(Election(10, {"a": 0}, []))
    with pytest.raises(ValueError, match="unknown project"):
        equal_shares(Election(10, {"a": 1}, [{"b"}]))


def test_a_near_tie_is_settled_in_exact_arithmetic():
    # b and c cost the same and have the same supporters, who no longer hold equal money after
    # a is bought: their payments are equal, which only exact arithmetic can confirm.
    election = Election(
        30,
        {"a": 12, "b": 9, "c": 9},
        [{"a", "b", "c"}, {"b", "c"}, {"b", "c"}, {"a"}, {"a"}],
    )
    prep = outcomes._Prepared(election)
    run = outcomes._mes_run(prep, outcomes.Fraction(30, 5))
    assert run.exact_checks > 0
    assert_same_as_pabutools(election)


def test_a_larger_election_with_poor_supporters():
    rng = random.Random(11)
    names = [f"{i}" for i in range(1, 16)]
    costs = {p: rng.choice([100, 150, 200, 250, 400, 700]) for p in names}
    weights = [rng.random() ** 2 for _ in names]
    ballots = [set(rng.choices(names, weights=weights, k=rng.randint(1, 4))) for _ in range(60)]
    assert_same_as_pabutools(Election(1500, costs, ballots))


def tied_elections(seed: int, count: int):
    """Tens of voters, costs from a few values: equal payments after some voters ran short."""
    rng = random.Random(seed)
    for _ in range(count):
        names = [str(i) for i in range(1, rng.randint(3, 10))]
        costs = {p: rng.choice([60, 60, 90, 120]) for p in names}
        ballots = [{p for p in names if rng.random() < 0.3} for _ in range(rng.randint(20, 80))]
        yield Election(rng.randint(100, 400), costs, ballots)


def test_exact_decisions_on_tens_of_voters_agree_with_pabutools(monkeypatch):
    checks = []
    run = outcomes._mes_run

    def counted(prep, b):
        result = run(prep, b)
        checks.append(result.exact_checks)
        return result

    monkeypatch.setattr(outcomes, "_mes_run", counted)
    for election in tied_elections(5, 15):
        assert_same_as_pabutools(election)
    assert sum(checks) > 0  # some decisions needed exact arithmetic


# -- random elections --------------------------------------------------------------------------

IDS = ["1", "2", "9", "10", "11", "a", "b", "B"]


@st.composite
def elections(draw, max_budget: int = 40) -> Election:
    names = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    # few distinct costs make ties between projects likely
    cost_pool = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3))
    costs = {p: draw(st.sampled_from(cost_pool)) for p in names}
    ballots = draw(st.lists(st.frozensets(st.sampled_from(names)), max_size=9))
    budget = draw(st.integers(0, max_budget))
    return Election(budget, costs, ballots)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_greedy_is_pabutools_greedy(election):
    instance, profile = to_pabutools(election)
    assert list(greedy(election).winners) == pabutools_greedy(instance, profile)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_equal_shares_is_pabutools_equal_shares_with_completion(election):
    instance, profile = to_pabutools(election)
    assert list(equal_shares(election).winners) == pabutools_mes(instance, profile)
