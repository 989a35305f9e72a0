"""Object permissions of parcel owners: personal data, seen only by staff of the parcel's
municipality and kept by those who keep the cadastre (core/rules.py holds the predicates)."""

import rules

from core.rules import can_edit_cadastre, can_see_municipal_data

rules.add_perm("parcels.view_parcelowner", can_see_municipal_data)
for _action in ("change", "add", "delete"):
    rules.add_perm(f"parcels.{_action}_parcelowner", can_edit_cadastre)
