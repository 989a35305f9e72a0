"""Object permissions of permits: staff of a municipality see its constraints and monuments;
planners and GIS officers keep them (core/rules.py holds the predicates)."""

import rules

from cases.rules import can_handle_case, handles_case
from core.models import Municipality, Role
from core.rules import can_see_municipal_data, has_role, is_superuser

can_edit_constraints = is_superuser | has_role(Role.PLANNER, Role.GIS_OFFICER)

for _model in ("constraint", "monument"):
    rules.add_perm(f"permits.view_{_model}", can_see_municipal_data)
    for _action in ("change", "add", "delete"):
        rules.add_perm(f"permits.{_action}_{_model}", can_edit_constraints)

# A permit application is seen by the staff who handle its case (cases.rules).
rules.add_perm("permits.view_permitapplication", can_handle_case)


@rules.predicate
def handles_application(user, obj) -> bool:
    """Handles the case of the application a row belongs to (an override, a boundary change);
    with a Municipality or None, the question of cases.rules.handles_case."""
    if obj is None or isinstance(obj, Municipality):
        return handles_case(user, obj)
    application = getattr(obj, "application", None)
    return application is not None and handles_case(user, application)


# The planners' audit trail of an application, seen (never changed) in the admin.
for _model in ("constraintoverride", "boundarychangerequest"):
    rules.add_perm(f"permits.view_{_model}", is_superuser | handles_application)
