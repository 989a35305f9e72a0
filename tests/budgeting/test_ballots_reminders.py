"""Reminders for ballots not checked out: one after a day idle, one more on the last day."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from budgeting import ballots
from budgeting.ballot_jobs import drafts_remind
from budgeting.models import Ballot
from tests.budgeting.ballot_factories import GIORGI, NINO, ballot_world, ids, open_phase, resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def send_at_once(settings):
    settings.NOTIFY_SYNC = True


@pytest.fixture
def world(batumi):
    world = ballot_world(batumi)
    now = timezone.now()
    # Open for five more days: the last day starts in four.
    open_phase(
        world["cycle"],
        starts=now - datetime.timedelta(days=2),
        ends=now + datetime.timedelta(days=5),
    )
    world["cycle"].refresh_from_db()
    return world


def draft(world, number, year, email, *, age: datetime.timedelta):
    user = resident(email)
    voter = ballots.voter_verify(cycle=world["cycle"], user=user, number=number, birth_year=year)
    budget = world["budget"].__class__.objects.select_related("cycle").get(pk=world["budget"].pk)
    ballot = ballots.ballot_save_draft(
        voter=voter, budget=budget, proposal_ids=ids(world["projects"]["bench"]), user=user
    )
    Ballot.objects.filter(pk=ballot.pk).update(updated_at=timezone.now() - age)
    return ballot, voter, user


def test_a_draft_idle_for_a_day_is_reminded_once(world, english_messages):
    idle, _, _ = draft(world, *NINO, "nino@example.ge", age=datetime.timedelta(hours=25))
    draft(world, *GIORGI, "giorgi@example.ge", age=datetime.timedelta(hours=2))
    assert drafts_remind() == 1
    assert [m.to for m in mail.outbox] == [["nino@example.ge"]]
    assert "is not counted yet" in mail.outbox[0].subject
    assert "/vote/" in mail.outbox[0].body
    idle.refresh_from_db()
    assert idle.reminded_at is not None
    assert drafts_remind() == 0
    assert len(mail.outbox) == 1


def test_every_draft_is_reminded_again_on_the_last_day(world):
    draft(world, *NINO, "nino@example.ge", age=datetime.timedelta(hours=25))
    draft(world, *GIORGI, "giorgi@example.ge", age=datetime.timedelta(hours=2))
    assert drafts_remind() == 1
    last_day = timezone.now() + datetime.timedelta(days=4, hours=2)
    assert drafts_remind(now=last_day) == 2
    assert drafts_remind(now=last_day + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 3


def test_a_checked_out_ballot_gets_no_reminder(world):
    ballot, voter, user = draft(world, *NINO, "nino@example.ge", age=datetime.timedelta(hours=25))
    p = world["projects"]
    budget = world["budget"].__class__.objects.select_related("cycle").get(pk=world["budget"].pk)
    ballots.ballot_checkout(
        voter=voter, budget=budget, proposal_ids=ids(p["park"], p["lights"]), user=user
    )
    mail.outbox.clear()
    assert drafts_remind() == 0
    assert not mail.outbox


def test_no_reminder_once_the_voting_closed(world):
    draft(world, *NINO, "nino@example.ge", age=datetime.timedelta(hours=25))
    assert drafts_remind(now=timezone.now() + datetime.timedelta(days=6)) == 0
