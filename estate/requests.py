"""Applications about the estate through the one window: a request to offer an asset, a direct
lease, and an objection to an auction's result. Each is an `EstateRequest` with its `Case`,
created and submitted in one transaction, so that it is in "My applications" and in the
property officer's queue with its clock from the start.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import calendar, selectors
from cases import services as case_services
from cases.models import Case, Outcome
from cases.statuses import Status, open_statuses
from estate.models import (
    Asset,
    AssetState,
    BidderRegistration,
    EstateRequest,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
    RequestKind,
)

SERVICE_OFFER = "estate_offer_request"
SERVICE_DIRECT_LEASE = "estate_direct_lease"
SERVICE_OBJECTION = "estate_objection"
SERVICE_OF_KIND = {
    RequestKind.OFFER: SERVICE_OFFER,
    RequestKind.DIRECT_LEASE: SERVICE_DIRECT_LEASE,
    RequestKind.OBJECTION: SERVICE_OBJECTION,
}

# An objection is taken within this many working days of the auction's close.
OBJECTION_WORKING_DAYS = 10
# The longest lease term one may ask for: 49 years.
MAX_LEASE_MONTHS = 49 * 12
# States in which an asset may be asked about: the municipality may still decide to offer it.
ASKABLE_STATES = (AssetState.AVAILABLE, AssetState.IN_USE)
# States in which a direct lease may be applied for (a listed asset has no auction yet).
DIRECT_LEASE_STATES = (AssetState.AVAILABLE, AssetState.LISTED)
CLOSED_LOT_STATUSES = (LotStatus.AWARDED, LotStatus.FAILED)


# --- Who may ask what -------------------------------------------------------------------------


def offer_refusal(asset: Asset) -> str:
    """Why this asset cannot be asked about now ("" when it can)."""
    if asset.state in ASKABLE_STATES:
        return ""
    if asset.state in (AssetState.LISTED, AssetState.IN_AUCTION):
        return _("This asset is offered already: take part in its auction instead.")
    if asset.state == AssetState.LEASED:
        return _("This asset is leased to someone else.")
    if asset.state == AssetState.SOLD:
        return _("This asset has been sold.")
    return _("This asset has been withdrawn from the register.")


def direct_lease_refusal(asset: Asset) -> str:
    """Why no direct lease of this asset may be applied for ("" when it may)."""
    if not asset.direct_lease_allowed:
        return _(
            "The council has not allowed this asset to be leased without an auction: "
            "it can only be leased through an auction."
        )
    if asset.state not in DIRECT_LEASE_STATES:
        return _("This asset is not free to lease now (%(state)s).") % {
            "state": asset.get_state_display()
        }
    return ""


def objection_deadline(lot: Lot) -> datetime.date | None:
    """The last day to object to the lot's result, or None while it has none."""
    if lot.status not in CLOSED_LOT_STATUSES or lot.closed_at is None:
        return None
    closed_on = timezone.localdate(lot.closed_at)
    return calendar.add_working_days(closed_on, OBJECTION_WORKING_DAYS)


def objection_refusal(lot: Lot, user, *, today: datetime.date | None = None) -> str:
    """Why this person may not object to the lot's result now ("" when they may)."""
    deadline = objection_deadline(lot)
    if deadline is None:
        return _("Only the result of a closed auction (awarded or failed) can be objected to.")
    if (today or calendar.today()) > deadline:
        return _(
            "Objections to this auction were taken until %(date)s, %(days)s working days "
            "after its close."
        ) % {"date": deadline.strftime("%d.%m.%Y"), "days": OBJECTION_WORKING_DAYS}
    registered = BidderRegistration.objects.filter(
        lot=lot, user_id=getattr(user, "pk", None)
    ).exists()
    if not registered:
        return _("Only a bidder who registered for this auction may object to its result.")
    return ""


# --- Writing them -----------------------------------------------------------------------------


def _open_request(*, applicant, kind: str, **what) -> EstateRequest | None:
    """The applicant's own request of this kind about the same thing that is still open."""
    return (
        EstateRequest.objects.filter(
            case__applicant=applicant,
            kind=kind,
            case__status__in=[*open_statuses(), Status.DRAFT],
            **what,
        )
        .select_related("case")
        .first()
    )


def _refuse_twice(found: EstateRequest | None) -> None:
    if found is not None:
        raise ValidationError(
            _("You asked for this already: application %(reference)s is still open.")
            % {"reference": found.case.reference},
            code="duplicate",
        )


def _summary(*parts: str) -> str:
    return " · ".join(str(p) for p in parts if p)[:300]


def _term(months: int | None) -> str:
    if not months:
        return ""
    return translation.ngettext("%(n)s month", "%(n)s months", months) % {"n": months}


