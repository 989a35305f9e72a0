"""Object permissions of permits: staff of a municipality see its constraints and monuments;
planners and GIS officers keep them (core/rules.py holds the predicates)."""

import rules

from cases.rules import can_handle_case
from core.models import Role
from core.rules import can_see_municipal_data, has_role, is_superuser

can_edit_constraints = is_superuser | has_role(Role.PLANNER, Role.GIS_OFFICER)

for _model in ("constraint", "monument"):
    rules.add_perm(f"permits.view_{_model}", can_see_municipal_data)
    for _action in ("change", "add", "delete"):
        rules.add_perm(f"permits.{_action}_{_model}", can_edit_constraints)

# A permit application is seen by the staff who handle its case (cases.rules).
rules.add_perm("permits.view_permitapplication", can_handle_case)
