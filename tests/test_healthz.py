"""/healthz: a JSON answer that load balancers and checks rely on (docs/DESIGN.md)."""

import re


def test_healthz_reports_ok_with_the_database_and_postgis_versions(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"].startswith("PostgreSQL ")
    assert re.match(r"^\d+\.\d+", body["postgis"])


def test_healthz_answers_without_a_language_prefix_or_a_redirect(client, db):
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200


def test_healthz_refuses_to_be_posted_to(client, db):
    response = client.post("/healthz")

    assert response.status_code == 405