def _create_and_submit(
    *,
    kind: str,
    applicant: AbstractBaseUser,
    municipality,
    location,
    summary: str,
    statement_label: str,
    statement: str,
    documents: Mapping[str, UploadedFile],
    language: str | None,
    **fields,
) -> EstateRequest:
    """The case and its request, the statement as the applicant's first message, the
    documents, then the submission (which checks the required documents and starts the clock)."""
    service = selectors.service_get(code=SERVICE_OF_KIND[kind], municipality=municipality)
    payload = {
        "kind": str(kind),
        "asset": fields["asset"].reference if fields.get("asset") else "",
        "lot": fields["lot"].reference if fields.get("lot") else "",
        "cadastral_code": fields.get("cadastral_code", ""),
        "wanted": str(fields.get("wanted", "")),
        "lease_months": fields.get("lease_months"),
    }
    case = case_services.case_create(
        service=service,
        applicant=applicant,
        location=location,
        municipality=municipality,
        payload=payload,
        summary=summary,
        language=language,
    )
    request = EstateRequest(case=case, kind=kind, purpose=statement, **fields)
    request.full_clean()
    request.save()
    case_services.case_message_post(
        case=case, author=applicant, body=f"{statement_label}: {statement}"
    )
    for doc_type, file in documents.items():
        if file:
            case_services.case_document_add(case=case, doc_type=doc_type, file=file, by=applicant)
    case_services.case_submit(case=case, by=applicant)
    return request


