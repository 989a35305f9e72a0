"""The demo applications fill the public register, which WFS serves like every layer."""

import pytest

from cases.catalogue import catalogue_sync
from fixtures.demo import load_demo
from permits.demo import DEMO_APPLICANT_EMAIL, load_demo_applications
from tests.layers.test_wfs_every_layer import DEMO, check_get_feature


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    # The catalogue comes from a data migration, which a transactional test elsewhere may have
    # flushed from a reused test database; its loader is idempotent.
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


def test_the_demo_applications_are_on_the_register_served_by_wfs(client, db):
    load_demo(**DEMO)
    assert load_demo_applications() >= 1
    check_get_feature(client, "permit-applications")
    items = client.get(
        "/ogcapi/collections/permit-applications/items", HTTP_ACCEPT="application/geo+json"
    ).text
    assert DEMO_APPLICANT_EMAIL not in items and "applicant" not in items.lower()
