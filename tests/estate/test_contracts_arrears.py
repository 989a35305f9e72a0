"""Arrears on a hand-made schedule: a 12-month lease of 1,200 GEL a year (100 GEL a month from
15 January 2026, 5% indexation, 10 days of grace) with the 150 GEL deposit counted and some
payments missing; the daily job's reminders once per level; back in force once paid up."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from engagement.models import Notification
from estate import contracts
from estate.contract_jobs import compute_arrears
from estate.models import AssetState, ContractStatus, Reminder
from tests.estate.contract_factories import *  # noqa: F403  (its fixtures)
from tests.estate.contract_factories import awarded_lot, lease_contract

pytestmark = pytest.mark.usefixtures("contract_settings")

D = datetime.date


@pytest.fixture
def contract(batumi, officer):
    contract = lease_contract(awarded_lot(batumi, created_by=officer), by=officer)
    # The deposit (150) and 50 more pay January and February.
    contracts.payment_record(contract=contract, amount="50", paid_on=D(2026, 2, 10), by=officer)
    return contract


def arrears_on(contract, day):
    return contracts.arrears_compute(contract, day)


def test_nothing_is_in_arrears_within_the_days_of_grace(contract):
    checked = arrears_on(contract, D(2026, 3, 25))  # March is due 10 days ago: still grace
    assert checked.arrears == Decimal("0.00")
    assert checked.arrears_since is None
    assert checked.status == ContractStatus.ACTIVE


def test_arrears_are_the_unpaid_part_of_instalments_past_their_grace(contract, officer):
    checked = arrears_on(contract, D(2026, 3, 26))
    assert checked.arrears == Decimal("100.00")
    assert checked.arrears_since == D(2026, 3, 15)
    assert checked.status == ContractStatus.IN_ARREARS

    contracts.payment_record(contract=contract, amount="30", paid_on=D(2026, 3, 27), by=officer)
    checked = arrears_on(contract, D(2026, 4, 25))  # April is still within its grace
    assert checked.arrears == Decimal("70.00")
    assert checked.arrears_since == D(2026, 3, 15)

    checked = arrears_on(contract, D(2026, 4, 26))
    assert checked.arrears == Decimal("170.00")
    assert checked.arrears_since == D(2026, 3, 15)

    contracts.payment_record(contract=contract, amount="80", paid_on=D(2026, 4, 27), by=officer)
    checked = arrears_on(contract, D(2026, 4, 27))  # March paid: April is the oldest unpaid
    assert checked.arrears == Decimal("90.00")
    assert checked.arrears_since == D(2026, 4, 15)

    contracts.payment_record(contract=contract, amount="90", paid_on=D(2026, 4, 28), by=officer)
    checked = arrears_on(contract, D(2026, 4, 28))
    assert checked.arrears == Decimal("0.00")
    assert checked.arrears_since is None
    assert checked.status == ContractStatus.ACTIVE


def test_reminders_go_once_per_level_as_the_days_pass(contract, officer):
    sent_on = {}
    day = D(2026, 3, 20)
    while day <= D(2026, 5, 10):
        contracts.contracts_daily(day)
        for reminder in Reminder.objects.filter(contract=contract):
            sent_on.setdefault(reminder.level, reminder.sent_on)
        day += datetime.timedelta(days=1)
    # Day 1 in arrears is 26 March (15 March + 10 days of grace + 1); then days 15 and 30.
    assert sent_on == {1: D(2026, 3, 26), 2: D(2026, 4, 9), 3: D(2026, 4, 24)}
    assert Reminder.objects.filter(contract=contract).count() == 3
    notes = Notification.objects.filter(kind="estate_arrears", recipient=contract.holder)
    assert notes.count() == 3
    assert any("BTM-C-2026-0001" in message.subject for message in mail.outbox)

    contract.refresh_from_db()
    assert contracts.termination_proposed(contract)

    # Paid up: in force again, and the reminders are not sent a second time.
    contracts.payment_record(
        contract=contract, amount=contract.arrears, paid_on=D(2026, 5, 10), by=officer
    )
    contracts.contracts_daily(D(2026, 5, 11))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert not contracts.termination_proposed(contract)
    contracts.contracts_daily(D(2026, 6, 30))  # June is overdue now: no reminder again
    assert Reminder.objects.filter(contract=contract).count() == 3


def test_the_periodic_job_runs_the_daily_computation(contract):
    compute_arrears(timestamp=0)
    contract.refresh_from_db()
    assert contract.arrears_checked_on is not None


def test_termination_is_decided_by_an_officer_after_a_notice(contract, officer):
    arrears_on(contract, D(2026, 3, 1))  # in force: nothing to terminate for
    with pytest.raises(ValidationError, match="arrears"):
        contracts.contract_termination_start(contract=contract, by=officer, reason="Unpaid.")
    arrears_on(contract, D(2026, 6, 1))
    with pytest.raises(ValidationError):
        contracts.contract_termination_start(contract=contract, by=officer, reason=" ")
    started = contracts.contract_termination_start(
        contract=contract, by=officer, reason="Three months unpaid."
    )
    assert started.status == ContractStatus.TERMINATION
    assert Notification.objects.filter(kind="estate_termination").count() == 1
    with pytest.raises(ValidationError, match="notice period"):
        contracts.contract_terminate(contract=contract, by=officer)
    done = contracts.contract_terminate(contract=contract, by=officer, today=started.terminated_on)
    assert done.status == ContractStatus.TERMINATED
    assert all(a.state == AssetState.AVAILABLE for a in done.assets.all())
    assert Notification.objects.filter(kind="estate_termination").count() == 2
    with pytest.raises(ValidationError, match="terminated"):
        contracts.payment_record(contract=done, amount="10", paid_on=D(2026, 8, 1), by=officer)
