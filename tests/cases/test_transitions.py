"""Status changes follow the transitions table, need the right person, and leave history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Status
from core.models import Role
from tests.cases.factories import draft_case, staff, submitted_case


def test_staff_move_a_case_through_assessment_to_the_decision(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    for to in (Status.IN_REVIEW, Status.AWAITING_APPLICANT, Status.IN_REVIEW):
        services.case_transition(case=case, to=to, by=planner)
    services.case_transition(case=case, to=Status.AWAITING_DECISION, by=planner)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_DECISION
    last = case.status_changes.last()
    assert (last.from_status, last.to_status, last.by) == (
        Status.IN_REVIEW,
        Status.AWAITING_DECISION,
        planner,
    )


def test_a_draft_cannot_go_to_assessment(service, batumi, planner):
    case = draft_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="cannot become"):
        services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)


def test_a_decision_status_is_not_reached_by_a_status_change(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    with pytest.raises(ValidationError, match="its own action"):
        services.case_transition(case=case, to=Status.DECIDED_APPROVED, by=planner)


def test_returning_or_closing_needs_a_reason(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="reason"):
        services.case_transition(case=case, to=Status.RETURNED, by=planner)
    services.case_transition(case=case, to=Status.RETURNED, by=planner, note="Wrong parcel.")
    case.refresh_from_db()
    assert case.status == Status.RETURNED


def test_a_withdrawn_case_goes_nowhere(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    services.case_withdraw(case=case, by=case.applicant)
    assert services.allowed_targets(case) == []
    with pytest.raises(ValidationError):
        services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)


def test_the_applicant_and_staff_of_other_places_or_roles_may_not_change_the_status(
    service, batumi, rustavi, rustavi_planner
):
    case = submitted_case(service=service, municipality=batumi)
    property_officer = staff(batumi, Role.PROPERTY_OFFICER)
    for person in (case.applicant, rustavi_planner, property_officer):
        with pytest.raises(PermissionDenied):
            services.case_transition(case=case, to=Status.IN_REVIEW, by=person)


def test_a_municipal_administrator_handles_every_service_of_the_municipality(service, batumi):
    case = submitted_case(service=service, municipality=batumi)
    admin = staff(batumi, Role.MUNICIPAL_ADMIN)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=admin)


def test_a_case_is_assigned_only_to_someone_who_handles_it(
    service, batumi, planner, rustavi_planner
):
    case = submitted_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="does not handle"):
        services.case_assign(case=case, officer=rustavi_planner, by=planner)
    services.case_assign(case=case, officer=planner, by=planner)
    case.refresh_from_db()
    assert case.assigned_to == planner


def test_submitting_twice_is_refused(service, batumi):
    case = submitted_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="submitted already"):
        services.case_submit(case=case, by=case.applicant)
