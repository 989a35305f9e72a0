"""Paper ballots: each sheet entered by two officers on their own; agreeing entries make one
counted ballot of the paper channel, disagreeing ones wait for a third look."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from budgeting import paper
from budgeting.ballots import ballot_checkout, counted_ballots
from budgeting.models import (
    Ballot,
    BallotStatus,
    Channel,
    PaperEntryStatus,
    Phase,
    Voter,
)
from budgeting.voters import person_key
from tests.budgeting.review_factories import *  # noqa: F403  (its fixtures)
from tests.budgeting.review_factories import (
    EAST_RESIDENT,
    NOT_ON_LIST,
    WEST_RESIDENT,
    WEST_RESIDENT_2,
    make_feasible,
    set_phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(world):
    make_feasible(world["park"], 150_000)
    make_feasible(world["park_again"], 100_000)
    make_feasible(world["lights"], 80_000)
    set_phase(world["cycle"], Phase.BALLOTING)
    return world


def enter(world, officer, *, sheet="A-1", number=WEST_RESIDENT, projects=("park",), budget="west"):
    return paper.enter(
        budget=world[budget],
        sheet=sheet,
        personal_number=number,
        proposal_ids=[world[name].pk for name in projects],
        by=world[officer],
    )


def field_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_two_agreeing_entries_count_one_paper_ballot(voting):
    first = enter(voting, "officer", projects=("park", "lights"))
    assert first.status == PaperEntryStatus.WAITING
    assert first.person_masked == "01•••••••01"
    assert not Ballot.objects.exists()

    second = enter(voting, "second", sheet=" a-1 ", projects=("lights", "park"))

    first.refresh_from_db()
    assert second.status == first.status == PaperEntryStatus.MATCHED
    ballot = counted_ballots(voting["west"]).get()
    assert ballot.channel == Channel.PAPER
    assert ballot.person_key == person_key(WEST_RESIDENT)
    assert sorted(ballot.projects) == sorted([voting["park"].pk, voting["lights"].pk])
    assert ballot.total == 230_000
    assert first.ballot == second.ballot == ballot
    voting["cycle"].refresh_from_db()
    assert voting["cycle"].rules_locked


def test_disagreeing_entries_wait_for_a_third_look_that_counts_the_right_one(voting):
    first = enter(voting, "officer", projects=("park",))
    second = enter(voting, "second", projects=("lights",))
    first.refresh_from_db()
    assert first.status == second.status == PaperEntryStatus.MISMATCH
    assert not Ballot.objects.exists()

    entries = paper.resolve(
        entry=first, chosen=second, note="Lights are marked", by=voting["third"]
    )

    statuses = {e.pk: e.status for e in entries}
    assert statuses == {first.pk: PaperEntryStatus.REFUSED, second.pk: PaperEntryStatus.MATCHED}
    ballot = counted_ballots(voting["west"]).get()
    assert ballot.projects == [voting["lights"].pk]
    second.refresh_from_db()
    assert second.ballot == ballot
    assert second.note == "Lights are marked"


def test_a_third_look_may_refuse_the_sheet_with_a_note(voting):
    first = enter(voting, "officer", projects=("park",))
    enter(voting, "second", projects=("lights",))
    with pytest.raises(ValidationError) as no_note:
        paper.resolve(entry=first, chosen=None, note=" ", by=voting["third"])
    assert field_codes(no_note.value) == {"note": ["required"]}

    entries = paper.resolve(entry=first, chosen=None, note="Two crosses", by=voting["third"])

    assert {e.status for e in entries} == {PaperEntryStatus.REFUSED}
    assert not Ballot.objects.exists()
    with pytest.raises(ValidationError) as closed:
        enter(voting, "third")
    assert field_codes(closed.value) == {"sheet": ["refused"]}


def test_an_officer_who_entered_the_sheet_does_not_resolve_it(voting):
    first = enter(voting, "officer", projects=("park",))
    second = enter(voting, "second", projects=("lights",))
    with pytest.raises(ValidationError) as refused:
        paper.resolve(entry=first, chosen=second, note="mine", by=voting["second"])
    assert refused.value.code == "same_officer"


def test_a_third_look_at_different_persons_needs_the_number_on_the_sheet(voting):
    first = enter(voting, "officer", number=WEST_RESIDENT)
    second = enter(voting, "second", number=WEST_RESIDENT_2)
    with pytest.raises(ValidationError) as missing:
        paper.resolve(entry=first, chosen=second, note="see", by=voting["third"])
    assert "personal_number" in missing.value.error_dict
    with pytest.raises(ValidationError) as other:
        paper.resolve(
            entry=first,
            chosen=second,
            note="see",
            personal_number=WEST_RESIDENT,
            by=voting["third"],
        )
    assert field_codes(other.value) == {"personal_number": ["other_person"]}
    paper.resolve(
        entry=first, chosen=second, note="see", personal_number=WEST_RESIDENT_2, by=voting["third"]
    )
    assert counted_ballots(voting["west"]).get().person_key == person_key(WEST_RESIDENT_2)


def test_the_same_officer_cannot_enter_a_sheet_twice(voting):
    enter(voting, "officer")
    with pytest.raises(ValidationError) as refused:
        enter(voting, "officer")
    assert field_codes(refused.value) == {"sheet": ["same_officer"]}


def test_a_counted_sheet_is_not_entered_a_third_time(voting):
    enter(voting, "officer")
    enter(voting, "second")
    with pytest.raises(ValidationError) as refused:
        enter(voting, "third")
    assert field_codes(refused.value) == {"sheet": ["counted"]}
    assert counted_ballots(voting["west"]).count() == 1


def test_a_person_not_on_the_voter_list_is_refused(voting):
    with pytest.raises(ValidationError) as refused:
        enter(voting, "officer", number=NOT_ON_LIST)
    assert field_codes(refused.value) == {"personal_number": ["not_on_list"]}


def test_a_resident_of_another_district_is_refused_but_votes_city_wide(voting):
    with pytest.raises(ValidationError) as refused:
        enter(voting, "officer", number=EAST_RESIDENT)
    assert field_codes(refused.value) == {"personal_number": ["other_district"]}
    make_feasible(voting["square"], 50_000)
    voting["square"].budget = voting["citywide"]
    voting["square"].save(update_fields=["budget"])
    enter(voting, "officer", number=EAST_RESIDENT, budget="citywide", projects=("square",))
    enter(voting, "second", number=EAST_RESIDENT, budget="citywide", projects=("square",))
    assert counted_ballots(voting["citywide"]).count() == 1


def test_a_person_who_voted_online_is_refused(voting):
    voter = Voter.objects.get(person_key=person_key(WEST_RESIDENT))
    ballot_checkout(voter=voter, budget=voting["west"], proposal_ids=[voting["park"].pk], user=None)
    with pytest.raises(ValidationError) as refused:
        enter(voting, "officer")
    assert field_codes(refused.value) == {"personal_number": ["already_counted"]}


def test_a_person_counted_on_another_sheet_is_refused_on_the_second_entry(voting):
    first = enter(voting, "officer")
    enter(voting, "officer", sheet="B-7", projects=("lights",))
    enter(voting, "second", sheet="B-7", projects=("lights",))
    with pytest.raises(ValidationError) as refused:
        enter(voting, "second")
    assert field_codes(refused.value) == {"personal_number": ["already_counted"]}
    first.refresh_from_db()
    assert first.status == PaperEntryStatus.WAITING
    ballot = counted_ballots(voting["west"]).get()
    assert ballot.projects == [voting["lights"].pk]


def test_a_paper_ballot_obeys_the_rules_of_the_ballot(voting):
    with pytest.raises(ValidationError) as too_many:
        enter(voting, "officer", projects=("park", "park_again", "lights"))
    assert field_codes(too_many.value) == {"projects": ["choice"]}
    with pytest.raises(ValidationError) as none:
        enter(voting, "officer", projects=())
    assert "projects" in none.value.error_dict
    with pytest.raises(ValidationError) as other_budget:
        enter(voting, "officer", projects=("square",))
    assert "projects" in other_budget.value.error_dict


def test_a_bad_personal_number_is_refused(voting):
    with pytest.raises(ValidationError) as refused:
        enter(voting, "officer", number="12345")
    assert field_codes(refused.value) == {"personal_number": ["bad_number"]}


@pytest.mark.parametrize("phase", [Phase.SUPPORTING, Phase.FINISHED])
def test_paper_ballots_are_entered_only_while_voting_or_reviewing_ballots(voting, phase):
    set_phase(voting["cycle"], phase)
    with pytest.raises(ValidationError) as refused:
        enter(voting, "officer")
    assert refused.value.code == "not_in_phase"


def test_paper_ballots_are_entered_while_the_ballots_are_reviewed(voting):
    set_phase(voting["cycle"], Phase.REVIEWING_BALLOTS)
    enter(voting, "officer")
    enter(voting, "second")
    assert counted_ballots(voting["west"]).filter(status=BallotStatus.CHECKED_OUT).count() == 1


def test_an_officer_of_another_municipality_enters_nothing(voting):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        enter(voting, "batumi_officer")
