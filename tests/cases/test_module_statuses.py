"""A module adds statuses of its own in its portal.py; they exist only for its own cases."""

import pytest
from django.core.exceptions import ValidationError

from cases import services, statuses
from cases.models import Case, Status
from core.models import Role
from core.modules import CaseStatus, Module, registry
from tests.cases.factories import service_with_documents, submitted_case

SITE_VISIT = CaseStatus(
    "site_visit",
    "On a site visit",
    after=(Status.IN_REVIEW,),
    before=(Status.IN_REVIEW, Status.CLOSED),
)
INSPECTED = CaseStatus(
    "inspected", "Inspected", after=(Status.IN_REVIEW,), open=False, own_action=True
)


@pytest.fixture
def inspections():
    module = Module(
        app="tests_inspections",
        title="Inspections",
        code="inspections",
        role=Role.PLANNER,
        statuses=(SITE_VISIT, INSPECTED),
    )
    registry.register(module)
    yield module
    registry.unregister(module.app)


@pytest.fixture
def inspection_case(inspections, batumi):
    service = service_with_documents(module="inspections", code="inspection")
    return submitted_case(service=service, municipality=batumi)


def test_a_module_status_is_a_choice_with_its_label(inspections):
    assert ("site_visit", "On a site visit") in statuses.status_choices()
    assert statuses.status_label("site_visit") == "On a site visit"
    assert "site_visit" in statuses.open_statuses()


def test_a_case_of_the_module_moves_to_and_from_its_status(inspection_case, planner):
    case = inspection_case
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    assert "site_visit" in services.allowed_targets(case)
    services.case_transition(case=case, to="site_visit", by=planner)
    case.refresh_from_db()
    assert case.status == "site_visit" and case.is_open
    assert case.get_status_display() == "On a site visit"
    assert Case.objects.open().filter(pk=case.pk).exists()
    assert services.allowed_targets(case) == [Status.IN_REVIEW, Status.CLOSED]
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)


def test_cases_of_other_modules_never_reach_it(service, batumi, planner, inspections):
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    assert "site_visit" not in services.allowed_targets(case)
    with pytest.raises(ValidationError, match="cannot become"):
        services.case_transition(case=case, to="site_visit", by=planner)


def test_a_status_of_its_own_action_is_not_offered_as_a_status_change(inspection_case, planner):
    case = inspection_case
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    assert "inspected" not in services.allowed_targets(case)
    with pytest.raises(ValidationError, match="its own action"):
        services.case_transition(case=case, to="inspected", by=planner)
    services.case_status_set(case=case, to="inspected", by=planner, note="Done on site.")
    case.refresh_from_db()
    assert case.status == "inspected" and case.is_finished
