"""Superusers issue API keys in the admin; the key is shown once and opens what it was granted."""

import re

from layers.models import ApiKey


def test_a_superuser_issues_a_key_that_is_shown_once_and_works(
    client, db, admin_user, staff_only_layer
):
    client.force_login(admin_user)
    response = client.post(
        "/en/admin/layers/apikey/add/",
        {"name": "QGIS of the city", "layers": ["staff-parcels"]},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"gpk_[0-9a-f]+_[\w-]+", response.content.decode())
    assert shown is not None
    key = ApiKey.objects.get()
    assert key.layers == ["staff-parcels"] and key.created_by == admin_user
    assert shown.group(0) not in key.key_hash
    client.logout()
    tilejson = client.get("/tiles/staff-parcels.json", HTTP_X_API_KEY=shown.group(0))
    assert tilejson.status_code == 200


def test_revoked_key_opens_nothing(client, db, admin_user, staff_only_layer):
    from layers.access import api_key_create

    key, raw = api_key_create(name="Old system", layers=["staff-parcels"])
    client.force_login(admin_user)
    client.post(
        "/en/admin/layers/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    client.logout()
    assert client.get("/tiles/staff-parcels.json", HTTP_X_API_KEY=raw).status_code == 404


def test_staff_who_are_not_superusers_cannot_issue_keys(client, batumi, django_user_model):
    from core.models import Membership, Role

    officer = django_user_model.objects.create_user("gis@example.ge", password="x", is_staff=True)
    Membership.objects.create(user=officer, municipality=batumi, role=Role.MUNICIPAL_ADMIN)
    client.force_login(officer)
    assert client.get("/en/admin/layers/apikey/add/").status_code == 403