def _clean_statement(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")}, code="required")
    return text


def _clean_term(wanted: str, lease_months: int | None) -> int | None:
    if wanted == LotKind.SALE:
        return None
    if not lease_months:
        raise ValidationError(
            {"lease_months": _("Say for how many months you want it.")}, code="term_required"
        )
    if not 1 <= lease_months <= MAX_LEASE_MONTHS:
        raise ValidationError(
            {
                "lease_months": _("A term is between 1 and %(max)s months.")
                % {"max": MAX_LEASE_MONTHS}
            },
            code="term_range",
        )
    return lease_months


@transaction.atomic
def offer_request_submit(
    *,
    applicant: AbstractBaseUser,
    parcel=None,
    asset: Asset | None = None,
    wanted: str,
    lease_months: int | None,
    purpose: str,
    documents: Mapping[str, UploadedFile] | None = None,
    language: str | None = None,
) -> EstateRequest:
    """Ask the municipality to offer an asset of its register, or a municipal parcel not yet in
    it (`parcel` without `asset`), for lease, sale or usufruct."""
    if wanted not in LotKind.values:
        raise ValidationError({"wanted": _("Choose lease, purchase or usufruct.")}, code="wanted")
    lease_months = _clean_term(wanted, lease_months)
    purpose = _clean_statement(purpose, "purpose")
    if asset is not None:
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        refusal = offer_refusal(asset)
        if refusal:
            raise ValidationError(refusal, code="state")
        code = asset.cadastral_code
        where = asset.parcel.geom if asset.parcel_id else asset.geom
        municipality = asset.municipality
        _refuse_twice(_open_request(applicant=applicant, kind=RequestKind.OFFER, asset=asset))
    elif parcel is not None:
        if not parcel.is_municipal_property:
            raise ValidationError(
                _("This parcel is not municipal property: it cannot be asked for."),
                code="not_municipal",
            )
        code = parcel.cadastral_code
        where = parcel.geom
        municipality = parcel.municipality
        _refuse_twice(
            _open_request(
                applicant=applicant, kind=RequestKind.OFFER, asset=None, cadastral_code=code
            )
        )
    else:
        raise ValidationError(_("Choose the asset or the parcel you ask about."), code="no_asset")
    summary = _summary(
        LotKind(wanted).label,
        _term(lease_months),
        asset.reference if asset else "",
        asset.name if asset else "",
        code,
    )
    return _create_and_submit(
        kind=RequestKind.OFFER,
        applicant=applicant,
        municipality=municipality,
        location=where.point_on_surface,
        summary=summary,
        statement_label=_("Purpose"),
        statement=purpose,
        documents=documents or {},
        language=language,
        asset=asset,
        cadastral_code=code,
        wanted=wanted,
        lease_months=lease_months,
    )


@transaction.atomic
def direct_lease_submit(
    *,
    applicant: AbstractBaseUser,
    asset: Asset,
    lease_months: int | None,
    purpose: str,
    documents: Mapping[str, UploadedFile] | None = None,
    language: str | None = None,
) -> EstateRequest:
    """Apply to lease an asset without an auction, where the council allows it."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    refusal = direct_lease_refusal(asset)
    if refusal:
        raise ValidationError(refusal, code="not_allowed")
    lease_months = _clean_term(LotKind.LEASE, lease_months)
    purpose = _clean_statement(purpose, "purpose")
    _refuse_twice(_open_request(applicant=applicant, kind=RequestKind.DIRECT_LEASE, asset=asset))
    where = asset.parcel.geom if asset.parcel_id else asset.geom
    return _create_and_submit(
        kind=RequestKind.DIRECT_LEASE,
        applicant=applicant,
        municipality=asset.municipality,
        location=where.point_on_surface,
        summary=_summary(
            _("Direct lease"),
            _term(lease_months),
            asset.reference,
            asset.name,
            asset.cadastral_code,
        ),
        statement_label=_("Purpose"),
        statement=purpose,
        documents=documents or {},
        language=language,
        asset=asset,
        cadastral_code=asset.cadastral_code,
        wanted=LotKind.LEASE,
        lease_months=lease_months,
    )


@transaction.atomic
def objection_submit(
    *,
    applicant: AbstractBaseUser,
    lot: Lot,
    grounds: str,
    documents: Mapping[str, UploadedFile] | None = None,
    language: str | None = None,
) -> EstateRequest:
    """Object to a closed auction's result: a registered bidder, within 10 working days."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    refusal = objection_refusal(lot, applicant)
    if refusal:
        raise ValidationError(refusal, code="not_allowed")
    grounds = _clean_statement(grounds, "grounds")
    _refuse_twice(_open_request(applicant=applicant, kind=RequestKind.OBJECTION, lot=lot))
    asset = lot.assets.order_by("reference").first()
    return _create_and_submit(
        kind=RequestKind.OBJECTION,
        applicant=applicant,
        municipality=lot.municipality,
        location=asset.geom.point_on_surface if asset else None,
        summary=_summary(_("Objection"), lot.reference, lot.title),
        statement_label=_("Grounds of the objection"),
        statement=grounds,
        documents=documents or {},
        language=language,
        lot=lot,
        asset=asset,
        cadastral_code=asset.cadastral_code if asset else "",
    )


# --- When one is decided ----------------------------------------------------------------------


def request_decided(decision, by) -> None:
    """Module.on_decided: an approved request to offer an available asset lists it, so that
    the officer prepares its lot. A direct lease's contract and an objection's consequences
    are the officer's to draw up (the case's staff links lead there)."""
    if decision.outcome != Outcome.APPROVED:
        return
    request = EstateRequest.objects.filter(case=decision.case).first()
    if request is None or request.kind != RequestKind.OFFER or request.asset_id is None:
        return
    asset = Asset.objects.select_for_update().get(pk=request.asset_id)
    if asset.state == AssetState.AVAILABLE:
        asset.state = AssetState.LISTED
        asset.full_clean()
        asset.save(update_fields=["state", "updated_at"])


def assets_at_parcel(parcel):
    """The register's assets of a parcel (the land, and buildings or units on it)."""
    return (
        Asset.objects.filter(Q(parcel=parcel) | Q(cadastral_code=parcel.cadastral_code))
        .select_related("municipality")
        .defer("municipality__boundary")
        .order_by("reference")
    )


@dataclass(frozen=True)
class ParcelOffer:
    """What a parcel's card needs to know of one asset of the parcel."""

    reference: str
    name: str
    askable: bool
    direct_lease: bool
    lot: str  # the reference of its lot open for bidding, or ""


def parcel_offers(parcel) -> list[ParcelOffer]:
    """The parcel's assets as its card needs them, in one query (the card is drawn often)."""
    open_lot = LotAsset.objects.filter(asset=OuterRef("pk"), lot__status=LotStatus.PUBLISHED)
    rows = (
        Asset.objects.filter(Q(parcel_id=parcel.pk) | Q(cadastral_code=parcel.cadastral_code))
        .annotate(lot_reference=Subquery(open_lot.values("lot__reference")[:1]))
        .order_by("reference")
        .values_list(
            "reference", "name_ka", "name_en", "state", "direct_lease_allowed", "lot_reference"
        )
    )
    english = translation.get_language() == "en"
    return [
        ParcelOffer(
            reference=reference,
            name=(name_en or name_ka) if english else (name_ka or name_en),
            askable=state in ASKABLE_STATES,
            direct_lease=allowed and state in DIRECT_LEASE_STATES,
            lot=lot or "",
        )
        for reference, name_ka, name_en, state, allowed, lot in rows
    ]


def request_facts(case: Case) -> dict:
    """Module.decision_content: the place and what was asked, in the active language."""
    request = case_request(case)
    if request is None:
        return {}
    asset, lot = request.asset, request.lot
    place = " — ".join(
        part for part in (request.cadastral_code, asset.address if asset else "") if part
    )
    facts = [(_("Application"), request.get_kind_display())]
    if lot is not None:
        facts += [
            (_("Lot"), f"{lot.reference} {lot.title}"),
            (_("Result"), lot.get_status_display()),
        ]
    if asset is not None:
        facts += [
            (_("Register number"), asset.reference),
            (_("Asset"), f"{asset.name} ({asset.get_kind_display()})"),
        ]
    facts.append((_("Cadastral code"), request.cadastral_code or "—"))
    if request.kind != RequestKind.OBJECTION:
        facts.append((_("Asked for"), request.get_wanted_display() or "—"))
        if request.lease_months:
            facts.append((_("Term"), _term(request.lease_months)))
    label = _("Grounds") if request.kind == RequestKind.OBJECTION else _("Purpose")
    facts.append((label, request.purpose))
    return {"place": place, "facts": facts}


def requests_of_asset(asset: Asset):
    """The open applications about an asset (for the officer's register page)."""
    return EstateRequest.objects.filter(
        Q(asset=asset) | Q(asset=None, cadastral_code=asset.cadastral_code),
        case__status__in=open_statuses(),
    ).select_related("case")


def case_request(case: Case) -> EstateRequest | None:
    return EstateRequest.objects.filter(case=case).select_related("asset", "lot").first()
