"""Load the default service catalogue of building permits from cases/data/catalogue_permits.json.

The rows are data: staff change periods, documents and fees in the admin afterwards, and
running this again (a fresh database) only adds what is missing.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "catalogue_permits.json"


def load_catalogue(apps, schema_editor):
    Service = apps.get_model("cases", "Service")
    ServicePeriod = apps.get_model("cases", "ServicePeriod")
    DocumentType = apps.get_model("cases", "DocumentType")
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    for row in data["services"]:
        service, _created = Service.objects.get_or_create(
            code=row["code"],
            municipality=None,
            defaults={
                "name_ka": row["name_ka"],
                "name_en": row["name_en"],
                "module": row["module"],
                "working_days": row["working_days"],
                "period_note": row["period_note"],
                "fee_gel": Decimal(row["fee_gel"]),
                "description_ka": row["description_ka"],
                "description_en": row["description_en"],
            },
        )
        for period in row["periods"]:
            ServicePeriod.objects.get_or_create(
                service=service,
                variant=period["variant"],
                defaults={
                    "working_days": period["working_days"],
                    "is_default": period["is_default"],
                    "note": period["note"],
                },
            )
        for document in row["documents"]:
            DocumentType.objects.get_or_create(
                service=service,
                code=document["code"],
                defaults={k: v for k, v in document.items() if k != "code"},
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_add_cases")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
