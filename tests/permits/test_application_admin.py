"""The admin lists permit applications read-only, to staff of their municipality only."""

import pytest

from cases.catalogue import catalogue_sync
from core.models import Role
from permits.services import permit_application_start
from tests.cases.factories import applicant, staff


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    # The catalogue comes from a data migration, which a transactional test elsewhere may have
    # flushed from a reused test database; its loader is idempotent.
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"


def test_planners_see_only_their_municipalitys_applications_read_only(client, batumi, rustavi):
    ours = permit_application_start(
        applicant=applicant(), stage="merged", building_class="II", municipality=batumi
    )
    theirs = permit_application_start(
        applicant=applicant(), stage="merged", building_class="II", municipality=rustavi
    )
    planner = staff(batumi, Role.PLANNER)
    planner.is_staff = True
    planner.save()
    client.force_login(planner)
    listing = client.get("/en/admin/permits/permitapplication/")
    assert listing.status_code == 200
    assert ours.case.reference in listing.text and theirs.case.reference not in listing.text
    assert client.get(f"/en/admin/permits/permitapplication/{theirs.pk}/change/").status_code in (
        302,
        403,
        404,
    )
    assert client.get("/en/admin/permits/permitapplication/add/").status_code == 403
