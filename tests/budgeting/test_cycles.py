# ruff: noqa: F811
"""The budget officer's cycles: creation with chained phases, the chain's errors, switching a
phase off, the rules lock, the budgets per district, and who may see these pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from budgeting import cycle_admin, cycles
from budgeting.models import PHASE_ORDER, Ballot, BallotStatus, Budget, Cycle, CyclePhase
from core.models import Role
from tests.budgeting.cycle_factories import (  # noqa: F401 - fixtures
    batumi_officer,
    boulevard,
    citizen,
    cycle,
    rustavi_officer,
)
from tests.core.factories import MembershipFactory, UserFactory

FORM_TIME = "%Y-%m-%dT%H:%M"


def cycle_form(municipality, **extra) -> dict:
    data = {
        "municipality": municipality.pk,
        "slug": "2028",
        "name_ka": "მონაწილეობითი ბიუჯეტი 2028",
        "name_en": "Participatory budget 2028",
        "description_ka": "",
        "description_en": "",
        "starts_at": "2028-01-15T09:00",
        "ballot_kind": "knapsack",
        "min_share_percent": "70",
        "min_projects": "1",
        "max_projects": "",
        "winner_rule": "mes",
    }
    data.update(extra)
    return data


def phases_form(cycle: Cycle, **changes) -> dict:
    """The posted phases form as the page shows it; `changes` by kind: {field: value}."""
    phases = cycle_admin.ordered_phases(cycle)
    data = {
        "phases-TOTAL_FORMS": "10",
        "phases-INITIAL_FORMS": "10",
        "phases-MIN_NUM_FORMS": "10",
        "phases-MAX_NUM_FORMS": "10",
        "action": "save",
    }
    for index, phase in enumerate(phases):
        values = {
            "kind": phase.kind,
            "enabled": "on" if phase.enabled else "",
            "starts_at": timezone.localtime(phase.starts_at).strftime(FORM_TIME),
            "ends_at": timezone.localtime(phase.ends_at).strftime(FORM_TIME),
        }
        values.update(changes.get(phase.kind, {}))
        for name, value in values.items():
            if name == "enabled" and not value:
                continue
            data[f"phases-{index}-{name}"] = value
    return data


def lock_by_a_ballot(cycle: Cycle) -> Ballot:
    """A first ballot, as the ballot's checkout makes it: the rules lock in its transaction."""
    budget = cycle.budgets.first()
    ballot = Ballot.objects.create(
        municipality=cycle.municipality,
        cycle=cycle,
        budget=budget,
        person_key="f" * 64,
        status=BallotStatus.CHECKED_OUT,
        checked_out_at=timezone.now(),
    )
    cycles.lock_rules(cycle)
    return ballot


# --- Creation --------------------------------------------------------------------------------


def test_a_new_cycle_has_ten_chained_phases_and_a_budget_per_district(cycle, boulevard):
    phases = cycle_admin.ordered_phases(cycle)
    assert [p.kind for p in phases] == list(PHASE_ORDER)
    assert all(p.enabled for p in phases)
    for before, after in zip(phases, phases[1:], strict=False):
        assert after.starts_at == before.ends_at
    cycles.check_chain(phases)
    budgets = list(Budget.objects.filter(cycle=cycle))
    districts = {b.district.code for b in budgets if b.district}
    assert districts == {"old-town", "boulevard"}
    assert len([b for b in budgets if b.is_citywide]) == 1
    assert next(b for b in budgets if b.district == boulevard).population == 41000


