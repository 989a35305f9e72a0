"""The admin: municipal administrators see the catalogue and their municipality's cases only."""

from core.models import Role
from tests.cases.factories import staff, submitted_case


def test_a_municipal_admin_sees_the_catalogue_and_only_their_cases(
    client, service, batumi, rustavi
):
    ours = submitted_case(service=service, municipality=batumi)
    theirs = submitted_case(service=service, municipality=rustavi)
    admin = staff(batumi, Role.MUNICIPAL_ADMIN)
    client.force_login(admin)
    assert client.get("/en/admin/cases/service/").status_code == 200
    page = client.get("/en/admin/cases/case/").content.decode()
    assert ours.reference in page and theirs.reference not in page
    assert client.get(f"/en/admin/cases/case/{theirs.pk}/change/").status_code == 404
    assert client.get(f"/en/admin/cases/case/{ours.pk}/change/").status_code == 200
    # Services offered everywhere are shown, but only a superuser changes them.
    response = client.get(f"/en/admin/cases/service/{service.pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_a_service_is_given_to_one_of_the_installed_modules(admin_client, batumi):
    page = admin_client.get("/en/admin/cases/service/add/").content.decode()
    assert '<option value="permits">Building permits (permits)</option>' in page
    response = admin_client.post(
        "/en/admin/cases/service/add/",
        {
            "code": "unknown_module_service",
            "name_ka": "სატესტო",
            "name_en": "Test",
            "module": "no-such-module",
            "working_days": 5,
            "fee_gel": "0",
            "periods-TOTAL_FORMS": "0",
            "periods-INITIAL_FORMS": "0",
            "document_types-TOTAL_FORMS": "0",
            "document_types-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
