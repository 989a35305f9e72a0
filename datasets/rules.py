"""Who may do what with uploaded datasets: GIS officers and administrators of its municipality."""

import rules

from core.models import Role
from core.rules import has_role, is_superuser

can_manage_datasets = is_superuser | has_role(Role.GIS_OFFICER)

for _action in ("view", "add", "change", "delete"):
    rules.add_perm(f"datasets.{_action}_dataset", can_manage_datasets)
    rules.add_perm(f"datasets.{_action}_datasetversion", can_manage_datasets)
