"""A contract's schedule: monthly or yearly, indexed and compounded each full year, due on the
same day of the month (clamped to its end), and summing exactly to the total."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from estate.models import AssetState, LotKind, LotStatus, Payment
from tests.estate.contract_factories import *  # noqa: F403  (its fixtures)
from tests.estate.contract_factories import awarded_lot, lease_contract

pytestmark = pytest.mark.usefixtures("contract_settings")


def amounts(contract):
    return [i.amount for i in contract.instalments.order_by("number")]


def test_a_twelve_month_lease_is_twelve_equal_instalments(batumi, officer):
    contract = lease_contract(awarded_lot(batumi, created_by=officer), by=officer)
    assert amounts(contract) == [Decimal("100.00")] * 12
    assert contract.ends_on == datetime.date(2027, 1, 14)
    assert contract.holder_name == "Nino Beridze"
    assert contract.price == Decimal("1200.00")
    assert contract.reference == "BTM-C-2026-0001"
    assert all(a.state == AssetState.LEASED for a in contract.assets.all())


def test_indexation_compounds_after_each_full_year_and_the_sum_is_exact(batumi, officer):
    lot = awarded_lot(batumi, created_by=officer, final_price=Decimal("1000.00"), lease_months=36)
    contract = lease_contract(lot, by=officer)
    rows = amounts(contract)
    assert len(rows) == 36
    assert rows[:12] == [Decimal("83.33")] * 12
    assert rows[12:24] == [Decimal("87.50")] * 12
    # 1000 × 1.05² / 12 = 91.875 → 91.88; the last takes the rounding left over.
    assert rows[24:35] == [Decimal("91.88")] * 11
    total = Decimal("1000") + Decimal("1050") + Decimal("1102.50")
    assert sum(rows) == total
    assert rows[35] == total - sum(rows[:35])


def test_yearly_payments_and_a_last_part_year(batumi, officer):
    lot = awarded_lot(batumi, created_by=officer, final_price=Decimal("1000.00"), lease_months=30)
    contract = lease_contract(lot, by=officer, frequency="yearly", indexation_percent=10)
    instalments = list(contract.instalments.order_by("number"))
    assert [i.due_on for i in instalments] == [
        datetime.date(2026, 1, 15),
        datetime.date(2027, 1, 15),
        datetime.date(2028, 1, 15),
    ]
    # 1000, 1100, and half of 1210 for the last six months.
    assert [i.amount for i in instalments] == [
        Decimal("1000.00"),
        Decimal("1100.00"),
        Decimal("605.00"),
    ]


def test_due_dates_keep_the_day_and_are_clamped_to_the_month_end(batumi, officer):
    contract = lease_contract(
        awarded_lot(batumi, created_by=officer), by=officer, starts_on=datetime.date(2026, 1, 31)
    )
    days = [i.due_on for i in contract.instalments.order_by("number")][:4]
    assert days == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
    ]


def test_rounding_of_an_odd_price_is_absorbed_by_the_last_instalment(batumi, officer):
    lot = awarded_lot(batumi, created_by=officer, final_price=Decimal("1000.01"), lease_months=7)
    contract = lease_contract(lot, by=officer, indexation_percent=0)
    rows = amounts(contract)
    assert rows[:6] == [Decimal("83.33")] * 6
    assert sum(rows) == (Decimal("1000.01") * 7 / 12).quantize(Decimal("0.01"))


def test_the_winners_deposit_is_the_first_payment(batumi, officer):
    contract = lease_contract(awarded_lot(batumi, created_by=officer), by=officer)
    payment = Payment.objects.get(contract=contract)
    assert payment.amount == Decimal("150.00")
    assert "Deposit" in payment.note
    assert payment.paid_on <= contract.starts_on
    assert contract.lot.winner.status == "retained"


def test_a_sale_is_paid_once_or_in_instalments_and_never_indexed(batumi, officer):
    lot = awarded_lot(batumi, created_by=officer, kind=LotKind.SALE, final_price=Decimal("5000"))
    with pytest.raises(ValidationError, match="not indexed"):
        lease_contract(lot, by=officer, frequency="once", indexation_percent=5)
    contract = lease_contract(lot, by=officer, frequency="monthly", indexation_percent=0, months=3)
    assert amounts(contract) == [Decimal("1666.67"), Decimal("1666.67"), Decimal("1666.66")]
    assert all(a.state == AssetState.SOLD for a in contract.assets.all())


def test_only_an_awarded_lot_without_a_contract_gets_one(batumi, officer):
    lot = awarded_lot(batumi, created_by=officer)
    lease_contract(lot, by=officer)
    with pytest.raises(ValidationError, match="already has a contract"):
        lease_contract(lot, by=officer)
    failed = awarded_lot(batumi, created_by=officer)
    type(failed).objects.filter(pk=failed.pk).update(status=LotStatus.FAILED)
    failed.refresh_from_db()
    with pytest.raises(ValidationError, match="awarded"):
        lease_contract(failed, by=officer)


def test_a_lease_is_not_paid_once(batumi, officer):
    with pytest.raises(ValidationError) as error:
        lease_contract(awarded_lot(batumi, created_by=officer), by=officer, frequency="once")
    assert "frequency" in error.value.message_dict


def test_an_approved_direct_lease_gets_a_contract_with_its_applicant(batumi, officer):
    from estate.contracts import contract_direct
    from tests.estate.contract_factories import approved_direct_lease

    request = approved_direct_lease(batumi)
    contract = contract_direct(
        request=request,
        by=officer,
        price=Decimal("600"),
        starts_on=datetime.date(2026, 3, 1),
        frequency="yearly",
    )
    assert contract.holder == request.case.applicant
    assert contract.holder_name == "Tamar Lomidze"
    assert contract.lot is None
    assert amounts(contract) == [Decimal("600.00"), Decimal("600.00")]
    assert contract.ends_on == datetime.date(2028, 2, 29)
    assert list(contract.assets.all()) == [request.asset]
    with pytest.raises(ValidationError, match="already under a contract"):
        contract_direct(request=request, by=officer, price=600, starts_on=datetime.date(2026, 3, 1))
