"""The demo estate: assets on the municipal parcels of each demo city, lots with their terms,
one auction running in Batumi with bids placed through the engine, a closed one with its price
path; loading again adds nothing."""

import pytest
from django.db import transaction

from estate.demo import ASSETS_PER_CITY, load_demo_estate
from estate.models import Asset, AssetKind, Bid, Lot, LotStatus
from fixtures.demo import load_demo

pytestmark = pytest.mark.django_db

# Small cities: enough municipal parcels and buildings for every kind of asset and lot.
PARCELS = 1500


@pytest.fixture(scope="module")
def estate(django_db_setup, django_db_blocker):
    """Both cities and their estate, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(parcels_per_city=PARCELS, seed=42)
        yield load_demo_estate()
        transaction.set_rollback(True)


def test_each_city_gets_its_register(db, estate):
    for code in ("BTM", "RST"):
        assets = Asset.objects.filter(municipality__code=code)
        assert 40 <= assets.count() <= ASSETS_PER_CITY
        kinds = set(assets.values_list("kind", flat=True))
        assert kinds == {AssetKind.LAND, AssetKind.BUILDING, AssetKind.UNIT}
        land = assets.filter(kind=AssetKind.LAND).select_related("parcel")
        assert all(asset.parcel.is_municipal_property for asset in land)
        assert not assets.filter(ownership_document="").exists()
        assert assets.filter(state="in_use").count() > assets.filter(state="listed").count()


def test_one_auction_runs_in_batumi_with_bids(db, estate):
    [running] = Lot.objects.filter(status=LotStatus.PUBLISHED, bids__isnull=False).distinct()

    assert running.municipality.code == "BTM"
    bids = list(Bid.objects.filter(lot=running).order_by("sequence"))
    assert len(bids) >= 3
    assert all(
        b.amount - a.amount >= running.bid_step for a, b in zip(bids, bids[1:], strict=False)
    )
    assert running.current_price == bids[-1].amount
    assert running.lot_assets.get().asset.state == "in_auction"


def test_a_closed_auction_has_its_price_path(db, estate):
    awarded = Lot.objects.filter(status=LotStatus.AWARDED, municipality__code="BTM").get()

    amounts = list(awarded.bids.order_by("sequence").values_list("amount", flat=True))
    assert amounts == sorted(amounts) and amounts[-1] == awarded.final_price
    assert awarded.winner_id is not None


def test_loading_again_adds_nothing(db, estate):
    before = (Asset.objects.count(), Lot.objects.count(), Bid.objects.count())

    again = load_demo_estate()

    assert again.assets == {}
    assert (Asset.objects.count(), Lot.objects.count(), Bid.objects.count()) == before
