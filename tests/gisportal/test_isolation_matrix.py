"""Every route, for every role, against citizen B's and Rustavi's objects: no one else reads
them or changes them (DESIGN.md, "Trust").

The routes come from Django's resolver and are aimed at the world by the fillers of
tests/gisportal/isolation/routes.py, so a new route is covered without being listed here.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from core.models import Role
from tests.cases.factories import applicant, staff
from tests.gisportal.isolation.changes import RowWatch
from tests.gisportal.isolation.matrix import WRITES, Probe
from tests.gisportal.isolation.routes import aimed, walk
from tests.gisportal.isolation.world import build_world, municipalities

pytestmark = pytest.mark.django_db

STAFF_ROLES = [str(role) for role in Role.values]
ROLES = ["anonymous", "citizen", *(f"batumi-{role}" for role in STAFF_ROLES)]
# Where a marker is shown to its own people, so that a marker nobody sees (a check that could
# never fail) is noticed: the superuser sees every page.
CONTROL = "superuser"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module, made once and rolled back at its end; each test's own writes
    are rolled back by pytest-django inside it."""
    media = tmp_path_factory.mktemp("isolation-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            CASES_NOTIFY_SYNC=True,
            NOTIFY_SYNC=True,
            # A live stream (estate/live.py) sends what it has and ends, not after 30 s.
            ESTATE_LIVE_STREAM_SECONDS=0,
        ),
        transaction.atomic(),
    ):
        batumi, rustavi = municipalities()
        made = build_world(rustavi)
        made.batumi = batumi
        yield made
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def pairs(world):
    found, unfilled = aimed(walk(), world)
    return found, unfilled


@pytest.fixture(scope="module")
def public_answers() -> dict[str, bool]:
    return {}


def actor(role: str, world):
    if role == "anonymous":
        return None
    if role == "citizen":
        return applicant()
    if role.startswith("owner"):
        return world.owner
    if role == CONTROL:
        return applicant(is_superuser=True, is_staff=True)
    return staff(world.batumi, role.removeprefix("batumi-"))


def probe_for(role: str, world, public_answers, **kwargs) -> Probe:
    client = Client(raise_request_exception=False, **kwargs)
    person = actor(role, world)
    if person is not None:
        client.force_login(person)
    return Probe(role=role, client=client, world=world, public=public_answers, watch=RowWatch())


def assert_signed_in(probe: Probe, role: str) -> None:
    """The actor really is in: were it sent to sign in or to set up a second factor, every
    answer would be a redirect and the matrix would pass while testing nothing."""
    if role == "anonymous":
        return
    assert probe.client.get(reverse("engagement:inbox")).status_code == 200, role
    if role.startswith("batumi-"):
        assert probe.client.get(reverse("admin:index")).status_code == 200, role


def report(probe: Probe) -> str:
    shown = probe.problems[:60]
    more = len(probe.problems) - len(shown)
    return "\n".join(shown + ([f"... and {more} more"] if more else []))


def test_every_route_can_be_aimed_at_the_world(pairs):
    _found, unfilled = pairs
    assert not unfilled, "\n".join(unfilled)


@pytest.mark.parametrize("role", ROLES)
def test_no_one_else_reads_or_changes_b_and_rustavi_objects(role, world, pairs, public_answers):
    found, _unfilled = pairs
    probe = probe_for(role, world, public_answers)
    assert_signed_in(probe, role)
    probe.sweep(found, ("GET", "HEAD", *WRITES))
    assert not probe.problems, report(probe)


def test_a_cross_site_post_in_b_session_changes_nothing(world, pairs, public_answers):
    """B's own browser, made to post from another site: CSRF refuses before any view acts."""
    found, _unfilled = pairs
    probe = probe_for("owner-cross-site", world, public_answers, enforce_csrf_checks=True)
    probe.own = True
    probe.sweep(found, WRITES)
    assert not probe.problems, report(probe)


def test_every_marker_is_shown_to_someone(world, pairs, public_answers):
    """B and the superuser, walking every GET, see each private marker somewhere: the matrix
    looks for strings that real pages do show, so its silence means something."""
    found, _unfilled = pairs
    seen: set[str] = set()
    for role in ("owner", CONTROL):
        probe = probe_for(role, world, public_answers)
        probe.own = True
        probe.seen_markers = seen
        # Addresses that name an object first: they show the most; stop when all are seen.
        ordered = sorted(found, key=lambda pair: not pair[0].kwargs)
        probe.sweep(ordered, ("GET",), until=lambda p: p.seen_markers >= set(world.markers))
        assert not probe.problems, report(probe)
    unseen = sorted(set(world.markers) - seen)
    assert not unseen, f"markers no page shows: {unseen}"


def test_the_matrix_catches_a_view_that_forgets_to_filter(
    world, pairs, public_answers, monkeypatch
):
    """With the cases' access check switched off, a citizen walking the case routes is caught
    reading B's application (the services' own checks still refuse the writes)."""
    from cases import selectors
    from cases.models import Case

    def any_case(user, reference, *, staff_only=False):
        return Case.objects.get(reference=reference)

    monkeypatch.setattr(selectors, "case_for_user", any_case)
    found, _unfilled = pairs
    probe = probe_for("citizen", world, public_answers)
    probe.sweep([pair for pair in found if "<str:reference>" in pair[0].pattern], ("GET", "POST"))
    problems = "\n".join(probe.problems)
    assert "shows ['draft-summary']" in problems
    assert "for someone else's object" in problems


def test_a_write_is_seen_and_undone(world):
    from engagement.models import Comment

    watch = RowWatch()
    with watch.request() as changes:
        Comment.objects.filter(pk=world.hidden_comment.pk).update(body="changed")
    # The audit trigger's event row is a change too.
    assert "engagement_comment: 1 rows new or changed, 1 gone" in changes
    assert Comment.objects.get(pk=world.hidden_comment.pk).body != "changed"
