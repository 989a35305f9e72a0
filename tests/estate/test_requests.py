"""Applications about the estate through the one window: asking for an asset to be offered, a
direct lease and an objection each become a submitted case with its period, in the right
municipality's queue; what may not be asked changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import calendar
from cases import services as case_services
from cases.catalogue import catalogue_load
from cases.models import Case, Outcome, Status
from core.models import Role
from core.modules import Place
from core.modules import registry as modules
from estate.models import AssetState, EstateRequest, LotStatus, RequestKind
from estate.portal import place_actions
from tests.cases.factories import applicant, pdf_file, run_document_jobs, staff
from tests.conftest import RUSTAVI_ORIGIN, make_parcel
from tests.estate.window_factories import asset_of, bidder, lot_of

PARCEL = "05.24.11.005"  # Rustaveli St. 12, Batumi: municipal property (tests/conftest.py)
PRIVATE = "05.24.11.006"


@pytest.fixture(autouse=True)
def window_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    settings.GISPORTAL_PUBLIC_URL = "http://portal.test"


@pytest.fixture
def catalogue(db):
    catalogue_load(module=modules.get("estate"))


@pytest.fixture
def citizen():
    return applicant()


@pytest.fixture
def asset(parcels):
    return asset_of(parcels["rustaveli"], "BTM-A-0001")


def signed_in(client, user):
    client.force_login(user)
    return client


def ask(client, query: str, **data):
    fields = {"wanted": "lease", "lease_months": "24", "purpose": "A café with a terrace."}
    fields.update(data)
    return client.post(f"/en/estate/ask/?{query}", {k: v for k, v in fields.items() if v})


def the_case(kind: str) -> Case:
    return EstateRequest.objects.select_related("case__service").get(kind=kind).case


# --- Asking for an asset to be offered --------------------------------------------------------


def test_asking_at_a_parcel_submits_a_case_with_its_period_in_batumi(
    client, catalogue, citizen, asset, batumi
):
    answer = ask(signed_in(client, citizen), f"parcel={PARCEL}", asset=asset.reference)
    case = the_case(RequestKind.OFFER)
    assert answer.status_code == 302 and answer["Location"] == f"/en/cases/{case.reference}/"
    assert case.service.code == "estate_offer_request" and case.status == Status.SUBMITTED
    assert case.municipality == batumi and case.applicant == citizen
    assert case.period_days == 20
    assert case.due_date == calendar.add_working_days(calendar.today(), 20)
    request = case.estate
    assert (request.asset, request.wanted, request.lease_months) == (asset, "lease", 24)
    assert request.cadastral_code == PARCEL and request.purpose == "A café with a terrace."
    page = client.get(answer["Location"]).text
    assert "A café with a terrace." in page and "BTM-A-0001" in page


def test_a_municipal_parcel_not_in_the_register_is_asked_for_by_its_code(
    client, catalogue, citizen, parcels
):
    page = signed_in(client, citizen).get(f"/en/estate/ask/?parcel={PARCEL}").text
    assert "not yet in the register" in page
    answer = ask(client, f"parcel={PARCEL}", wanted="sale", lease_months="")
    assert answer.status_code == 302
    request = the_case(RequestKind.OFFER).estate
    assert request.asset is None and request.cadastral_code == PARCEL
    assert request.wanted == "sale" and request.lease_months is None


def test_the_case_is_in_my_applications_and_in_batumis_property_queue_only(
    client, catalogue, citizen, asset, batumi, rustavi
):
    ask(signed_in(client, citizen), f"asset={asset.reference}")
    reference = the_case(RequestKind.OFFER).reference
    assert reference in client.get("/en/cases/mine/").text
    signed_in(client, staff(batumi, Role.PROPERTY_OFFICER))
    assert reference in client.get("/en/cases/queue/").text
    signed_in(client, staff(rustavi, Role.PROPERTY_OFFICER))
    assert reference not in client.get("/en/cases/queue/").text
    assert client.get(f"/en/cases/{reference}/").status_code == 404
    signed_in(client, staff(batumi, Role.PLANNER))
    assert reference not in client.get("/en/cases/queue/").text


def test_a_bad_form_keeps_what_was_typed_and_creates_nothing(client, catalogue, citizen, asset):
    answer = ask(
        signed_in(client, citizen),
        f"parcel={PARCEL}",
        asset=asset.reference,
        lease_months="",
        purpose="Kindergarten",
    )
    assert answer.status_code == 400
    assert "Say for how many months you want it." in answer.text
    assert "Kindergarten" in answer.text
    assert not Case.objects.exists()


def test_an_asset_already_offered_points_to_its_auction(client, catalogue, citizen, parcels):
    listed = asset_of(parcels["rustaveli"], "BTM-A-0002", state=AssetState.IN_AUCTION)
    lot_of(listed, "BTM-L-2026-0001")
    page = signed_in(client, citizen).get(f"/en/estate/ask/?asset={listed.reference}")
    assert "offered already" in page.text and "<form" not in page.text.split("<main")[1]
    assert ask(client, f"asset={listed.reference}").status_code == 200
    assert not Case.objects.exists()


def test_asking_twice_about_the_same_asset_is_refused(client, catalogue, citizen, asset):
    ask(signed_in(client, citizen), f"asset={asset.reference}")
    again = ask(client, f"asset={asset.reference}")
    assert again.status_code == 400 and "still open" in again.text
    assert Case.objects.count() == 1


def test_a_private_parcel_cannot_be_asked_for(client, catalogue, citizen, parcels):
    page = signed_in(client, citizen).get(f"/en/estate/ask/?parcel={PRIVATE}")
    assert "not municipal property" in page.text
    assert ask(client, f"parcel={PRIVATE}").status_code == 200
    assert not Case.objects.exists()


def test_anonymous_people_are_sent_to_sign_in_and_back(client, catalogue, parcels):
    answer = client.get(f"/en/estate/ask/?parcel={PARCEL}")
    assert answer.status_code == 302
    assert "next=/en/estate/ask/%3Fparcel%3D05.24.11.005" in answer["Location"]


# --- A direct lease ---------------------------------------------------------------------------


def test_a_direct_lease_is_applied_for_with_its_documents(client, catalogue, citizen, parcels):
    asset = asset_of(parcels["rustaveli"], "BTM-A-0003", direct_lease_allowed=True)
    answer = signed_in(client, citizen).post(
        f"/en/estate/direct-lease/?asset={asset.reference}",
        {
            "lease_months": "36",
            "purpose": "A day centre for the elderly.",
            "doc_identity_extract": pdf_file("extract.pdf"),
            "doc_justification_letter": pdf_file("letter.pdf"),
        },
    )
    assert answer.status_code == 302
    case = the_case(RequestKind.DIRECT_LEASE)
    assert case.status == Status.SUBMITTED and case.period_days == 20
    assert sorted(case.documents.values_list("doc_type", flat=True)) == [
        "identity_extract",
        "justification_letter",
    ]


def test_a_direct_lease_without_its_documents_keeps_the_form(client, catalogue, citizen, parcels):
    asset = asset_of(parcels["rustaveli"], "BTM-A-0003", direct_lease_allowed=True)
    answer = signed_in(client, citizen).post(
        f"/en/estate/direct-lease/?asset={asset.reference}",
        {"lease_months": "36", "purpose": "A day centre for the elderly."},
    )
    assert answer.status_code == 400
    assert "A day centre for the elderly." in answer.text
    assert not Case.objects.exists()


def test_a_direct_lease_the_council_did_not_allow_is_explained_and_changes_nothing(
    client, catalogue, citizen, asset
):
    url = f"/en/estate/direct-lease/?asset={asset.reference}"
    page = signed_in(client, citizen).get(url).text
    assert "has not allowed this asset to be leased without an auction" in page
    assert f'href="/en/estate/ask/?asset={asset.reference}"' in page
    answer = client.post(url, {"lease_months": "12", "purpose": "Shop"})
    assert answer.status_code == 400
    assert not Case.objects.exists()


# --- An objection -----------------------------------------------------------------------------


@pytest.fixture
def closed_lot(asset):
    return lot_of(
        asset,
        "BTM-L-2026-0009",
        status=LotStatus.AWARDED,
        closed_at=timezone.now() - datetime.timedelta(days=1),
    )


def test_a_bidder_objects_to_the_result(client, catalogue, citizen, closed_lot, batumi):
    bidder(closed_lot, citizen)
    answer = signed_in(client, citizen).post(
        f"/en/estate/object/?lot={closed_lot.reference}",
        {"grounds": "The close was moved without a bid."},
    )
    assert answer.status_code == 302
    case = the_case(RequestKind.OBJECTION)
    assert case.status == Status.SUBMITTED and case.municipality == batumi
    assert case.period_days == 10 and case.estate.lot == closed_lot
    assert case.payload["lot"] == closed_lot.reference


def test_someone_who_did_not_register_to_bid_cannot_object(client, catalogue, citizen, closed_lot):
    url = f"/en/estate/object/?lot={closed_lot.reference}"
    assert "Only a bidder who registered" in signed_in(client, citizen).get(url).text
    assert client.post(url, {"grounds": "Unfair."}).status_code == 400
    assert not Case.objects.exists()


def test_an_objection_after_ten_working_days_is_refused(
    client, catalogue, citizen, closed_lot, monkeypatch
):
    bidder(closed_lot, citizen)
    closed_on = timezone.localdate(closed_lot.closed_at)
    last_day = calendar.add_working_days(closed_on, 10)
    monkeypatch.setattr("cases.calendar.today", lambda: last_day + datetime.timedelta(days=1))
    answer = signed_in(client, citizen).post(
        f"/en/estate/object/?lot={closed_lot.reference}", {"grounds": "Unfair."}
    )
    assert answer.status_code == 400 and "were taken until" in answer.text
    assert not Case.objects.exists()


def test_a_lot_being_prepared_is_not_found(client, catalogue, citizen, asset):
    draft = lot_of(asset, "BTM-L-2026-0010", status=LotStatus.DRAFT)
    answer = signed_in(client, citizen).get(f"/en/estate/object/?lot={draft.reference}")
    assert answer.status_code == 404


# --- On the map -------------------------------------------------------------------------------


def place_at(parcel) -> Place:
    return Place(lon=41.64, lat=41.64, municipality=parcel.municipality, parcel=parcel)


def test_a_municipal_parcel_offers_to_ask_see_the_auction_and_lease_directly(
    parcels, django_assert_num_queries
):
    parcel = parcels["rustaveli"]
    offered = asset_of(parcel, "BTM-A-0004", state=AssetState.IN_AUCTION)
    lot_of(offered, "BTM-L-2026-0004")
    asset_of(parcel, "BTM-A-0005", direct_lease_allowed=True)
    with django_assert_num_queries(1):
        links = place_actions(place_at(parcel), None)
    labels = [str(link.label) for link in links]
    assert labels[0] == "Ask to lease or buy" and links[0].primary
    assert links[0].url == f"/en/estate/ask/?parcel={PARCEL}"
    assert "Apply for a direct lease" in labels
    assert "/en/estate/direct-lease/?asset=BTM-A-0005" in [link.url for link in links]
    assert "See the auction" in labels


def test_a_private_parcel_offers_nothing_and_asks_nothing(parcels, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert place_actions(place_at(parcels["gorgiladze"]), None) == []


def test_the_parcel_card_shows_ask_to_lease_or_buy(client, parcels):
    card = client.get("/en/parcels/card/", {"code": PARCEL}).text
    assert "Ask to lease or buy" in card and f"/en/estate/ask/?parcel={PARCEL}" in card
    assert "Ask to lease or buy" not in client.get("/en/parcels/card/", {"code": PRIVATE}).text


# --- Decisions --------------------------------------------------------------------------------


def decide(case, outcome, officer):
    case_services.case_transition(case=case, to=Status.IN_REVIEW, by=officer)
    return case_services.decision_issue(
        case=case, outcome=outcome, by=officer, reasons="Reasons." if outcome else ""
    )


def test_an_approved_request_lists_the_asset_for_the_officers_lot(
    client, catalogue, citizen, asset, batumi
):
    ask(signed_in(client, citizen), f"asset={asset.reference}")
    decide(the_case(RequestKind.OFFER), Outcome.APPROVED, staff(batumi, Role.PROPERTY_OFFICER))
    asset.refresh_from_db()
    assert asset.state == AssetState.LISTED
    assert run_document_jobs() == 1
    assert the_case(RequestKind.OFFER).decision.pdf


def test_a_refused_request_leaves_the_asset_as_it_was(client, catalogue, citizen, asset, batumi):
    ask(signed_in(client, citizen), f"asset={asset.reference}")
    decide(the_case(RequestKind.OFFER), Outcome.REFUSED, staff(batumi, Role.PROPERTY_OFFICER))
    asset.refresh_from_db()
    assert asset.state == AssetState.AVAILABLE


def test_the_decision_names_the_place_and_what_was_asked(client, catalogue, citizen, asset):
    ask(signed_in(client, citizen), f"asset={asset.reference}")
    content = modules.decision_content(the_case(RequestKind.OFFER))
    assert content["place"] == f"{PARCEL} — Rustaveli St. 12"
    facts = dict(content["facts"])
    assert facts["Register number"] == "BTM-A-0001" and facts["Term"] == "24 months"
    assert facts["Purpose"] == "A café with a terrace."


def test_staff_links_ask_nothing_of_the_database(
    client, catalogue, citizen, closed_lot, batumi, django_assert_num_queries
):
    bidder(closed_lot, citizen)
    signed_in(client, citizen).post(
        f"/en/estate/object/?lot={closed_lot.reference}", {"grounds": "Unfair."}
    )
    case = Case.objects.select_related("service").get()
    officer = staff(batumi, Role.PROPERTY_OFFICER)
    with django_assert_num_queries(0):
        links = modules.case_links(case, officer, staff=True)
    assert [str(link.label) for link in links] == ["Open the auction"]


def test_a_rustavi_parcel_is_asked_for_in_rustavi(client, catalogue, citizen, rustavi):
    x, y = RUSTAVI_ORIGIN
    parcel = make_parcel(rustavi, "02.07.03.099", x + 300, y + 300, is_municipal_property=True)
    ask(signed_in(client, citizen), f"parcel={parcel.cadastral_code}")
    assert the_case(RequestKind.OFFER).municipality == rustavi


def test_a_parcel_with_several_assets_asks_which_one(client, catalogue, citizen, parcels):
    parcel = parcels["rustaveli"]
    asset_of(parcel, "BTM-A-0006")
    building = asset_of(parcel, "BTM-A-0007", kind="building", name_en="Old school")
    page = signed_in(client, citizen).get(f"/en/estate/ask/?parcel={PARCEL}").text
    assert "Which asset" in page and "Old school" in page
    missing = ask(client, f"parcel={PARCEL}")
    assert missing.status_code == 400 and not Case.objects.exists()
    assert ask(client, f"parcel={PARCEL}", asset=building.reference).status_code == 302
    assert the_case(RequestKind.OFFER).estate.asset == building


def test_an_approved_direct_lease_leads_the_officer_to_its_contract(
    client, catalogue, citizen, parcels, batumi
):
    asset = asset_of(parcels["rustaveli"], "BTM-A-0008", direct_lease_allowed=True)
    signed_in(client, citizen).post(
        f"/en/estate/direct-lease/?asset={asset.reference}",
        {
            "lease_months": "12",
            "purpose": "A public library.",
            "doc_identity_extract": pdf_file("extract.pdf"),
            "doc_justification_letter": pdf_file("letter.pdf"),
        },
    )
    case = the_case(RequestKind.DIRECT_LEASE)
    officer = staff(batumi, Role.PROPERTY_OFFICER)
    assert modules.case_links(case, officer, staff=True) == []
    decide(case, Outcome.APPROVED, officer)
    asset.refresh_from_db()
    assert asset.state == AssetState.AVAILABLE  # the contract, not the decision, leases it
    [link] = modules.case_links(case, officer, staff=True)
    assert link.url.endswith(f"/estate/contracts/new/?request={case.reference}")
