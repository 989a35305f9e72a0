"""Deadlines per stage and class come from the catalogue and staff edit them in the admin: a
period changed there sets the due date of the applications submitted afterwards (those already
submitted keep theirs)."""

import datetime
from html.parser import HTMLParser

import pytest

from cases import calendar
from cases.catalogue import catalogue_sync
from cases.models import DocumentType, Service, ServicePeriod
from core.models import Role
from tests.cases.factories import (
    ServiceFactory,
    on_day,
    staff,
    submitted_case,
)
from tests.core.factories import UserFactory

D = datetime.date


class _FormValues(HTMLParser):
    """What a browser would post from the page's main admin form, as a dict of lists."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(html: str) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(html)
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def period_field(values: dict, variant: str) -> str:
    """The inline form field holding the working days of this variant's period row."""
    for name, value in values.items():
        if name.startswith("periods-") and name.endswith("-variant") and value == [variant]:
            return name.removesuffix("-variant") + "-working_days"
    raise AssertionError(f"no period row for {variant}")


def edit_period(client, service: Service, variant: str, working_days: int):
    url = f"/en/admin/cases/service/{service.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    values = form_values(page.content.decode())
    values[period_field(values, variant)] = [str(working_days)]
    return client.post(url, {**values, "_save": "Save"})


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_catalogue_holds_a_period_for_every_stage_and_class(db):
    catalogue_sync()
    for code in (
        "permit_land_use_conditions",
        "permit_project_agreement",
        "permit_construction_permit",
        "permit_merged",
    ):
        service = Service.objects.get(code=code, municipality=None)
        assert {p.variant for p in service.periods.all()} >= {"II", "III", "IV"}, code


def test_a_period_changed_in_the_admin_sets_the_due_date_of_new_cases(
    client, monkeypatch, superuser, batumi
):
    service = ServiceFactory(working_days=10)
    ServicePeriod.objects.create(service=service, variant="III", working_days=20)
    DocumentType.objects.create(
        service=service,
        code="plan",
        name_ka="გეგმა",
        name_en="Site plan",
        required=True,
        content_types=["application/pdf"],
        max_size_mb=1,
    )
    on_day(monkeypatch, D(2026, 6, 1))
    before = submitted_case(service=service, municipality=batumi, variant="III")
    assert before.due_date == calendar.add_working_days(D(2026, 6, 1), 20)

    client.force_login(superuser)
    response = edit_period(client, service, "III", 25)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert service.periods.get(variant="III").working_days == 25

    after = submitted_case(service=service, municipality=batumi, variant="III")
    assert after.period_days == 25
    assert after.due_date == calendar.add_working_days(D(2026, 6, 1), 25)
    before.refresh_from_db()
    assert before.due_date == calendar.add_working_days(D(2026, 6, 1), 20)


def test_a_municipal_admin_edits_their_municipalitys_periods_only(client, batumi, rustavi):
    ours = ServiceFactory(municipality=batumi, working_days=10)
    ServicePeriod.objects.create(service=ours, variant="II", working_days=10)
    everywhere = ServiceFactory(working_days=10)
    ServicePeriod.objects.create(service=everywhere, variant="II", working_days=10)
    theirs = ServiceFactory(municipality=rustavi, working_days=10)
    ServicePeriod.objects.create(service=theirs, variant="II", working_days=10)
    admin = staff(batumi, Role.MUNICIPAL_ADMIN)
    client.force_login(admin)

    assert edit_period(client, ours, "II", 12).status_code == 302
    assert ours.periods.get(variant="II").working_days == 12

    # A service offered everywhere is shown read-only; only a superuser changes it.
    url = f"/en/admin/cases/service/{everywhere.pk}/change/"
    assert client.post(url, {"working_days": "5"}).status_code == 403
    assert everywhere.periods.get(variant="II").working_days == 10
    # Another municipality's service is not there at all.
    assert client.get(f"/en/admin/cases/service/{theirs.pk}/change/").status_code == 404


def test_a_permit_stage_and_class_period_edited_in_the_admin_sets_the_permits_due_date(
    client, monkeypatch, superuser, batumi
):
    from cases.services import case_document_add
    from permits.services import (
        permit_application_start,
        permit_application_submit,
        permit_application_update,
    )
    from tests.cases.factories import applicant, pdf_file
    from tests.conftest import multi, square
    from tests.parcels.factories import ParcelFactory
    from tests.permits.api_helpers import X, Y
    from tests.permits.factories import ZoneFactory

    catalogue_sync()
    merged = Service.objects.get(code="permit_merged", municipality=None)
    client.force_login(superuser)
    assert edit_period(client, merged, "III", 33).status_code == 302

    on_day(monkeypatch, D(2026, 6, 1))
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="III", parcel_codes=["05.24.11.005"]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    application.case.refresh_from_db()
    assert application.case.period_days == 33
    assert application.case.due_date == calendar.add_working_days(D(2026, 6, 1), 33)
