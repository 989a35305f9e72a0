# ruff: noqa: F811
"""Reporting on a winner's delivery: status and progress with a note kept as its history, the
followers told, milestones planned and done, photos of the works checked by their content."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from budgeting import delivery
from budgeting.models import DeliveryStatus, Photo, PhotoKind, ProgressUpdate
from engagement.models import Notification
from engagement.services import follow_feature
from tests.budgeting.delivery_factories import (  # noqa: F401 - fixtures
    batumi_officer,
    image,
    officer,
    resident,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SYNC = True


def test_a_report_sets_the_status_and_progress_and_is_kept(world, officer):
    park = world["park"]

    update = delivery.report(
        proposal=park,
        by=officer,
        delivery_status=DeliveryStatus.IN_PROGRESS,
        progress=65,
        note_ka="სამუშაოები მიმდინარეობს.",
        note_en="Works are going on.",
    )

    park.refresh_from_db()
    assert (park.delivery_status, park.progress) == ("in_progress", 65)
    assert update.note_en == "Works are going on." and update.by == officer
    assert delivery.history(park)[0] == update


def test_delivered_means_100_percent(world, officer):
    park = world["park"]

    delivery.report(proposal=park, by=officer, delivery_status="delivered", progress=70)

    park.refresh_from_db()
    assert park.progress == 100
    assert ProgressUpdate.objects.get(proposal=park).progress == 100


@pytest.mark.parametrize(
    ("status", "progress", "field"),
    [
        ("in_progress", 100, "progress"),
        ("in_progress", 101, "progress"),
        ("in_progress", -1, "progress"),
        ("in_progress", None, "progress"),
        ("not_started", 10, "progress"),
        ("finished", 10, "delivery_status"),
    ],
)
def test_a_report_that_does_not_fit_is_refused(world, officer, status, progress, field):
    park = world["park"]

    with pytest.raises(ValidationError) as refused:
        delivery.report(proposal=park, by=officer, delivery_status=status, progress=progress)

    assert field in refused.value.message_dict
    park.refresh_from_db()
    assert park.progress == 40
    assert not ProgressUpdate.objects.exists()


def test_only_winners_have_a_delivery(world, officer):
    with pytest.raises(ValidationError, match="winning"):
        delivery.report(proposal=world["lost"], by=officer, delivery_status="designing", progress=5)
    with pytest.raises(ValidationError, match="winning"):
        delivery.milestone_add(proposal=world["lost"], by=officer, title_ka="ეტაპი")
    assert not ProgressUpdate.objects.exists()


def test_followers_of_the_proposal_are_told_of_a_report(
    world, officer, resident, django_capture_on_commit_callbacks
):
    park = world["park"]
    follow_feature(user=resident, layer="budgeting-proposals", feature_id=park.pk)

    with django_capture_on_commit_callbacks(execute=True):
        delivery.report(proposal=park, by=officer, delivery_status="procuring", progress=20)

    told = Notification.objects.get(recipient=resident)
    assert told.kind == "feature_changed"
    assert told.url.endswith(f"/budgeting/delivery/{park.reference}/")
    assert not Notification.objects.filter(recipient=officer).exists()


def test_milestones_are_planned_done_and_reopened(world, officer):
    park = world["park"]

    milestone = delivery.milestone_add(
        proposal=park,
        by=officer,
        title_ka="სამუშაოების დაწყება",
        title_en="Works start",
        due_on=datetime.date(2026, 9, 1),
    )
    assert [m.title_en for m in delivery.timeline(park)] == ["Tender", "Works start", "Handover"]

    delivery.milestone_done(milestone=milestone, by=officer)
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    with pytest.raises(ValidationError, match="done already"):
        delivery.milestone_done(milestone=milestone, by=officer)

    delivery.milestone_reopen(milestone=milestone, by=officer)
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_a_milestone_needs_a_name_and_is_never_done_in_the_future(world, officer):
    park = world["park"]
    with pytest.raises(ValidationError) as refused:
        delivery.milestone_add(proposal=park, by=officer, title_ka="  ")
    assert "title_ka" in refused.value.message_dict

    milestone = park.milestones.get(title_en="Handover")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        delivery.milestone_done(milestone=milestone, by=officer, done_on=tomorrow)
    milestone.refresh_from_db()
    assert milestone.done_on is None


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_photos_of_the_works_are_kept_with_their_caption(world, officer, kind):
    park = world["park"]

    photo = delivery.photo_add(
        proposal=park, by=officer, file=image(f"works.{kind.lower()}", kind), caption="ეზო"
    )

    assert photo.kind == PhotoKind.PROGRESS and photo.caption == "ეზო"
    suffix = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[kind]
    assert photo.image.name.endswith(f".{suffix}")
    assert delivery.progress_photos(park) == [photo]


def test_a_photo_is_checked_by_its_content_not_its_name(world, officer):
    fake = SimpleUploadedFile("works.png", b"<html>not a photo</html>", content_type="image/png")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    gif = SimpleUploadedFile("works.png", buffer.getvalue(), content_type="image/png")

    for file in (fake, gif):
        with pytest.raises(ValidationError) as refused:
            delivery.photo_add(proposal=world["park"], by=officer, file=file)
        assert "not a JPEG, PNG or WebP" in " ".join(refused.value.message_dict["photo"])
    assert not Photo.objects.exists()


def test_a_photo_too_large_is_refused(world, officer, monkeypatch):
    monkeypatch.setattr(delivery, "MAX_PHOTO_BYTES", 100)

    with pytest.raises(ValidationError) as refused:
        delivery.photo_add(proposal=world["park"], by=officer, file=image(size=(400, 300)))

    assert "at most" in " ".join(refused.value.message_dict["photo"])


def test_a_photo_is_removed_with_its_file(world, officer, django_capture_on_commit_callbacks):
    photo = delivery.photo_add(proposal=world["park"], by=officer, file=image())
    storage, name = photo.image.storage, photo.image.name

    with pytest.raises(ValidationError):
        delivery.photo_remove(
            photo=Photo(proposal=world["park"], kind=PhotoKind.PROPOSAL), by=officer
        )
    with django_capture_on_commit_callbacks(execute=True):
        delivery.photo_remove(photo=photo, by=officer)

    assert not Photo.objects.exists()
    assert not storage.exists(name)


def test_public_winners_leave_out_cycles_being_drafted(world):
    references = {p.reference for p in delivery.public_winners()}

    assert references == {world["park"].reference, world["playground"].reference}
    park = delivery.public_project(world["park"].reference)
    assert park.next_title_en == "Handover" and park.milestones_done == 1
    assert delivery.public_project(world["lost"].reference) is None
    counts = {c.status: c.count for c in delivery.status_counts(delivery.public_winners())}
    assert counts["in_progress"] == 1 and counts["not_started"] == 1
