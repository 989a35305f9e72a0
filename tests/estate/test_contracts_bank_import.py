"""The bank statement import: lines naming a contract of the municipality are recorded once;
the others come back with their reason; a file that cannot be read records nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from estate import contracts
from estate.models import Payment, PaymentSource
from tests.estate.contract_factories import *  # noqa: F403  (its fixtures)
from tests.estate.contract_factories import awarded_lot, lease_contract

pytestmark = pytest.mark.usefixtures("contract_settings")


def csv_file(text: str, name: str = "statement.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def pair(batumi, rustavi, officer, rustavi_officer):
    ours = lease_contract(awarded_lot(batumi, created_by=officer), by=officer)
    theirs = lease_contract(awarded_lot(rustavi, created_by=rustavi_officer), by=rustavi_officer)
    return ours, theirs


def statement(ours, theirs) -> str:
    return (
        "date,amount,reference,transaction_id\n"
        f"2026-02-14,100.00,Rent {ours.reference} February,TX-1\n"
        f'2026-03-14,"100,00",rent {ours.reference.lower()} march,TX-2\n'
        f"2026-03-14,100.00,Rent {theirs.reference},TX-3\n"
        "2026-03-15,100.00,Rent for the shop,TX-4\n"
        f"2026-03-16,abc,Rent {ours.reference},TX-5\n"
        f"2026-03-17,50.00,Rent {ours.reference},\n"
        f"2026-03-18,50.00,Rent {ours.reference},TX-1\n"
        "2026-03-19,50.00,Rent BTM-C-2026-9999,TX-6\n"
    )


def test_matched_lines_are_recorded_and_the_rest_reported(pair, officer, batumi):
    ours, theirs = pair
    result = contracts.bank_csv_import(
        municipality=batumi, file=csv_file(statement(ours, theirs)), by=officer
    )
    outcomes = [(line.line, line.outcome) for line in result.lines]
    assert outcomes == [
        (2, "recorded"),
        (3, "recorded"),
        (4, "unmatched"),
        (5, "unmatched"),
        (6, "unmatched"),
        (7, "unmatched"),
        (8, "already"),
        (9, "unmatched"),
    ]
    reasons = {line.line: line.reason for line in result.lines}
    assert theirs.reference in reasons[4]  # another municipality's contract
    assert "no contract number" in reasons[5]
    assert "not a number" in reasons[6]
    assert "transaction id" in reasons[7]
    assert "BTM-C-2026-9999" in reasons[9]
    bank = Payment.objects.filter(contract=ours, source=PaymentSource.BANK)
    assert sorted(bank.values_list("bank_reference", "amount")) == [
        ("TX-1", Decimal("100.00")),
        ("TX-2", Decimal("100.00")),
    ]
    assert not Payment.objects.filter(contract=theirs, source=PaymentSource.BANK).exists()


def test_the_same_statement_twice_records_nothing_new(pair, officer, batumi):
    ours, theirs = pair
    contracts.bank_csv_import(
        municipality=batumi, file=csv_file(statement(ours, theirs)), by=officer
    )
    count = Payment.objects.count()
    again = contracts.bank_csv_import(
        municipality=batumi, file=csv_file(statement(ours, theirs)), by=officer
    )
    assert again.recorded == 0
    assert again.already == 3
    assert Payment.objects.count() == count


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("when,how much\n2026-01-01,5\n", "missing: date, amount, reference, transaction_id"),
        ("date,amount,reference,transaction_id\n", "no payment lines"),
        ("\xff\xfe\x00garbage", "UTF-8"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_recorded(pair, officer, batumi, content, message):
    count = Payment.objects.count()
    data = content.encode("latin-1") if "\xff" in content else content.encode()
    upload = SimpleUploadedFile("statement.csv", data, content_type="text/csv")
    with pytest.raises(ValidationError, match=message):
        contracts.bank_csv_import(municipality=batumi, file=upload, by=officer)
    assert Payment.objects.count() == count
