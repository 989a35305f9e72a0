"""A service plugs in with its own files: installed, the trial module (tests/plugin, only a
portal.py and a layers.py) appears in the navigation, the cards, the catalogue and the queue."""

import sys

import pytest
from django.apps import AppConfig, apps

from cases.catalogue import catalogue_sync
from cases.models import Service
from core.models import Role
from core.modules import registry as modules
from layers.registry import registry as layers
from tests.cases.factories import staff, submitted_case

PLUGIN = "tests.plugin"


@pytest.fixture
def trial_module(db):
    """The app installed as INSTALLED_APPS would install it, then discovered as at start-up.

    (Populating the whole app registry again would register the job queue's tasks twice.)
    """
    for name in (f"{PLUGIN}.portal", f"{PLUGIN}.layers"):
        sys.modules.pop(name, None)
    config = AppConfig.create(PLUGIN)
    config.apps = apps
    config.models = {}
    apps.app_configs[config.label] = config
    apps.clear_cache()
    modules.autodiscover()
    layers.autodiscover()
    yield modules.get(PLUGIN)
    del apps.app_configs[config.label]
    apps.clear_cache()
    modules.unregister(PLUGIN)
    layers.unregister("trial-planting-sites")


def test_installing_the_app_registers_its_module_and_layer(trial_module):
    assert trial_module is not None and trial_module.code == "trees"
    assert modules.by_code("trees") is trial_module
    assert layers.get_declared("trial-planting-sites") is not None


def test_its_public_link_is_in_the_header_and_its_staff_link_in_the_staff_menu(
    client, trial_module, batumi
):
    page = client.get("/en/parcels/").text
    assert 'href="/trial/"' in page and "Street trees" in page
    assert "Tree requests" not in page
    client.force_login(staff(batumi, Role.PROPERTY_OFFICER))
    assert 'href="/trial/queue/"' in client.get("/en/parcels/").text


def test_its_place_action_is_on_the_parcel_card_and_page(client, trial_module, parcels):
    card = client.get("/en/parcels/card/", {"code": "05.24.11.005"}).text
    assert 'href="/trial/?parcel=05.24.11.005"' in card and "Plant a tree here" in card
    page = client.get("/en/parcels/05.24.11.005/").text
    assert "Plant a tree here" in page


def test_its_panel_is_on_the_card_short_and_on_the_page_in_full(client, trial_module, parcels):
    card = client.get("/en/parcels/card/", {"code": "05.24.11.005"}).text
    assert '<section class="tree-census">3 trees counted</section>' in card
    page = client.get("/en/parcels/05.24.11.005/").text
    assert '<section class="tree-census">12 trees counted</section>' in page


def test_its_place_action_is_on_the_cards_of_features(client, trial_module, parcels):
    feature = parcels["rustaveli"]
    card = client.get("/en/layers/trial-planting-sites/card/", {"id": str(feature.pk)}).text
    assert "Plant a tree near here" in card


def test_its_services_join_the_catalogue_and_its_cases_the_queue(client, trial_module, batumi):
    catalogue_sync()
    service = Service.objects.get(code="tree_planting")
    assert service.module == "trees" and service.name_en == "Tree planting"
    case = submitted_case(service=service, municipality=batumi)
    officer = staff(batumi, Role.PROPERTY_OFFICER)
    client.force_login(officer)
    queue = client.get("/en/cases/queue/").text
    assert case.reference in queue
    assert f'href="/trial/cases/{case.reference}/"' in queue
    assert "Open the tree register" in client.get(f"/en/cases/{case.reference}/").text
    planner = staff(batumi, Role.PLANNER)
    client.force_login(planner)
    assert case.reference not in client.get("/en/cases/queue/").text
