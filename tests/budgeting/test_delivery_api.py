# ruff: noqa: F811
"""The API of cycles and projects: the public cycles with their phases, rules and budgets; the
projects as GeoJSON with filters; a winner with its delivery; bad filters refused in the
project's error shape; cycles being drafted and proposals that are not public answer 404."""

from __future__ import annotations

import pytest

from budgeting import delivery
from tests.budgeting.delivery_factories import (  # noqa: F401 - fixtures
    batumi_officer,
    image,
    officer,
    resident,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SYNC = True


def test_the_cycles_are_listed_without_those_being_drafted(client, world):
    response = client.get("/api/v1/budgeting/cycles/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [cycle] = body["results"]
    assert cycle["id"] == world["cycle"].pk and cycle["municipality"] == "RST"
    assert cycle["phase"] == "finished" and cycle["total"] == 500_000
    assert client.get("/api/v1/budgeting/cycles/?municipality=BTM").json()["count"] == 0


def test_an_unknown_municipality_is_refused(client, world):
    response = client.get("/api/v1/budgeting/cycles/?municipality=XYZ")

    assert response.status_code == 400
    assert response.json()["parameter"] == "municipality"


def test_a_cycle_has_its_phases_rules_and_budgets(client, world):
    response = client.get(f"/api/v1/budgeting/cycles/{world['cycle'].pk}/")

    assert response.status_code == 200
    body = response.json()
    kinds = [p["kind"] for p in body["phases"]]
    assert kinds[0] == "drafting" and kinds[-1] == "reviewing_ballots"
    assert not any(p["current"] for p in body["phases"])
    assert body["rules"]["ballot_kind"] == "knapsack"
    assert body["rules"]["min_share_percent"] == 70
    [budget] = body["budgets"]
    assert budget["amount"] == 500_000 and budget["district"]["code"] == "old-rustavi"


def test_a_cycle_being_drafted_answers_404(client, world):
    response = client.get(f"/api/v1/budgeting/cycles/{world['draft'].pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_projects_are_geojson_with_filters(client, world):
    response = client.get("/api/v1/budgeting/projects/")

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["count"] == 4
    feature = body["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert 44 < lon < 46 and 41 < lat < 42
    winners = client.get("/api/v1/budgeting/projects/?winner=1").json()
    assert {f["id"] for f in winners["features"]} == {
        world["park"].reference,
        world["playground"].reference,
    }
    lost = next(f for f in body["features"] if f["id"] == world["lost"].reference)
    assert lost["properties"]["delivery_status"] is None
    by_delivery = client.get("/api/v1/budgeting/projects/?delivery=in_progress").json()
    assert [f["id"] for f in by_delivery["features"]] == [world["park"].reference]
    submitted = client.get("/api/v1/budgeting/projects/?status=submitted").json()
    assert [f["id"] for f in submitted["features"]] == [world["submitted"].reference]
    for query in (f"cycle={world['cycle'].pk}", f"budget={world['budget'].pk}"):
        assert client.get(f"/api/v1/budgeting/projects/?{query}").json()["count"] == 4
    assert client.get("/api/v1/budgeting/projects/?cycle=999999").json()["count"] == 0
    page = client.get("/api/v1/budgeting/projects/?limit=1").json()
    assert len(page["features"]) == 1 and page["next"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=merged", "status"),
        ("delivery=finished", "delivery"),
        ("winner=maybe", "winner"),
        ("cycle=abc", "cycle"),
        ("limit=100000", "limit"),
    ],
)
def test_bad_filters_are_refused(client, world, query, parameter):
    response = client.get(f"/api/v1/budgeting/projects/?{query}")

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_a_winner_comes_with_its_delivery(client, world, officer):
    park = world["park"]
    delivery.report(
        proposal=park, by=officer, delivery_status="in_progress", progress=55, note_en="Started"
    )
    delivery.photo_add(proposal=park, by=officer, file=image(), caption="Yard")

    response = client.get(f"/api/v1/budgeting/projects/{park.reference}/")

    assert response.status_code == 200
    body = response.json()
    assert body["area"]["type"] == "MultiPolygon"
    found = body["properties"]["delivery"]
    assert found["status"] == "in_progress" and found["progress"] == 55
    assert [m["title_en"] for m in found["milestones"]] == ["Tender", "Handover"]
    assert found["milestones"][0]["done_on"] == "2026-05-03"
    assert found["updates"][0]["note_en"] == "Started"
    assert found["photos"][0]["caption"] == "Yard"
    assert "author" not in body["properties"]


def test_a_project_that_lost_has_no_delivery(client, world):
    response = client.get(f"/api/v1/budgeting/projects/{world['lost'].reference}/")

    assert response.status_code == 200
    assert response.json()["properties"]["delivery"] is None
    assert response.json()["area"] is None


def test_a_project_not_public_answers_404(client, world):
    lost = world["lost"]
    lost.status = "withdrawn"
    lost.save()

    assert client.get(f"/api/v1/budgeting/projects/{lost.reference}/").status_code == 404
    assert client.get("/api/v1/budgeting/projects/PB-NONE/").status_code == 404
