"""A staff-only dataset hides from the public; only its municipality's GIS staff manage it."""

import pytest

from core.models import Role
from datasets.models import VisibilityChoices
from datasets.services import FileChoices, dataset_publish, dataset_update_metadata, dataset_upload
from layers.registry import registry
from tests.core.factories import MembershipFactory
from tests.datasets.conftest import kindergartens_gpkg, tile_path, upload_of


@pytest.fixture
def dataset(officer, batumi, tmp_path):
    path = kindergartens_gpkg(tmp_path)
    version = dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="ბაღები",
        title_en="Kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
        choices=FileChoices(layer="kindergartens"),
    )
    return dataset_publish(user=officer, dataset=version.dataset)


@pytest.fixture
def staff_only(dataset, officer):
    return dataset_update_metadata(
        user=officer, dataset=dataset, visibility=VisibilityChoices.STAFF
    )


def test_a_staff_only_dataset_is_invisible_to_the_public(client, staff_only):
    from django.contrib.auth.models import AnonymousUser

    assert "kindergartens" not in {layer.name for layer in registry.visible_to(AnonymousUser())}
    assert client.get(tile_path("kindergartens", 600, 500)).status_code == 404
    assert client.get("/tiles/kindergartens.json").status_code == 404
    assert client.get("/api/v1/datasets/kindergartens/dcat.jsonld").status_code == 404
    assert client.get("/api/v1/datasets/kindergartens/iso19115.xml").status_code == 404


def test_a_staff_only_dataset_is_served_to_its_municipality_staff_only(
    client, staff_only, batumi, rustavi
):
    planner = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
    client.force_login(planner)
    assert client.get(tile_path("kindergartens", 600, 500)).status_code == 200
    other = MembershipFactory(municipality=rustavi, role=Role.PLANNER).user
    client.force_login(other)
    assert client.get(tile_path("kindergartens", 600, 500)).status_code == 404


def test_another_municipality_officer_gets_404(client, dataset, rustavi_officer):
    client.force_login(rustavi_officer)
    assert client.get("/api/v1/datasets/kindergartens/").status_code == 404
    assert client.post("/api/v1/datasets/kindergartens/publish/").status_code == 404
    assert client.post("/api/v1/datasets/kindergartens/versions/1/activate/").status_code == 404
    assert client.get("/api/v1/datasets/").json()["datasets"] == []
    assert client.get("/en/datasets/kindergartens/").status_code == 404


def test_staff_without_the_gis_role_may_not_upload(client, dataset, batumi):
    planner = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
    client.force_login(planner)
    assert client.get("/api/v1/datasets/").status_code == 403
    assert client.get("/en/datasets/").status_code == 403


def test_a_municipal_administrator_manages_datasets(client, dataset, batumi):
    admin = MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user
    client.force_login(admin)
    assert client.get("/api/v1/datasets/kindergartens/").status_code == 200


def test_citizens_are_refused_and_anonymous_people_sent_to_sign_in(client, dataset, citizen):
    assert client.get("/api/v1/datasets/").status_code == 403
    response = client.get("/en/datasets/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(citizen)
    assert client.get("/api/v1/datasets/").status_code == 403
    assert client.post("/api/v1/datasets/kindergartens/publish/").status_code == 403
