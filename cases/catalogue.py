"""The service catalogue's first rows, loaded from each module's own data after every migrate.

A module names a JSON file in its portal.py (`Module.catalogue`), or gives the rows there:

    {"services": [{"code", "name_ka", "name_en", "working_days", "period_note", "fee_gel",
                   "description_ka", "description_en",
                   "periods": [{"variant", "working_days", "is_default", "note"}],
                   "documents": [{"code", "name_ka", "name_en", "required", "content_types",
                                  "max_size_mb", "order"}]}]}

The rows are data: staff change periods, documents and fees in the admin afterwards, and
loading again only adds what is missing (a new service, period or document type), never
overwrites what staff changed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import transaction

from core.modules import Module, registry


def catalogue_rows(module: Module) -> list[dict]:
    if not module.catalogue:
        return []
    if isinstance(module.catalogue, str):
        path = Path(apps.get_app_config(module.app).path) / module.catalogue
        rows = json.loads(path.read_text(encoding="utf-8"))["services"]
    else:
        rows = list(module.catalogue)
    for row in rows:
        if row.get("module", module.code) != module.code:
            raise ValueError(f"{module.app}: service {row['code']} is not of {module.code}.")
    return rows


@transaction.atomic
def catalogue_load(*, module: Module) -> int:
    """Add the module's services, periods and document types that are missing; how many rows."""
    from cases.models import DocumentType, Service, ServicePeriod

    added = 0
    for row in catalogue_rows(module):
        service, created = Service.objects.get_or_create(
            code=row["code"],
            municipality=None,
            defaults={
                "name_ka": row["name_ka"],
                "name_en": row["name_en"],
                "module": module.code,
                "working_days": row["working_days"],
                "period_note": row.get("period_note", ""),
                "fee_gel": Decimal(str(row.get("fee_gel", "0"))),
                "description_ka": row.get("description_ka", ""),
                "description_en": row.get("description_en", ""),
            },
        )
        added += created
        for period in row.get("periods", ()):
            _row, created = ServicePeriod.objects.get_or_create(
                service=service,
                variant=period["variant"],
                defaults={
                    "working_days": period["working_days"],
                    "is_default": period.get("is_default", False),
                    "note": period.get("note", ""),
                },
            )
            added += created
        for document in row.get("documents", ()):
            _row, created = DocumentType.objects.get_or_create(
                service=service,
                code=document["code"],
                defaults={k: v for k, v in document.items() if k != "code"},
            )
            added += created
    return added


def catalogue_sync(**kwargs) -> None:
    """post_migrate: every module's catalogue, after the cases tables exist."""
    for module in registry.services():
        catalogue_load(module=module)
