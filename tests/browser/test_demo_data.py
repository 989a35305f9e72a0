"""The map over the demo data generator's output, as `make run` shows it."""

import pytest

from tests.browser.pages import parcel_hash

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    demo = pytest.importorskip("fixtures.demo")
    demo.load_demo(parcels_per_city=300)


def test_demo_parcels_are_drawn_and_clickable_in_both_cities(map_page, page, page_errors, demo):
    from parcels.models import Parcel

    for code in ("BTM", "RST"):
        parcel = Parcel.objects.current().filter(municipality__code=code).order_by("id").first()
        assert parcel is not None
        map_page.open(f"/ka/{parcel_hash(parcel)}")
        map_page.click_centre()

        page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()
    assert not page_errors
