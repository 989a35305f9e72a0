# ruff: noqa: F811  (the fixtures imported below are arguments of the tests)
"""The public lot page and its bidding panel: what anyone, a citizen, a registered and a paid
bidder see and do, without JavaScript."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from estate.auctions import bid_place
from estate.models import Bid, BidderRegistration, LotStatus, RegistrationStatus
from tests.estate.auction_factories import (  # noqa: F401  (fixtures)
    bidder,
    make_lot,
    officer,
    open_lot,
    register_bidder,
    rival,
    verified_user,
)

pytestmark = pytest.mark.django_db


def page(lot, lang="en"):
    return f"/{lang}/estate/lots/{lot.reference}/"


def test_anyone_sees_a_published_lot_with_its_price_and_a_sign_in_link(client, open_lot):
    response = client.get(page(open_lot))
    assert response.status_code == 200
    html = response.content.decode()
    assert open_lot.title_en in html
    assert "1000.00" in html  # the start price and the minimum next bid
    assert f"?next=/en/estate/lots/{open_lot.reference}/" in html
    assert "Sign in to bid" in html
    assert reverse("estate-api:lot-events", args=[open_lot.reference]) in html
    assert response.context["path"] == []


def test_a_draft_lot_is_404_for_the_public_and_shown_to_its_officer(client, batumi, officer):
    draft = make_lot(batumi, created_by=officer, status=LotStatus.DRAFT)
    assert client.get(page(draft)).status_code == 404
    client.force_login(verified_user())
    assert client.get(page(draft)).status_code == 404
    client.force_login(officer)
    assert client.get(page(draft)).status_code == 200


def test_a_citizen_registers_and_sees_the_reason_of_a_refusal(client, open_lot):
    citizen = verified_user(first_name="Nino", last_name="Beridze")
    client.force_login(citizen)
    assert "Register to bid" in client.get(page(open_lot)).content.decode()
    url = reverse("estate:lot-register", args=[open_lot.reference])

    refused = client.post(url, {"legal_name": "Nino Beridze", "id_number": "123"})
    assert refused.status_code == 400
    assert "A personal number has 11 digits." in refused.content.decode()
    assert 'value="Nino Beridze"' in refused.content.decode()  # nothing typed is lost

    done = client.post(url, {"legal_name": "Nino Beridze", "id_number": "01001012345"})
    assert done.status_code == 302
    registration = BidderRegistration.objects.get(lot=open_lot, user=citizen)
    assert registration.status == RegistrationStatus.REGISTERED
    assert "Pay the deposit" in client.get(page(open_lot)).content.decode()


def test_a_registered_bidder_is_sent_to_pay_the_deposit(client, open_lot):
    registration = register_bidder(open_lot, paid=False)
    client.force_login(registration.user)
    response = client.post(reverse("estate:lot-deposit", args=[open_lot.reference]))
    assert response.status_code == 302
    assert "/pay/demo/" in response["Location"]


def test_a_paid_bidder_bids_with_the_plain_form_once_per_form(client, open_lot, bidder):
    client.force_login(bidder.user)
    html = client.get(page(open_lot)).content.decode()
    assert 'name="amount"' in html and 'value="1000.00"' in html
    url = reverse("estate:lot-bid", args=[open_lot.reference])
    form = {"amount": "1000.00", "key": str(uuid.uuid4())}

    first = client.post(url, form, follow=True)
    again = client.post(url, form, follow=True)  # the same form sent twice
    assert first.redirect_chain[-1][1] == 302
    assert "Your bid of 1000.00 GEL was accepted." in first.content.decode()
    assert again.status_code == 200
    assert Bid.objects.filter(lot=open_lot).count() == 1
    assert "You lead." in again.content.decode()


def test_a_refused_bid_says_why_and_keeps_the_amount(client, open_lot, bidder, rival):
    bid_place(lot_id=open_lot.pk, user=rival.user, amount=Decimal("1000"), key=uuid.uuid4())
    client.force_login(bidder.user)
    response = client.post(
        reverse("estate:lot-bid", args=[open_lot.reference]),
        {"amount": "1010.00", "key": str(uuid.uuid4())},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "The bid must be at least 1050.00 GEL." in html
    assert 'value="1010.00"' in html
    assert Bid.objects.filter(lot=open_lot).count() == 1


def test_an_outbid_bidder_is_told(client, open_lot, bidder, rival):
    bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    bid_place(lot_id=open_lot.pk, user=rival.user, amount=Decimal("1050"), key=uuid.uuid4())
    client.force_login(bidder.user)
    assert "You were outbid." in client.get(page(open_lot)).content.decode()


def test_an_awarded_lot_shows_the_winner_and_the_bidders_numbers(client, open_lot, bidder, rival):
    bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    bid_place(lot_id=open_lot.pk, user=rival.user, amount=Decimal("1100"), key=uuid.uuid4())
    open_lot.refresh_from_db()
    open_lot.status = LotStatus.AWARDED
    open_lot.winner = rival
    open_lot.final_price = Decimal("1100.00")
    open_lot.save()
    html = client.get(page(open_lot, "ka")).content.decode()
    assert f"#{rival.alias}" in html and f"#{bidder.alias}" in html
    assert "1100.00" in html


def test_a_failed_lot_links_its_next_attempt_and_back(client, batumi, officer):
    failed = make_lot(batumi, created_by=officer, status=LotStatus.FAILED)
    again = make_lot(batumi, created_by=officer, previous=failed, attempt=2)
    html = client.get(page(failed)).content.decode()
    assert "The auction failed" in html
    assert reverse("estate:lot", args=[again.reference]) in html
    assert (
        reverse("estate:lot", args=[failed.reference]) in client.get(page(again)).content.decode()
    )
