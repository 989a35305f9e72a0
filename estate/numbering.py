"""Register and lot numbers: "BTM-A-00042", "BTM-L-2026-0007", one more than the highest so far.

Two officers numbering at the same moment may pick the same number; the unique reference then
refuses the second save, which takes the next number (`save_numbered`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import IntegrityError, transaction

ATTEMPTS = 5


def next_number(model, prefix: str, width: int) -> str:
    last = (
        model.objects.filter(reference__regex=rf"^{re.escape(prefix)}[0-9]{{{width}}}$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:0{width}d}"


def save_numbered(obj, prefix: str, width: int, before_save: Callable[[], None] | None = None):
    """Give the object the next number of its prefix and save it (inside a savepoint)."""
    model = type(obj)
    for attempt in range(ATTEMPTS):
        obj.reference = next_number(model, prefix, width)
        if before_save is not None:
            before_save()
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as error:
            if "reference" not in str(error) or attempt == ATTEMPTS - 1:
                raise
            continue
        return obj
    return obj
