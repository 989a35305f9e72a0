"""Residents' proposals: proposing a project at a place (a point or an area) with its photos,
supporting proposals in the supporting phase, and withdrawing one's own before review.

The budget of a proposal is decided by its place: the district budget whose `core.District`
polygon holds the location, or the city-wide one when the author asks for it. Reference numbers
("PB-RST-2027-0001") count per cycle, under a lock of the cycle's row, so that two proposals
made at the same moment take two numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from budgeting.cycles import current_phase, phase_of
from budgeting.models import (
    Budget,
    Category,
    Cycle,
    Phase,
    Photo,
    PhotoKind,
    Proposal,
    ProposalStatus,
    Support,
)
from core.models import District

# The author's estimate, in whole lari.
MIN_ESTIMATED_COST = 1
MAX_ESTIMATED_COST = 100_000_000
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
# An area larger than this (m²) is the city, not a project's place.
MAX_AREA_M2 = 5_000_000
# Photo kinds by what Pillow reads in the bytes: (content type, file suffix).
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# Proposals that may still be supported.
SUPPORTABLE = (ProposalStatus.SUBMITTED, ProposalStatus.FEASIBLE)
# Proposals shown to the public (the others point to where they went, or are the author's).
PUBLIC_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.FEASIBLE, ProposalStatus.UNFEASIBLE)


def field_error(field: str, message: str, code: str) -> ValidationError:
    """An error of one field of the form, with its code."""
    return ValidationError({field: ValidationError(message, code=code)})


# --- Reference numbers -----------------------------------------------------------------------


def cycle_year(cycle: Cycle) -> int:
    """The year a cycle is named by: a year in its short name ("2027"), else the year its
    voting (or its first phase) starts, else the year it was created."""
    found = re.search(r"(?<!\d)(20\d\d)(?!\d)", cycle.slug or "")
    if found:
        return int(found.group(1))
    voting = phase_of(cycle, Phase.BALLOTING)
    if voting is not None:
        return timezone.localtime(voting.starts_at).year
    first = cycle.phases.order_by("starts_at").first()
    if first is not None:
        return timezone.localtime(first.starts_at).year
    return timezone.localtime(cycle.created_at or timezone.now()).year


def reference_prefix(cycle: Cycle) -> str:
    return f"PB-{cycle.municipality.code.upper()}-{cycle_year(cycle)}-"


def next_reference(cycle: Cycle) -> str:
    """One more than the cycle's highest number so far. Call it with the cycle's row locked."""
    prefix = reference_prefix(cycle)
    last = (
        Proposal.objects.filter(reference__regex=rf"^{re.escape(prefix)}[0-9]{{4,}}$")
        .order_by("-reference")
        .values_list("reference", flat=True)
    )
    numbers = [int(r[len(prefix) :]) for r in last[:50]]
    number = max(numbers, default=0) + 1
    return f"{prefix}{number:04d}"


# --- The place and its budget ----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a proposal is: its marker and, for an area, the area (both in storage SRID)."""

    location: Point
    area: MultiPolygon | None = None


