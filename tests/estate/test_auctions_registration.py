"""Registering to bid (identity checked against the account) and paying the deposit through
the payment provider interface."""

import datetime

import pytest
from allauth.account.models import EmailAddress

from estate.auctions import AuctionError, bidder_register, deposit_confirm, deposit_start
from estate.models import (
    BidderRegistration,
    Deposit,
    DepositStatus,
    LotStatus,
    RegistrationStatus,
)
from estate.payments import get_provider
from tests.core.factories import UserFactory
from tests.estate.auction_factories import *  # noqa: F403  (its fixtures)
from tests.estate.auction_factories import make_lot, move_clock, register_bidder, verified_user

pytestmark = pytest.mark.django_db

PERSON = "01001012345"


def register(lot, user, **fields):
    values = {"legal_name": user.get_full_name(), "id_number": PERSON}
    values.update(fields)
    return bidder_register(lot=lot, user=user, **values)


def refused(lot, user, **fields) -> AuctionError:
    with pytest.raises(AuctionError) as caught:
        register(lot, user, **fields)
    return caught.value


def test_a_person_registers_under_their_account_s_name_with_a_hashed_number(open_lot):
    person = verified_user("Nino", "Beridze")
    registration = register(open_lot, person, legal_name="  NINO   beridze ")
    assert registration.legal_name == "NINO beridze"
    assert registration.id_number_masked == "•••••••2345"
    assert len(registration.id_number_hash) == 64 and PERSON not in registration.id_number_hash
    assert registration.deposit == open_lot.deposit == 100
    assert registration.status == RegistrationStatus.REGISTERED
    assert 1 <= registration.alias <= 999


def test_a_person_cannot_register_under_another_name(open_lot):
    error = refused(open_lot, verified_user("Nino", "Beridze"), legal_name="Giorgi Beridze")
    assert (error.status, error.code) == (400, "name_mismatch")


def test_a_company_registers_under_its_own_name_and_9_digit_number(open_lot):
    registration = register(
        open_lot,
        verified_user("Nino", "Beridze"),
        legal_name="Batumi Build LLC",
        id_number="405123456",
        is_company=True,
    )
    assert registration.is_company and registration.id_number_masked == "•••••3456"


@pytest.mark.parametrize(
    "number, is_company",
    [("0100101234", False), ("010010123456", False), ("0100101234a", False), (PERSON, True)],
)
def test_a_malformed_number_is_refused(open_lot, number, is_company):
    error = refused(
        open_lot,
        verified_user("Nino", "Beridze"),
        legal_name="Nino Beridze",
        id_number=number,
        is_company=is_company,
    )
    assert (error.status, error.code) == (400, "invalid_id_number")


def test_an_account_without_a_verified_e_mail_cannot_register(open_lot):
    person = UserFactory(first_name="Nino", last_name="Beridze")
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    assert refused(open_lot, person).code == "identity_unverified"
    assert not BidderRegistration.objects.exists()


def test_an_inactive_account_cannot_register(open_lot):
    person = verified_user("Nino", "Beridze", is_active=False)
    assert refused(open_lot, person).code == "sign_in"


def test_one_registration_per_person_and_lot(open_lot):
    person = verified_user("Nino", "Beridze")
    register(open_lot, person)
    assert refused(open_lot, person).code == "already_registered"


def test_registration_closes_with_the_bidding(open_lot):
    move_clock(open_lot, closes_in=-datetime.timedelta(seconds=1))
    assert refused(open_lot, verified_user("Nino", "Beridze")).code == "closed"


def test_a_draft_lot_takes_no_registration(batumi, officer):
    draft = make_lot(batumi, created_by=officer, status=LotStatus.DRAFT)
    assert refused(draft, verified_user("Nino", "Beridze")).status == 404


def test_bidder_numbers_are_distinct_on_a_lot(open_lot):
    aliases = {register(open_lot, verified_user("A", f"B{n}")).alias for n in range(12)}
    assert len(aliases) == 12


def test_the_demo_deposit_is_paid_once(open_lot):
    registration = register_bidder(open_lot, paid=False)
    deposit, pay_url = deposit_start(registration=registration)
    assert deposit.status == DepositStatus.PENDING and deposit.amount == registration.deposit
    assert deposit.provider_reference in pay_url
    paid = deposit_confirm(provider="demo", provider_reference=deposit.provider_reference)
    assert paid.status == DepositStatus.PAID and paid.paid_at is not None
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PAID

    # The same payment reported again, and a second payment: 409, nothing changes.
    with pytest.raises(AuctionError) as caught:
        deposit_confirm(provider="demo", provider_reference=deposit.provider_reference)
    assert (caught.value.status, caught.value.code) == (409, "deposit_paid")
    with pytest.raises(AuctionError) as caught:
        deposit_start(registration=registration)
    assert caught.value.code == "deposit_paid"
    assert Deposit.objects.filter(registration=registration).count() == 1


def test_a_second_pending_payment_of_a_paid_registration_is_refused(open_lot):
    registration = register_bidder(open_lot, paid=False)
    first, _ = deposit_start(registration=registration)
    second, _ = deposit_start(registration=registration)
    deposit_confirm(provider="demo", provider_reference=first.provider_reference)
    with pytest.raises(AuctionError) as caught:
        deposit_confirm(provider="demo", provider_reference=second.provider_reference)
    assert caught.value.code == "deposit_paid"
    second.refresh_from_db()
    assert second.status == DepositStatus.PENDING
    assert Deposit.objects.filter(status=DepositStatus.PAID).count() == 1


def test_an_unknown_payment_is_not_found():
    with pytest.raises(AuctionError) as caught:
        deposit_confirm(provider="demo", provider_reference="nothing")
    assert caught.value.status == 404


def test_the_demo_provider_is_offered_only_in_a_demonstration(settings):
    settings.GISPORTAL_DEMO = False
    settings.DEBUG = False
    settings.ESTATE_DEMO_PAYMENTS = False
    with pytest.raises(AuctionError) as caught:
        get_provider("demo")
    assert caught.value.code == "unknown_provider"
    settings.ESTATE_DEMO_PAYMENTS = True
    assert get_provider("demo").name == "demo"


def test_an_unknown_provider_is_refused():
    with pytest.raises(AuctionError) as caught:
        get_provider("acme-bank")
    assert caught.value.status == 400


def test_a_batumi_scoped_connection_cannot_register_or_pay_on_a_rustavi_lot(batumi, rustavi):
    from core.tenancy import municipality_scope, scope_of

    lot = make_lot(rustavi, created_by=verified_user("Rustavi", "Officer"))
    pending = register_bidder(lot, paid=False)
    deposit = Deposit.objects.create(
        municipality=rustavi,
        registration=pending,
        provider="demo",
        provider_reference="rustavi-1",
        amount=pending.deposit,
    )
    with municipality_scope(scope_of([batumi.pk])):
        error = refused(lot, verified_user("Nino", "Beridze"))
        assert error.status == 404
        with pytest.raises(AuctionError) as caught:
            deposit_confirm(provider="demo", provider_reference="rustavi-1")
        assert caught.value.status == 404
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.PENDING
    assert BidderRegistration.objects.filter(lot=lot).count() == 1
