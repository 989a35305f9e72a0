"""A staff-only layer is invisible through the OGC API to the public, and answers 404 exactly
like a layer that does not exist; an API key granted it, or a staff member, sees it."""

import pytest

from core.models import Membership, Role
from layers.access import api_key_create
from tests.layers import ogc_helpers as ogc

PATHS = [
    "/ogcapi/collections/{name}",
    "/ogcapi/collections/{name}/items",
    "/ogcapi/collections/{name}/items/{pk}",
    "/ogcapi/collections/{name}/queryables",
    "/ogcapi/collections/{name}/tiles",
    "/ogcapi/collections/{name}/tiles/WebMercatorQuad",
    "/ogcapi/collections/{name}/tiles/WebMercatorQuad/17/0/0",
]


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 3)


@pytest.fixture
def hidden():
    with ogc.temporary_layer(ogc.staff_layer()) as layer:
        yield layer


def listed(client, **headers) -> set[str]:
    body = client.get("/ogcapi/collections?f=json", **headers).json()
    return {c["id"] for c in body["collections"]}


@pytest.mark.parametrize("path", PATHS)
def test_staff_layer_answers_404_to_the_public_like_an_unknown_one(client, grid, hidden, path):
    hidden_response = client.get(path.format(name=hidden.name, pk=grid[0].pk) + "?f=json")
    unknown_response = client.get(path.format(name="no-such-layer", pk=grid[0].pk) + "?f=json")
    assert hidden_response.status_code == unknown_response.status_code == 404
    assert hidden_response.json()["description"].replace(
        hidden.name, "X"
    ) == unknown_response.json()["description"].replace("no-such-layer", "X")


def test_staff_layer_is_absent_from_collections_and_the_api_definition(client, grid, hidden):
    assert hidden.name not in listed(client)
    paths = client.get("/ogcapi/api").json()["paths"]
    assert not any(hidden.name in path for path in paths)


def test_hidden_layer_answers_404_even_to_bad_parameters(client, grid, hidden):
    response = client.get(f"/ogcapi/collections/{hidden.name}/items?bbox=oops&foo=1")
    assert response.status_code == 404


def test_api_key_granted_the_layer_sees_it(client, grid, hidden):
    _, key = api_key_create(name="City GIS", layers=[hidden.name])
    assert hidden.name in listed(client, HTTP_X_API_KEY=key)
    response = client.get(f"/ogcapi/collections/{hidden.name}/items", HTTP_X_API_KEY=key)
    assert response.status_code == 200
    assert ogc.ids(response) == [p.pk for p in grid]
    for path in PATHS:
        url = path.format(name=hidden.name, pk=grid[0].pk)
        assert client.get(url, HTTP_X_API_KEY=key).status_code in (200, 204), url


def test_api_key_in_the_query_is_carried_into_every_link(client, grid, hidden):
    _, key = api_key_create(name="GDAL", layers=[hidden.name])
    body = client.get(f"/ogcapi/collections?api_key={key}").json()
    [entry] = [c for c in body["collections"] if c["id"] == hidden.name]
    assert all(f"api_key={key}" in link["href"] for link in entry["links"])
    page = client.get(f"/ogcapi/collections/{hidden.name}/items?limit=1&api_key={key}").json()
    following = next(link for link in page["links"] if link["rel"] == "next")
    assert f"api_key={key}" in following["href"]


def test_a_key_for_another_layer_does_not_open_it(client, grid, hidden):
    _, key = api_key_create(name="Other", layers=["zones"])
    assert hidden.name not in listed(client, HTTP_X_API_KEY=key)
    assert (
        client.get(f"/ogcapi/collections/{hidden.name}/items", HTTP_X_API_KEY=key).status_code
        == 404
    )


def test_staff_member_of_a_municipality_sees_it(client, grid, hidden, django_user_model):
    user = django_user_model.objects.create_user("planner@example.ge", password="x", is_staff=True)
    Membership.objects.create(user=user, municipality=grid[0].municipality, role=Role.PLANNER)
    client.force_login(user)
    assert hidden.name in listed(client)
    assert client.get(f"/ogcapi/collections/{hidden.name}/items").status_code == 200


def test_staff_flag_without_a_membership_is_not_enough(client, grid, hidden, django_user_model):
    user = django_user_model.objects.create_user("clerk@example.ge", password="x", is_staff=True)
    client.force_login(user)
    assert hidden.name not in listed(client)
    assert client.get(f"/ogcapi/collections/{hidden.name}/items").status_code == 404