def place_from_geometry(geom: GEOSGeometry) -> Place:
    """A point stays a point; a polygon is the area, marked at a point on its surface."""
    if geom.geom_type == "Point":
        return Place(location=geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        area = geom if geom.geom_type == "MultiPolygon" else MultiPolygon(geom, srid=geom.srid)
        return Place(location=area.point_on_surface, area=area)
    raise field_error("geometry", _("Mark a point or draw an area on the map."), "geometry_type")


def check_place(cycle: Cycle, place: Place) -> None:
    """The place lies in the cycle's municipality, and an area is of a sensible size."""
    boundary = cycle.municipality.boundary
    if not boundary.covers(place.location) or (
        place.area is not None and not boundary.covers(place.area)
    ):
        raise field_error(
            "geometry",
            _(
                "This place is outside %(municipality)s: a proposal of this budget must be "
                "within the municipality."
            )
            % {"municipality": cycle.municipality.name},
            "outside",
        )
    if place.area is not None and place.area.area > MAX_AREA_M2:
        raise field_error(
            "geometry",
            _(
                "The area is %(area)s km²; a project's area may be at most %(limit)s km². "
                "Tick “for the whole city” for a project of the whole city."
            )
            % {
                "area": f"{place.area.area / 1_000_000:.1f}",
                "limit": f"{MAX_AREA_M2 / 1_000_000:.0f}",
            },
            "area_too_large",
        )


def budget_for(cycle: Cycle, location: Point, *, citywide: bool) -> Budget:
    """The district budget whose district holds the location, or the city-wide one."""
    if citywide:
        budget = cycle.budgets.filter(district__isnull=True).first()
        if budget is None:
            raise field_error(
                "citywide", _("This cycle has no budget for the whole city."), "no_citywide"
            )
        return budget
    district = (
        District.objects.filter(municipality_id=cycle.municipality_id, boundary__covers=location)
        .only("id")
        .order_by("code")
        .first()
    )
    budget = cycle.budgets.filter(district=district).first() if district is not None else None
    if budget is None:
        raise field_error(
            "geometry",
            _(
                "No district budget of this cycle covers this place. Choose a place in a "
                "district, or tick “for the whole city”."
            ),
            "no_district_budget",
        )
    return budget


# --- Photos ----------------------------------------------------------------------------------


def check_photo(file: UploadedFile) -> tuple[str, str]:
    """The photo's content type and suffix, read from its bytes (JPEG, PNG or WebP); a file of
    another kind, too large, or that Pillow cannot read is refused with the file's name."""
    from PIL import Image, UnidentifiedImageError

    name = (file.name or "photo").rsplit("/", 1)[-1][:100]
    size = file.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="photo_empty")
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a photo may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(MAX_PHOTO_BYTES),
            },
            code="photo_too_large",
        )
    refused = ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name}, code="photo_type"
    )
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None
    finally:
        file.seek(0)
    if kind not in PHOTO_FORMATS:
        raise refused
    if width * height > MAX_PHOTO_PIXELS:
        raise ValidationError(
            _("“%(name)s” has too many pixels; make it smaller.") % {"name": name},
            code="photo_too_large",
        )
    return PHOTO_FORMATS[kind]


