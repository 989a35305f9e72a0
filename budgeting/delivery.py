"""The delivery of the winning projects (accountability): the budget officers report a winner's
status and progress with a note, plan its milestones and mark them done, and add photos of the
works. Each report is a `ProgressUpdate`: the list of them is the project's public history.
Those who follow the proposal are told of each report (engagement's follows).

Only winners have a delivery; a project at 100% is delivered, and a delivered one is at 100%.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from budgeting.cycles import current_phase
from budgeting.models import (
    Cycle,
    DeliveryStatus,
    Milestone,
    Phase,
    Photo,
    PhotoKind,
    ProgressUpdate,
    Proposal,
)

NOTE_MAX = 2000
MAX_PROGRESS_PHOTOS = 30
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
# What Pillow reads in a photo's bytes: (content type, file suffix).
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# Colours of the statuses on the map, in the legend and on the progress bars.
STATUS_COLOURS = {
    DeliveryStatus.NOT_STARTED: "#7a7a7a",
    DeliveryStatus.DESIGNING: "#6a4c93",
    DeliveryStatus.PROCURING: "#c05a00",
    DeliveryStatus.IN_PROGRESS: "#1d6fa5",
    DeliveryStatus.DELIVERED: "#1f7a4d",
    DeliveryStatus.CANCELLED: "#9b1c1c",
}
# Phases in which a cycle is not public yet.
HIDDEN_PHASES = (None, Phase.DRAFTING)


# --- Reading ---------------------------------------------------------------------------------


def next_milestone_subquery(field: str) -> Subquery:
    """The field of a winner's next milestone not done: the earliest planned."""
    pending = Milestone.objects.filter(proposal=OuterRef("pk"), done_on__isnull=True).order_by(
        "due_on", "pk"
    )
    return Subquery(pending.values(field)[:1])


def winners() -> QuerySet[Proposal]:
    """The winning projects of every cycle, with what the lists show of them."""
    return (
        Proposal.objects.filter(winner=True)
        .select_related("cycle", "budget", "municipality")
        .defer("municipality__boundary", "area", "description")
        .annotate(
            next_title_ka=next_milestone_subquery("title_ka"),
            next_title_en=next_milestone_subquery("title_en"),
            next_due_on=next_milestone_subquery("due_on"),
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count(
                "milestones", filter=Q(milestones__done_on__isnull=False), distinct=True
            ),
        )
    )


def public_cycles() -> list[Cycle]:
    """Cycles the public sees (not those being drafted), each with its current phase."""
    found = []
    cycles = (
        Cycle.objects.select_related("municipality")
        .defer("municipality__boundary")
        .prefetch_related("phases")
        .order_by("municipality__code", "-created_at")
    )
    for cycle in cycles:
        cycle.phase = current_phase(cycle)
        if cycle.phase not in HIDDEN_PHASES:
            found.append(cycle)
    return found


def public_winners(
    *, municipality: str = "", cycle: int | None = None, status: str = "", budget: int | None = None
) -> QuerySet[Proposal]:
    """Winners of the public cycles, filtered; the latest cycle first, then by reference."""
    projects = winners().filter(cycle__in=[c.pk for c in public_cycles()])
    if municipality:
        projects = projects.filter(municipality__code=municipality)
    if cycle:
        projects = projects.filter(cycle_id=cycle)
    if budget:
        projects = projects.filter(budget_id=budget)
    if status:
        projects = projects.filter(delivery_status=status)
    return projects.order_by("municipality__code", "-cycle__created_at", "reference")


def public_project(reference: str) -> Proposal | None:
    """A winner of a public cycle, by its reference."""
    return public_winners().filter(reference=reference[:30]).first()


def history(proposal: Proposal) -> list[ProgressUpdate]:
    """The project's reports, newest first."""
    return list(proposal.updates.order_by("-created_at", "-pk"))