def test_officer_creates_a_cycle_from_the_page(client, batumi, boulevard, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(reverse("budgeting:staff-cycle-new"), cycle_form(batumi))
    cycle = Cycle.objects.get(municipality=batumi, slug="2028")
    assert response.status_code == 302
    assert response.url == reverse("budgeting:staff-cycle", args=[cycle.pk])
    assert cycle.phases.count() == 10
    first = cycle_admin.ordered_phases(cycle)[0]
    assert timezone.localtime(first.starts_at).strftime(FORM_TIME) == "2028-01-15T09:00"
    assert cycle.budgets.count() == 3
    assert cycle.min_share_percent == 70


def test_a_cycle_of_another_municipality_cannot_be_created(client, batumi, rustavi, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(reverse("budgeting:staff-cycle-new"), cycle_form(rustavi))
    assert response.status_code == 400
    assert not Cycle.objects.filter(municipality=rustavi).exists()


def test_a_taken_short_name_is_refused_and_the_form_keeps_its_values(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-cycle-new"),
        cycle_form(cycle.municipality, slug="2027", name_en="Kept name"),
    )
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert b"Kept name" in response.content


def test_approval_with_a_maximum_under_the_minimum_is_refused(client, batumi, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-cycle-new"),
        cycle_form(batumi, ballot_kind="approval", min_projects="5", max_projects="3"),
    )
    assert response.status_code == 400
    assert "max_projects" in response.context["form"].errors


# --- Phases ----------------------------------------------------------------------------------


def test_phases_are_saved_when_they_chain(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    phases = cycle_admin.ordered_phases(cycle)
    new_end = timezone.localtime(phases[0].ends_at) + datetime.timedelta(days=3)
    response = client.post(
        reverse("budgeting:staff-phases", args=[cycle.pk]),
        phases_form(
            cycle,
            drafting={"ends_at": new_end.strftime(FORM_TIME)},
            informing={"starts_at": new_end.strftime(FORM_TIME)},
        ),
    )
    assert response.status_code == 302
    assert CyclePhase.objects.get(cycle=cycle, kind="drafting").ends_at == new_end


def test_a_broken_chain_is_refused_on_the_phase_and_nothing_is_lost(
    client, cycle, batumi_officer, english_messages
):
    client.force_login(batumi_officer)
    phases = cycle_admin.ordered_phases(cycle)
    gap = timezone.localtime(phases[2].ends_at) + datetime.timedelta(days=2)
    response = client.post(
        reverse("budgeting:staff-phases", args=[cycle.pk]),
        phases_form(cycle, reviewing={"starts_at": gap.strftime(FORM_TIME)}),
    )
    assert response.status_code == 400
    forms = response.context["formset"].forms
    assert list(forms[3].errors) == ["starts_at"]
    assert "Accepting proposals ends" in forms[3].errors["starts_at"][0]
    assert all(not form.errors for index, form in enumerate(forms) if index != 3)
    # The posted date is shown again, and nothing was saved.
    assert gap.strftime(FORM_TIME).encode() in response.content
    assert CyclePhase.objects.get(cycle=cycle, kind="reviewing").starts_at == phases[3].starts_at


def test_an_end_before_the_start_is_refused(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    phases = cycle_admin.ordered_phases(cycle)
    early = timezone.localtime(phases[5].starts_at) - datetime.timedelta(hours=1)
    response = client.post(
        reverse("budgeting:staff-phases", args=[cycle.pk]),
        phases_form(cycle, valuating={"ends_at": early.strftime(FORM_TIME)}),
    )
    assert response.status_code == 400
    assert "ends_at" in response.context["formset"].forms[5].errors


def test_a_switched_off_phase_is_skipped_by_the_chain(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    phases = cycle_admin.ordered_phases(cycle)
    # Supporting is switched off: valuating starts when reviewing ends.
    reviewing_end = timezone.localtime(phases[3].ends_at)
    valuating_length = phases[5].ends_at - phases[5].starts_at
    response = client.post(
        reverse("budgeting:staff-phases", args=[cycle.pk]),
        phases_form(
            cycle,
            supporting={"enabled": ""},
            valuating={
                "starts_at": reviewing_end.strftime(FORM_TIME),
                "ends_at": (reviewing_end + valuating_length).strftime(FORM_TIME),
            },
            publishing_prices={
                "starts_at": (reviewing_end + valuating_length).strftime(FORM_TIME),
            },
        ),
    )
    assert response.status_code == 302, response.context["formset"].errors
    cycle.refresh_from_db()
    enabled = [p.kind for p in cycles.enabled_phases(cycle)]
    assert "supporting" not in enabled
    assert len(enabled) == 9
    cycles.check_chain(list(cycle.phases.all()))
    during_old_supporting = phases[4].starts_at + datetime.timedelta(hours=1)
    assert cycles.current_phase(cycle, during_old_supporting) == "valuating"


def test_switching_a_phase_off_without_closing_the_gap_is_refused(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-phases", args=[cycle.pk]),
        phases_form(cycle, supporting={"enabled": ""}),
    )
    assert response.status_code == 400
    assert "starts_at" in response.context["formset"].forms[5].errors


def test_chaining_the_dates_fills_the_gap_for_review(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    data = phases_form(cycle, supporting={"enabled": ""})
    data["action"] = "chain"
    response = client.post(reverse("budgeting:staff-phases", args=[cycle.pk]), data)
    forms = response.context["formset"].forms
    phases = cycle_admin.ordered_phases(cycle)
    assert forms[5].initial["starts_at"] == phases[3].ends_at
    # Shown for review; saved only when saved.
    assert CyclePhase.objects.get(cycle=cycle, kind="supporting").enabled


def test_the_services_chain_check_refuses_a_gap(cycle):
    changes = [
        {"kind": p.kind, "enabled": p.enabled, "starts_at": p.starts_at, "ends_at": p.ends_at}
        for p in cycle_admin.ordered_phases(cycle)
    ]
    changes[4]["enabled"] = False
    with pytest.raises(ValidationError):
        cycle_admin.phases_update(cycle=cycle, changes=changes)


# --- The rules lock --------------------------------------------------------------------------


def test_rules_change_until_the_first_ballot(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-rules", args=[cycle.pk]),
        {
            "action": "rules",
            "rules-ballot_kind": "approval",
            "rules-min_share_percent": "70",
            "rules-min_projects": "2",
            "rules-max_projects": "5",
            "rules-winner_rule": "greedy",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.ballot_kind, cycle.min_projects, cycle.max_projects) == ("approval", 2, 5)
    assert cycle.winner_rule == "greedy"


def test_rules_lock_once_the_first_ballot_exists(client, cycle, batumi_officer, english_messages):
    lock_by_a_ballot(cycle)
    client.force_login(batumi_officer)
    page = client.get(reverse("budgeting:staff-rules", args=[cycle.pk]))
    assert page.status_code == 200
    assert b"The voting rules are locked since" in page.content
    assert b'name="rules-ballot_kind"' not in page.content

    response = client.post(
        reverse("budgeting:staff-rules", args=[cycle.pk]),
        {
            "action": "rules",
            "rules-ballot_kind": "knapsack",
            "rules-min_share_percent": "50",
            "rules-min_projects": "1",
            "rules-max_projects": "",
            "rules-winner_rule": "mes",
        },
    )
    assert response.status_code == 409
    assert b"ballots have been cast under them since" in response.content
    cycle.refresh_from_db()
    assert cycle.min_share_percent == 70

    with pytest.raises(ValidationError, match="locked"):
        cycles.set_rules(cycle, min_share_percent=50)
    cycle.refresh_from_db()
    assert cycle.min_share_percent == 70


def test_names_still_change_once_the_rules_are_locked(client, cycle, batumi_officer):
    lock_by_a_ballot(cycle)
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-rules", args=[cycle.pk]),
        {
            "action": "details",
            "details-name_ka": "ახალი სახელი",
            "details-name_en": "New name",
            "details-description_ka": "",
            "details-description_en": "",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name_en == "New name"


# --- Budgets ---------------------------------------------------------------------------------


def budgets_form(cycle: Cycle, values: dict) -> dict:
    budgets = list(Budget.objects.filter(cycle=cycle).select_related("district"))
    data = {
        "budgets-TOTAL_FORMS": str(len(budgets)),
        "budgets-INITIAL_FORMS": str(len(budgets)),
        "budgets-MIN_NUM_FORMS": "0",
        "budgets-MAX_NUM_FORMS": "500",
    }
    for index, budget in enumerate(budgets):
        key = budget.district.code if budget.district else "city"
        amount, population = values.get(key, (budget.amount, budget.population))
        data.update(
            {
                f"budgets-{index}-pk": str(budget.pk),
                f"budgets-{index}-name_ka": budget.name_ka,
                f"budgets-{index}-name_en": budget.name_en,
                f"budgets-{index}-amount": str(amount),
                f"budgets-{index}-population": "" if population is None else str(population),
            }
        )
    return data


def test_budgets_get_money_and_population_per_district(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-budgets", args=[cycle.pk]),
        budgets_form(
            cycle,
            {"old-town": (300000, 25000), "boulevard": (500000, 41000), "city": (1000000, None)},
        ),
    )
    assert response.status_code == 302
    amounts = {
        (b.district.code if b.district else "city"): (b.amount, b.population)
        for b in Budget.objects.filter(cycle=cycle).select_related("district")
    }
    assert amounts == {
        "old-town": (300000, 25000),
        "boulevard": (500000, 41000),
        "city": (1000000, None),
    }


def test_a_negative_amount_is_refused_and_nothing_saved(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-budgets", args=[cycle.pk]),
        budgets_form(cycle, {"old-town": (-5, 25000), "boulevard": (500000, 41000)}),
    )
    assert response.status_code == 400
    assert not Budget.objects.filter(cycle=cycle, amount__gt=0).exists()


def test_a_budget_of_another_cycle_cannot_be_edited(client, cycle, batumi, batumi_officer):
    other = cycle_admin.cycle_create(municipality=batumi, slug="other", name_ka="სხვა")
    data = budgets_form(cycle, {})
    data["budgets-0-pk"] = str(other.budgets.first().pk)
    data["budgets-0-amount"] = "99"
    client.force_login(batumi_officer)
    response = client.post(reverse("budgeting:staff-budgets", args=[cycle.pk]), data)
    assert response.status_code == 400
    assert not Budget.objects.filter(amount=99).exists()


# --- Who may see these pages -----------------------------------------------------------------


def test_the_officers_home_lists_their_cycles_with_links(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.get(reverse("budgeting:staff-home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert cycle.name_ka in content
    for name in ("staff-cycle", "staff-phases", "staff-rules", "staff-budgets", "staff-voters"):
        assert reverse(f"budgeting:{name}", args=[cycle.pk]) in content


def test_the_staff_menu_shows_participatory_budgeting(client, cycle, batumi_officer):
    client.force_login(batumi_officer)
    response = client.get(reverse("budgeting:staff-cycle", args=[cycle.pk]))
    assert reverse("budgeting:staff-home").encode() in response.content


@pytest.mark.parametrize(
    "name", ["staff-cycle", "staff-phases", "staff-rules", "staff-budgets", "staff-voters"]
)
def test_an_officer_of_another_municipality_gets_404(client, cycle, rustavi_officer, name):
    client.force_login(rustavi_officer)
    assert client.get(reverse(f"budgeting:{name}", args=[cycle.pk])).status_code == 404
    assert client.post(reverse(f"budgeting:{name}", args=[cycle.pk]), {}).status_code == 404


def test_the_other_officers_home_does_not_show_the_cycle(client, cycle, rustavi_officer):
    client.force_login(rustavi_officer)
    response = client.get(reverse("budgeting:staff-home"))
    assert response.status_code == 200
    assert cycle.name_ka.encode() not in response.content


@pytest.mark.parametrize(
    "name,args",
    [("staff-home", []), ("staff-cycle-new", []), ("staff-cycle", None), ("staff-voters", None)],
)
def test_a_citizen_gets_404_and_a_visitor_is_sent_to_sign_in(client, cycle, citizen, name, args):
    url = reverse(f"budgeting:{name}", args=[cycle.pk] if args is None else args)
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response.url
    client.force_login(citizen)
    assert client.get(url).status_code == 404


def test_a_property_officer_is_not_a_budget_officer(client, cycle, batumi):
    property_officer = MembershipFactory(municipality=batumi, role=Role.PROPERTY_OFFICER).user
    client.force_login(property_officer)
    assert client.get(reverse("budgeting:staff-cycle", args=[cycle.pk])).status_code == 404


def test_phases_with_seconds_are_saved_unchanged_from_the_page(client, batumi, batumi_officer):
    cycle = cycle_admin.cycle_create(
        municipality=batumi,
        slug="seconds",
        name_ka="წამები",
        starts_at=timezone.make_aware(datetime.datetime(2027, 3, 1, 10, 15, 37)),
    )
    client.force_login(batumi_officer)
    response = client.post(reverse("budgeting:staff-phases", args=[cycle.pk]), phases_form(cycle))
    assert response.status_code == 302
    cycles.check_chain(list(cycle.phases.all()))


def test_a_superuser_sees_a_cycle_in_the_admin_with_locked_rules_read_only(client, cycle):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    lock_by_a_ballot(cycle)
    client.force_login(admin_user)
    response = client.get(reverse("admin:budgeting_cycle_change", args=[cycle.pk]))
    assert response.status_code == 200
    assert b'name="ballot_kind"' not in response.content
    assert (
        b'name="phases-0-starts_at_0"' in response.content
        or b"phases-0-starts_at" in response.content
    )


def test_an_officer_does_not_see_cycles_in_the_admin(client, cycle, batumi_officer):
    batumi_officer.is_staff = True
    batumi_officer.save()
    client.force_login(batumi_officer)
    response = client.get(reverse("admin:budgeting_cycle_change", args=[cycle.pk]))
    assert response.status_code in (302, 403, 404)


def test_the_officers_home_counts_voters_and_ballots(client, cycle, boulevard, batumi_officer):
    from budgeting import voter_list

    voter_list.load_rows(
        cycle, [("01001012345", 1980, boulevard), ("01001054321", 1970, boulevard)]
    )
    lock_by_a_ballot(cycle)
    client.force_login(batumi_officer)
    response = client.get(reverse("budgeting:staff-home"))
    (row,) = response.context["groups"][0]["cycles"]
    assert (row["proposals"], row["voters"], row["ballots"]) == (0, 2, 1)