def check_photos(files: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise field_error(
            "photos", _("At most %(count)s photos.") % {"count": MAX_PHOTOS}, "too_many_photos"
        )
    checked, errors = [], []
    for file in files:
        try:
            checked.append((file, check_photo(file)[1]))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise field_error("photos", errors, "photo")
    return checked


# --- Proposing -------------------------------------------------------------------------------


def accepting(cycle: Cycle) -> bool:
    return current_phase(cycle) == Phase.ACCEPTING


def proposal_create(
    *,
    cycle: Cycle,
    author,
    title: str,
    description: str,
    category: str,
    estimated_cost: int,
    geometry: GEOSGeometry,
    citywide: bool = False,
    place_label: str = "",
    photos: Iterable[UploadedFile] = (),
) -> Proposal:
    """A resident's proposal in the accepting phase: checked, numbered and saved with its
    photos in one transaction."""
    if author is None or not author.is_authenticated:
        raise ValidationError(_("Sign in to propose a project."), code="signed_out")
    place = place_from_geometry(geometry)
    checked = check_photos(photos)
    if category not in Category.values:
        raise field_error("category", _("Choose a category."), "category")
    if not (MIN_ESTIMATED_COST <= estimated_cost <= MAX_ESTIMATED_COST):
        raise field_error(
            "estimated_cost",
            _("The estimate must be between %(low)s and %(high)s GEL.")
            % {"low": MIN_ESTIMATED_COST, "high": f"{MAX_ESTIMATED_COST:,}".replace(",", " ")},
            "cost",
        )
    with transaction.atomic():
        locked = (
            Cycle.objects.select_for_update(of=("self",))
            .select_related("municipality")
            .get(pk=cycle.pk)
        )
        if not accepting(locked):
            raise ValidationError(
                _("This cycle does not take proposals now."), code="not_accepting"
            )
        check_place(locked, place)
        budget = budget_for(locked, place.location, citywide=citywide)
        proposal = Proposal(
            municipality_id=locked.municipality_id,
            cycle=locked,
            budget=budget,
            reference=next_reference(locked),
            author=author,
            title=title.strip(),
            description=description.strip(),
            category=category,
            location=place.location,
            area=place.area,
            place_label=place_label[:200],
            estimated_cost=estimated_cost,
        )
        proposal.full_clean()
        proposal.save()
        for file, suffix in checked:
            photo = Photo(
                municipality_id=proposal.municipality_id,
                proposal=proposal,
                kind=PhotoKind.PROPOSAL,
                uploaded_by=author,
            )
            photo.image.save(f"{get_random_string(16).lower()}.{suffix}", file, save=False)
            photo.save()
    return proposal


# --- Supporting and withdrawing --------------------------------------------------------------


def can_support(proposal: Proposal) -> bool:
    return proposal.status in SUPPORTABLE and current_phase(proposal.cycle) == Phase.SUPPORTING


def _check_supportable(proposal: Proposal, user) -> None:
    if user is None or not user.is_authenticated:
        raise ValidationError(_("Sign in to support a proposal."), code="signed_out")
    if current_phase(proposal.cycle) != Phase.SUPPORTING:
        raise ValidationError(
            _("Proposals are supported only in the supporting phase."), code="not_supporting"
        )
    if proposal.status not in SUPPORTABLE:
        raise ValidationError(_("This proposal cannot be supported."), code="not_supportable")


def proposal_support(*, proposal: Proposal, user) -> bool:
    """Support once: True if this made a support, False if the person had one already. The
    unique row decides between two requests at once; the counter moves only with a new row."""
    _check_supportable(proposal, user)
    try:
        with transaction.atomic():
            Support.objects.create(
                municipality_id=proposal.municipality_id, proposal=proposal, user=user
            )
            Proposal.objects.filter(pk=proposal.pk).update(supports=F("supports") + 1)
    except IntegrityError:
        return False
    return True


def proposal_unsupport(*, proposal: Proposal, user) -> bool:
    """Take one's support back (in the supporting phase): True if there was one."""
    _check_supportable(proposal, user)
    with transaction.atomic():
        deleted, _rows = Support.objects.filter(proposal=proposal, user=user).delete()
        if deleted:
            Proposal.objects.filter(pk=proposal.pk, supports__gt=0).update(
                supports=F("supports") - 1
            )
    return bool(deleted)


def proposal_support_toggle(*, proposal: Proposal, user) -> bool:
    """Support, or take the support back if there is one; True when the person supports now."""
    if Support.objects.filter(proposal=proposal, user=user).exists():
        proposal_unsupport(proposal=proposal, user=user)
        return False
    proposal_support(proposal=proposal, user=user)
    return True


def can_withdraw(proposal: Proposal, user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and proposal.author_id == user.pk
        and proposal.status == ProposalStatus.SUBMITTED
        and proposal.reviewed_at is None
    )


def proposal_withdraw(*, proposal: Proposal, by) -> Proposal:
    """The author withdraws a proposal that has not been reviewed yet."""
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not can_withdraw(locked, by):
            raise ValidationError(
                _("Only its author may withdraw a proposal, and only before it is reviewed."),
                code="not_withdrawable",
            )
        locked.status = ProposalStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    return locked


# --- Reads -----------------------------------------------------------------------------------


def public_proposals(cycle: Cycle) -> QuerySet[Proposal]:
    """A cycle's proposals that the public lists (not withdrawn, not merged away)."""
    return Proposal.objects.filter(cycle=cycle, status__in=PUBLIC_STATUSES)
