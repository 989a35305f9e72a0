"""The estate plugs in with its own files (tests/core/test_plugging_in.py is the pattern): it
is in the navigation, on the card of a municipal parcel, and in the catalogue with its periods."""

from cases.catalogue import catalogue_load
from cases.models import Service
from core.models import Role
from core.modules import registry as modules


def test_the_estate_is_a_registered_module_with_its_role():
    module = modules.by_code("estate")
    assert module is not None and module.app == "estate"
    assert module.role == Role.PROPERTY_OFFICER
    assert "estate" in modules.codes_for_roles([Role.PROPERTY_OFFICER])


def test_its_link_is_in_the_header(client, batumi):
    page = client.get("/en/parcels/").text
    assert 'href="/en/estate/"' in page and "Municipal property" in page


def test_its_action_is_on_the_card_and_page_of_a_municipal_parcel_only(client, parcels):
    card = client.get("/en/parcels/card/", {"code": "05.24.11.005"}).text
    assert 'href="/en/estate/ask/?parcel=05.24.11.005"' in card
    assert "Ask to lease or buy" in client.get("/en/parcels/05.24.11.005/").text
    private = client.get("/en/parcels/card/", {"code": "05.24.11.006"}).text
    assert "/en/estate/ask/" not in private


def test_its_services_are_in_the_catalogue_with_default_periods(db):
    catalogue_load(module=modules.get("estate"))
    services = {s.code: s for s in Service.objects.in_module("estate").prefetch_related("periods")}
    assert set(services) == {"estate_offer_request", "estate_direct_lease", "estate_objection"}
    assert {code: s.period_for() for code, s in services.items()} == {
        "estate_offer_request": 20,
        "estate_direct_lease": 20,
        "estate_objection": 10,
    }
    for service in services.values():
        assert service.name_ka and service.name_en
        assert all(
            p.is_default and "Default set by the portal" in p.note for p in service.periods.all()
        )
    required = services["estate_direct_lease"].document_types.filter(required=True)
    assert set(required.values_list("code", flat=True)) == {
        "identity_extract",
        "justification_letter",
    }