def timeline(proposal: Proposal) -> list[Milestone]:
    return list(proposal.milestones.order_by("due_on", "pk"))


def progress_photos(proposal: Proposal) -> list[Photo]:
    return list(proposal.photos.filter(kind=PhotoKind.PROGRESS).order_by("-created_at", "-pk"))


def project_url(reference: str) -> str | None:
    try:
        return reverse("budgeting:project", args=[reference])
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    colour: str


def status_counts(projects: QuerySet[Proposal]) -> list[StatusCount]:
    rows = projects.order_by().values("delivery_status").annotate(n=Count("pk", distinct=True))
    counts = {row["delivery_status"]: row["n"] for row in rows}
    return [
        StatusCount(status.value, status.label, counts.get(status.value, 0), STATUS_COLOURS[status])
        for status in DeliveryStatus
    ]


# --- Reporting -------------------------------------------------------------------------------


def _locked_winner(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    if not locked.winner:
        raise ValidationError(
            _("Only a winning project has a delivery to report."), code="not_winner"
        )
    return locked


def check_report(status: str, progress: int | None) -> int:
    """The progress that a report of this status records; refuses what does not fit."""
    if status not in DeliveryStatus.values:
        raise ValidationError(
            {"delivery_status": _("Choose a status of the delivery.")}, code="status"
        )
    if status == DeliveryStatus.DELIVERED:
        return 100
    if progress is None:
        raise ValidationError(
            {"progress": _("Give the progress, from 0 to 100%.")}, code="progress"
        )
    if not 0 <= progress <= 100:
        raise ValidationError(
            {"progress": _("The progress is a percentage, from 0 to 100.")}, code="progress"
        )
    if progress == 100:
        raise ValidationError(
            {
                "progress": _(
                    "A project at 100 percent is delivered: choose the status “Delivered”."
                )
            },
            code="progress",
        )
    if status == DeliveryStatus.NOT_STARTED and progress != 0:
        raise ValidationError({"progress": _("A project not started is at 0%.")}, code="progress")
    return progress


def report(
    *,
    proposal: Proposal,
    by,
    delivery_status: str,
    progress: int | None,
    note_ka: str = "",
    note_en: str = "",
) -> ProgressUpdate:
    """Report on a winner: its status and progress now, with a note. The report is kept in the
    project's history, and those following the proposal are told."""
    progress = check_report(delivery_status, progress)
    note_ka, note_en = (note_ka or "").strip(), (note_en or "").strip()
    if len(note_ka) > NOTE_MAX or len(note_en) > NOTE_MAX:
        raise ValidationError(
            _("A note may be at most %(limit)s characters.") % {"limit": NOTE_MAX}, code="note"
        )
    with transaction.atomic():
        locked = _locked_winner(proposal)
        locked.delivery_status = delivery_status
        locked.progress = progress
        locked.save(update_fields=["delivery_status", "progress", "updated_at"])
        update = ProgressUpdate.objects.create(
            municipality_id=locked.municipality_id,
            proposal=locked,
            delivery_status=delivery_status,
            progress=progress,
            note_ka=note_ka,
            note_en=note_en,
            by=by,
        )
        transaction.on_commit(lambda: tell_followers(locked, update, by))
    proposal.delivery_status, proposal.progress = delivery_status, progress
    return update


def tell_followers(proposal: Proposal, update: ProgressUpdate, by) -> None:
    """Those following the proposal (or an area it lies in) are told of the report."""
    from budgeting.layers import PROPOSALS_LAYER
    from engagement.services import feature_event_publish

    feature_event_publish(
        layer=PROPOSALS_LAYER,
        feature_id=proposal.pk,
        geometry=proposal.location,
        kind="changed",
        title=f"{proposal.reference} {proposal.title}"[:200],
        url=project_url(proposal.reference) or "",
        actor=by,
        key=f"delivery:{update.pk}",
    )


def milestone_add(
    *,
    proposal: Proposal,
    by,
    title_ka: str,
    title_en: str = "",
    due_on: datetime.date | None = None,
) -> Milestone:
    """Plan a step of a winner's delivery."""
    title_ka, title_en = (title_ka or "").strip(), (title_en or "").strip()
    if not title_ka:
        raise ValidationError({"title_ka": _("Name the milestone in Georgian.")}, code="title")
    with transaction.atomic():
        locked = _locked_winner(proposal)
        milestone = Milestone(
            municipality_id=locked.municipality_id,
            proposal=locked,
            title_ka=title_ka[:200],
            title_en=title_en[:200],
            due_on=due_on,
        )
        milestone.full_clean()
        milestone.save()
    return milestone


def milestone_done(*, milestone: Milestone, by, done_on: datetime.date | None = None) -> Milestone:
    """Mark a milestone done (today, or on the date given, never in the future)."""
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError(
            {"done_on": _("A milestone cannot be done on a date still to come.")}, code="future"
        )
    with transaction.atomic():
        _locked_winner(milestone.proposal)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.done_on is not None:
            raise ValidationError(_("This milestone is done already."), code="done")
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
    return milestone


def milestone_reopen(*, milestone: Milestone, by) -> Milestone:
    """Take back a milestone marked done by mistake."""
    with transaction.atomic():
        _locked_winner(milestone.proposal)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        milestone.done_on = None
        milestone.save(update_fields=["done_on"])
    return milestone


def check_photo(file: UploadedFile) -> str:
    """The photo's file suffix, read from its bytes (JPEG, PNG or WebP); a file of another
    kind, too large, or that cannot be read is refused with the file's name."""
    from PIL import Image, UnidentifiedImageError

    name = (file.name or "photo").rsplit("/", 1)[-1][:100]
    size = file.size or 0
    if size == 0:
        raise ValidationError(
            {"photo": _("“%(name)s” is empty.") % {"name": name}}, code="photo_empty"
        )
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "photo": _("“%(name)s” is %(size)s; a photo may be at most %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(MAX_PHOTO_BYTES),
                }
            },
            code="photo_too_large",
        )
    refused = ValidationError(
        {"photo": _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name}},
        code="photo_type",
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
            {"photo": _("“%(name)s” has too many pixels; make it smaller.") % {"name": name}},
            code="photo_too_large",
        )
    return PHOTO_FORMATS[kind][1]


