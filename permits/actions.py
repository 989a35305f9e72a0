"""What a permit's applicant has to do, shown on their case page (cases/actions.py finds it)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cases.actions import Action


def case_actions(case, user) -> list[Action]:
    """An open boundary-change request is answered by the applicant."""
    from permits.models import BoundaryChangeRequest

    if case.service.module != "permits" or not user.is_authenticated:
        return []
    if case.applicant_id != user.pk:
        return []
    changes = BoundaryChangeRequest.objects.filter(
        application__case=case, answered_at__isnull=True
    ).order_by("due_date", "pk")
    return [
        Action(
            label=_("Answer the boundary-change request"),
            url=reverse("permits:boundary", kwargs={"pk": change.pk}),
            due=change.due_date,
        )
        for change in changes.only("pk", "due_date")
    ]
