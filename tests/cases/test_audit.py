"""Changes to cases are recorded by database triggers (pghistory), bulk updates included."""

from django.apps import apps

from cases.models import Case
from tests.cases.factories import draft_case


def test_a_bulk_update_of_cases_is_recorded(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    CaseEvent = apps.get_model("cases", "CaseEvent")
    before = CaseEvent.objects.filter(pgh_obj=case).count()
    Case.objects.filter(pk=case.pk).update(summary="changed behind the services' back")
    events = CaseEvent.objects.filter(pgh_obj=case).order_by("pgh_id")
    assert events.count() == before + 1
    assert events.last().summary == "changed behind the services' back"
    assert events.last().pgh_label == "update"


def test_documents_and_decisions_are_tracked_too():
    for name in ("CaseDocumentEvent", "DecisionEvent", "InformationRequestEvent"):
        assert apps.get_model("cases", name)
