"""The bidding API: registering, paying the demo deposit, bidding, the public state with its
ETag, the error shapes, and another municipality's lot."""

import uuid
from decimal import Decimal

import pytest
from django.test import Client

from core.models import Role
from core.tenancy import municipality_scope, scope_of
from estate.models import Bid, BidderRegistration, Deposit, DepositStatus, Lot, RegistrationStatus
from tests.core.factories import MembershipFactory
from tests.estate.auction_factories import *  # noqa: F403  (its fixtures)
from tests.estate.auction_factories import make_lot, register_bidder, verified_user

pytestmark = pytest.mark.django_db


def url(lot, what):
    return f"/api/v1/estate/lots/{lot.reference}/{what}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def test_a_verified_person_registers_pays_the_demo_deposit_and_bids(open_lot, english_messages):
    person = verified_user("Nino", "Beridze")
    client = signed_in(person)
    answer = post(
        client,
        url(open_lot, "registration"),
        {"legal_name": "nino  beridze", "id_number": "01001012345"},
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["id_number"] == "•••••••2345" and body["status"] == "registered"
    assert body["deposit"] == "100.00" and not body["may_bid"]
    assert 1 <= body["alias"] <= 999
    stored = BidderRegistration.objects.get(user=person)
    assert "01001012345" not in (stored.id_number_hash + stored.id_number_masked)

    assert client.get(url(open_lot, "registration")).json()["alias"] == body["alias"]

    answer = post(client, url(open_lot, "deposit"), {})
    assert answer.status_code == 201
    pay_url = answer.json()["pay_url"]
    assert "/en/estate/pay/demo/" in pay_url
    page = client.get(pay_url)
    assert page.status_code == 200
    assert "no money moves" in page.content.decode()
    reference = answer.json()["reference"]
    assert client.post(f"/en/estate/pay/demo/{reference}/").status_code == 302
    assert BidderRegistration.objects.get(user=person).status == RegistrationStatus.PAID

    key = str(uuid.uuid4())
    answer = post(client, url(open_lot, "bids"), {"amount": "1000.00", "key": key})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["current_price"] == "1000.00"
    assert answer.json()["minimum_bid"] == "1050.00"
    again = post(client, url(open_lot, "bids"), {"amount": "1000.00", "key": key})
    assert again.status_code == 200
    assert again.json() == answer.json()


def test_the_demo_payment_page_is_its_payer_s_alone(open_lot):
    registration = register_bidder(open_lot, paid=False)
    deposit = Deposit.objects.create(
        municipality=open_lot.municipality,
        registration=registration,
        provider="demo",
        provider_reference="ref-1",
        amount=registration.deposit,
    )
    stranger = signed_in(verified_user("Giorgi", "Kapanadze"))
    assert stranger.get("/en/estate/pay/demo/ref-1/").status_code == 404
    assert stranger.post("/en/estate/pay/demo/ref-1/").status_code == 404
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.PENDING


def test_a_refused_bid_answers_its_code_message_and_minimum(
    open_lot, bidder, rival, english_messages
):
    post(
        signed_in(bidder.user), url(open_lot, "bids"), {"amount": "1000", "key": str(uuid.uuid4())}
    )
    answer = post(
        signed_in(rival.user), url(open_lot, "bids"), {"amount": "1000", "key": str(uuid.uuid4())}
    )
    assert answer.status_code == 409
    assert answer.json() == {
        "detail": "The bid must be at least 1050.00 GEL.",
        "code": "below_minimum",
        "minimum_bid": "1050.00",
    }


@pytest.mark.parametrize(
    "body, parameter",
    [
        ({"amount": "1000"}, "key"),
        ({"amount": "1000", "key": "not-a-uuid"}, "key"),
        ({"key": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}, "amount"),
        ({"amount": "ten", "key": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}, "amount"),
        ({"amount": "10.001", "key": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}, "amount"),
    ],
)
def test_a_malformed_bid_is_400_naming_the_member(open_lot, bidder, body, parameter):
    answer = post(signed_in(bidder.user), url(open_lot, "bids"), body)
    assert answer.status_code == 400
    assert answer.json()["parameter"] == parameter
    assert set(answer.json()) >= {"detail", "code", "parameter"}
    assert not Bid.objects.exists()


def test_bidding_needs_a_sign_in(open_lot):
    answer = post(Client(), url(open_lot, "bids"), {"amount": "1000", "key": str(uuid.uuid4())})
    assert answer.status_code == 403
    assert set(answer.json()) == {"detail", "code"}


def test_a_bid_needs_the_session_s_csrf_token(open_lot, bidder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bidder.user)
    body = {"amount": "1000", "key": str(uuid.uuid4())}
    answer = post(client, url(open_lot, "bids"), body)
    assert answer.status_code == 403 and answer.json()["code"] == "csrf_failed"
    client.get("/en/")  # the page sets the token's cookie
    token = client.cookies["csrftoken"].value
    answer = client.post(
        url(open_lot, "bids"), body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert answer.status_code == 201


def test_an_unknown_or_draft_lot_is_404(batumi, officer, bidder):
    draft = make_lot(batumi, created_by=officer, status="draft")
    client = signed_in(bidder.user)
    for reference in ("NO-SUCH-LOT", draft.reference):
        answer = post(
            client,
            f"/api/v1/estate/lots/{reference}/bids",
            {"amount": "1000", "key": str(uuid.uuid4())},
        )
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        assert client.get(f"/api/v1/estate/lots/{reference}/state").status_code == 404


def test_registering_twice_is_409(open_lot, bidder):
    answer = post(
        signed_in(bidder.user),
        url(open_lot, "registration"),
        {"legal_name": bidder.legal_name, "id_number": "01001012345"},
    )
    assert answer.status_code == 409 and answer.json()["code"] == "already_registered"


def test_no_registration_is_404(open_lot):
    answer = signed_in(verified_user()).get(url(open_lot, "registration"))
    assert answer.status_code == 404


def test_the_state_is_public_and_answers_304_to_its_etag(open_lot, bidder):
    client = Client()
    answer = client.get(url(open_lot, "state"))
    assert answer.status_code == 200
    etag = answer["ETag"]
    assert etag == f'"{open_lot.version}"'
    assert "no-cache" in answer["Cache-Control"]
    assert answer.json()["minimum_bid"] == "1000.00"
    assert client.get(url(open_lot, "state"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    post(
        signed_in(bidder.user), url(open_lot, "bids"), {"amount": "1000", "key": str(uuid.uuid4())}
    )
    fresh = client.get(url(open_lot, "state"), HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert fresh.json()["current_price"] == "1000.00"


def test_a_batumi_officer_cannot_bid_on_a_rustavi_lot(rustavi, batumi):
    """RLS: the Batumi scope may read Rustavi's public lot but not lock or write it."""
    rustavi_lot = make_lot(rustavi, created_by=verified_user("Rustavi", "Officer"))
    staff = MembershipFactory(municipality=batumi, role=Role.PROPERTY_OFFICER).user
    register_bidder(rustavi_lot, staff)
    before = Lot.objects.filter(pk=rustavi_lot.pk).values().get()
    answer = post(
        signed_in(staff), url(rustavi_lot, "bids"), {"amount": "1000", "key": str(uuid.uuid4())}
    )
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert not Bid.objects.exists()
    assert Lot.objects.filter(pk=rustavi_lot.pk).values().get() == before


def test_a_batumi_scoped_connection_cannot_bid_on_a_rustavi_lot_through_the_service(
    rustavi, batumi
):
    from estate.auctions import AuctionError, bid_place

    rustavi_lot = make_lot(rustavi, created_by=verified_user("Rustavi", "Officer"))
    registration = register_bidder(rustavi_lot)
    with municipality_scope(scope_of([batumi.pk])), pytest.raises(AuctionError) as caught:
        bid_place(
            lot_id=rustavi_lot.pk,
            user=registration.user,
            amount=Decimal("1000"),
            key=uuid.uuid4(),
        )
    assert caught.value.status == 404
    assert not Bid.objects.exists()


def test_a_refused_registration_names_the_member_at_fault(open_lot):
    client = signed_in(verified_user("Nino", "Beridze"))
    answer = post(
        client, url(open_lot, "registration"), {"legal_name": "Nino B.", "id_number": "01001012345"}
    )
    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["parameter"]) == ("name_mismatch", "legal_name")
    answer = post(
        client, url(open_lot, "registration"), {"legal_name": "Nino Beridze", "id_number": "123"}
    )
    assert (answer.json()["code"], answer.json()["parameter"]) == ("invalid_id_number", "id_number")
    assert not BidderRegistration.objects.exists()
