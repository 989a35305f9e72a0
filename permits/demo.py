"""Demo permit applications: one submitted application per municipality, through the services.

Called by the demo loader (fixtures/demo.py) after the parcels and constraints, so that the
public register layer has features like every other layer.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Municipality
from parcels.models import Parcel
from permits.models import PermitApplication
from permits.services import (
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)

# The demo citizen who made the demo applications. With an e-mail address, so that what the
# portal writes about them (a request for information, a decision) goes somewhere.
DEMO_APPLICANT_EMAIL = "applicant@demo.gisportal.ge"
# The name the demo applicant had before it had an e-mail address.
LEGACY_USERNAME = "demo-applicant"
DEMO_PDF = b"%PDF-1.4\n% demo document\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def demo_applicant():
    """The demo applicant, made or given its e-mail address (also in databases made before it
    had one)."""
    users = get_user_model().objects
    user = users.filter(email=DEMO_APPLICANT_EMAIL).first()
    if user is None:
        user = users.filter(username=LEGACY_USERNAME).first() or users.model(
            first_name="Nino", last_name="Demo"
        )
        user.username = user.email = DEMO_APPLICANT_EMAIL
        if not user.pk:
            user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def load_demo_applications() -> int:
    """One submitted class II application on a parcel of each municipality; returns how many."""
    # The demo loader empties the tables the catalogue hangs on; the catalogue's own loader
    # (idempotent, get_or_create) puts the default services back.
    catalogue_sync()
    user = demo_applicant()
    made = 0
    for municipality in Municipality.objects.order_by("code").defer("boundary"):
        parcel = (
            Parcel.objects.current()
            .filter(municipality=municipality, area_m2__gte=200)
            .order_by("cadastral_code")
            .first()
        )
        if parcel is None or PermitApplication.objects.filter(parcels=parcel).exists():
            continue
        application = permit_application_start(
            applicant=user,
            stage="merged",
            building_class="II",
            parcel_codes=[parcel.cadastral_code],
            language="en",
        )
        permit_application_update(
            application=application,
            by=user,
            footprint_area_m2=round(float(parcel.area_m2) * 0.3, 1),
            floors=2,
            public_description="A two-storey house (demo).",
        )
        for kind in application.case.service.document_types.filter(required=True):
            accepted = kind.content_types or ["application/pdf"]
            if "application/pdf" not in accepted:
                continue
            document = SimpleUploadedFile(f"{kind.code}.pdf", DEMO_PDF, "application/pdf")
            case_document_add(case=application.case, doc_type=kind.code, file=document, by=user)
        permit_application_submit(application=application, by=user)
        made += 1
    return made