def photo_add(*, proposal: Proposal, by, file: UploadedFile, caption: str = "") -> Photo:
    """Add a photo of the works on a winner, with its caption."""
    suffix = check_photo(file)
    caption = (caption or "").strip()
    if len(caption) > 300:
        raise ValidationError(
            {"caption": _("A caption may be at most 300 characters.")}, code="caption"
        )
    with transaction.atomic():
        locked = _locked_winner(proposal)
        if locked.photos.filter(kind=PhotoKind.PROGRESS).count() >= MAX_PROGRESS_PHOTOS:
            raise ValidationError(
                {
                    "photo": _("A project may have at most %(count)s photos of the works.")
                    % {"count": MAX_PROGRESS_PHOTOS}
                },
                code="too_many_photos",
            )
        photo = Photo(
            municipality_id=locked.municipality_id,
            proposal=locked,
            kind=PhotoKind.PROGRESS,
            caption=caption,
            uploaded_by=by,
        )
        photo.image.save(f"{get_random_string(16).lower()}.{suffix}", file, save=False)
        photo.save()
    return photo


def photo_remove(*, photo: Photo, by) -> None:
    """Take a photo of the works away (the file goes with it)."""
    if photo.kind != PhotoKind.PROGRESS:
        raise ValidationError(_("Only photos of the works are removed here."), code="kind")
    with transaction.atomic():
        _locked_winner(photo.proposal)
        name, storage = photo.image.name, photo.image.storage
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name) if name else None)
