"""The pabulib format: a real published election, a round trip through the official checker,
and malformed files refused with their line named."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from budgeting.outcomes import Election, equal_shares, greedy
from budgeting.pabulib import PabulibError, election_from, parse, write

pytest.importorskip("pabutools")
checker_module = pytest.importorskip("pabulib.checker")

from pabutools.election.pabulib import parse_pabulib_from_string  # noqa: E402

from tests.budgeting.test_outcomes import pabutools_greedy, pabutools_mes  # noqa: E402

DATA = Path(__file__).parent / "data"
WARSAW = DATA / "poland_warszawa_2017_plac-wojska-polskiego.pb"


def same_winners_as_pabutools(text: str) -> Election:
    election = election_from(parse(text))
    instance, profile = parse_pabulib_from_string(text)
    assert list(greedy(election).winners) == pabutools_greedy(instance, profile)
    assert list(equal_shares(election).winners) == pabutools_mes(instance, profile)
    return election


def test_a_published_election_is_read_and_replayed():
    text = WARSAW.read_text(encoding="utf-8")
    f = parse(text)
    assert f.meta["unit"] == "Warszawa"
    assert f.meta_lines["budget"] == 11
    assert list(f.projects) == ["427", "915", "2567", "1623"]
    assert f.projects["427"]["name"] == "Akademia Szkraba"
    assert len(f.votes) == 27
    assert f.vote_lines[0] == 28
    election = same_winners_as_pabutools(text)
    assert election.budget == 51195
    assert election.costs["1623"] == 2900
    assert sum("427" in b for b in election.ballots) == 16
    # the file's own "selected" column, by the greedy rule, is what we compute
    selected = {pid for pid, p in f.projects.items() if p["selected"] == "1"}
    assert set(greedy(election).winners) == selected


def generated(seed: int, voters: int = 40):
    rng = random.Random(seed)
    ids = [str(i) for i in range(1, 13)]
    costs = {p: rng.choice([1000, 2500, 4000, 4000, 7000]) for p in ids}
    ballots = []
    for _ in range(voters):
        chosen, spent = [], 0
        for p in rng.sample(ids, len(ids)):
            if spent + costs[p] <= 12000 and rng.random() < 0.5:
                chosen.append(p)
                spent += costs[p]
        ballots.append(chosen)
    return Election(20000, costs, ballots)


def file_of(election: Election) -> str:
    winners = set(greedy(election).winners)
    votes = {p: sum(p in b for b in election.ballots) for p in election.costs}
    order = sorted(election.costs, key=lambda p: (-votes[p], p))
    meta = {
        "description": 'Rustavi; district 1 "Old town"',
        "country": "Georgia",
        "unit": "Rustavi",
        "district": "Old town",
        "instance": "2026",
        "budget": election.budget,
        "vote_type": "approval",
        "rule": "greedy",
        "date_begin": "01.06.2026",
        "date_end": "30.06.2026",
        "max_sum_cost": 12000,
        "language": "ka",
        "currency": "GEL",
    }
    projects = [
        {
            "project_id": p,
            "cost": election.costs[p],
            "votes": votes[p],
            "name": f"Project {p}; with a semicolon",
            "category": ["parks", "streets"] if int(p) % 2 else None,
            "selected": int(p in winners),
            "latitude": 41.55 + int(p) / 1000,
            "longitude": 45.0 + int(p) / 1000,
        }
        for p in order
    ]
    ballots = [
        {"voter_id": str(i + 1), "vote": sorted(b, key=int), "voting_method": "internet"}
        for i, b in enumerate(election.ballots)
    ]
    return write(meta, projects, ballots)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_round_trip_through_the_official_checker(seed, capsys):
    election = generated(seed)
    text = file_of(election)
    results = checker_module.Checker().process_files([text])
    report = results[1]["results"]
    assert not report.get("errors"), report
    again = same_winners_as_pabutools(text)
    assert again.budget == election.budget
    assert again.costs == election.costs
    assert [set(b) for b in again.ballots] == [set(b) for b in election.ballots]
    assert greedy(again).winners == greedy(election).winners
    assert equal_shares(again).winners == equal_shares(election).winners


def test_write_refuses_fields_pabulib_does_not_know():
    with pytest.raises(ValueError, match="colour"):
        write({"budget": 1}, [{"project_id": "1", "cost": 1, "colour": "red"}], [])


GOOD = """META
key;value
budget;100
vote_type;approval
max_sum_cost;100
PROJECTS
project_id;cost;name
1;50;Park
2;40;Lane
VOTES
voter_id;vote
a;1
b;2,1
"""


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def replace_line(number: int, new: str) -> str:
    lines = lines_of(GOOD)
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def test_the_good_file_parses():
    f = parse(GOOD)
    assert election_from(f) == Election(
        100, {"1": 50, "2": 40}, [frozenset({"1"}), frozenset({"1", "2"})]
    )


MALFORMED = [
    ("budget;100\n" + GOOD, 1, "must start with the META section"),
    (replace_line(8, "1;50"), 8, "has 2 fields where the header has 3"),
    (replace_line(12, "a;3"), 12, "project 3, which is not in PROJECTS"),
    (replace_line(8, "1;fifty;Park"), 8, "not a number: fifty"),
    (replace_line(8, "1;0;Park"), 8, "positive whole amount"),
    (replace_line(9, "1;40;Lane"), 9, "project 1 appears a second time"),
    (replace_line(13, "a;2"), 13, "voter a voted already, on line 12"),
    (replace_line(3, "currency;GEL"), 6, "META has no budget"),
    (replace_line(3, "budget;a lot"), 3, "budget is not a number"),
    (replace_line(13, "b;1,1"), 13, "names a project twice"),
    (replace_line(13, "b;1,2;x"), 13, "has 3 fields where the header has 2"),
    (GOOD.replace("VOTES\nvoter_id;vote\na;1\nb;2,1\n", ""), 10, "section VOTES is missing"),
    (
        GOOD.replace("max_sum_cost;100", "max_sum_cost;80"),
        13,
        "costs 90, more than the 80 a voter may spend",
    ),
    (replace_line(11, "voter;vote"), 11, "must start with voter_id"),
    (replace_line(7, "project_id;price;name"), 7, "has no cost column"),
    (replace_line(6, "VOTES"), 6, "VOTES must come after PROJECTS"),
    (replace_line(9, '2;40;"Lane'), 9, "quoted field is not closed"),
    (GOOD + "PROJECTS\n", 14, "PROJECTS appears a second time"),
    (replace_line(4, "vote_type;approval\nnum_votes;3"), 5, "num_votes is 3 but the file has 2"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_a_malformed_file_is_refused_with_its_line(text, line, fragment, english_messages):
    with pytest.raises(PabulibError) as caught:
        parse(text)
    assert caught.value.line == line, str(caught.value)
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"Line {line}: ")


def test_other_vote_types_are_refused_when_counting(english_messages):
    f = parse(GOOD.replace("vote_type;approval", "vote_type;cumulative"))
    with pytest.raises(PabulibError) as caught:
        election_from(f)
    assert caught.value.line == 4
    assert "cumulative" in caught.value.message
