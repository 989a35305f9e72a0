"""A resident's way through the ballot: verification against the voter list, drafts, checkout
with its confirmation, changes until the close, and the refusals on the way."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from budgeting import ballots, voters
from budgeting.models import Ballot, BallotStatus, Channel, Cycle
from tests.budgeting.ballot_factories import (
    GIORGI,
    NINO,
    TAMAR,
    ballot_world,
    ids,
    open_phase,
    resident,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def send_at_once(settings):
    settings.NOTIFY_SYNC = True


@pytest.fixture
def world(batumi):
    return ballot_world(batumi)


def vote_url(world):
    return reverse("budgeting:vote", args=["BTM", "pb-2027"])


def ballot_url(world, name="ballot", budget=None):
    return reverse(f"budgeting:{name}", args=["BTM", "pb-2027", (budget or world["budget"]).pk])


@pytest.fixture
def nino(client, world):
    user = resident("nino@example.ge")
    client.force_login(user)
    return user


def verify(client, world, number, year):
    return client.post(vote_url(world), {"number": number, "birth_year": year})


# --- Verification ----------------------------------------------------------------------------


def test_a_resident_on_the_list_is_verified_and_offered_their_district_and_the_city(
    client, world, nino, english_messages
):
    answer = verify(client, world, "010 0101 2345", NINO[1])
    assert answer.status_code == 302
    voter = world["voters"]["nino"]
    voter.refresh_from_db()
    assert voter.user == nino and voter.verified_at is not None
    page = client.get(vote_url(world)).content.decode()
    assert "01•••••••45" in page and "01001012345" not in page
    assert "Old Town budget" in page and "City-wide" in page
    assert "Seaside budget" not in page


def test_an_unknown_number_is_refused(client, world, nino, english_messages):
    answer = verify(client, world, "99999999999", 1985)
    assert answer.status_code == 400
    assert "The voter list has no resident with this personal number" in answer.content.decode()
    assert not world["cycle"].voters.filter(user=nino).exists()


def test_a_wrong_year_of_birth_is_refused(client, world, nino):
    answer = verify(client, world, NINO[0], 1986)
    assert answer.status_code == 400
    assert not world["cycle"].voters.filter(user=nino).exists()


def test_a_malformed_number_is_refused(client, world, nino, english_messages):
    answer = verify(client, world, "12345", 1985)
    assert answer.status_code == 400
    assert "A personal number has 11 digits." in answer.content.decode()


def test_a_number_claimed_by_another_account_is_refused(client, world, nino, english_messages):
    other = resident("someone@example.ge")
    ballots.voter_verify(cycle=world["cycle"], user=other, number=NINO[0], birth_year=NINO[1])
    answer = verify(client, world, NINO[0], NINO[1])
    assert answer.status_code == 400
    assert "Another account has already verified itself" in answer.content.decode()


def test_guessing_the_year_of_birth_is_stopped(world, nino, english_messages):
    from django.core.exceptions import ValidationError

    for year in range(1950, 1950 + ballots.VERIFY_ATTEMPTS):
        with pytest.raises(ValidationError) as caught:
            ballots.voter_verify(cycle=world["cycle"], user=nino, number=NINO[0], birth_year=year)
        assert caught.value.code == "not_on_list"
    # The right year now is refused too, until the hour has passed.
    with pytest.raises(ValidationError) as caught:
        ballots.voter_verify(cycle=world["cycle"], user=nino, number=NINO[0], birth_year=NINO[1])
    assert caught.value.code == "too_many_attempts"
    assert "Too many attempts" in caught.value.messages[0]
    world["voters"]["nino"].refresh_from_db()
    assert world["voters"]["nino"].user is None


def test_one_account_is_one_resident(world, nino):
    ballots.voter_verify(cycle=world["cycle"], user=nino, number=NINO[0], birth_year=NINO[1])
    with pytest.raises(Exception) as caught:
        ballots.voter_verify(
            cycle=world["cycle"], user=nino, number=GIORGI[0], birth_year=GIORGI[1]
        )
    assert caught.value.code == "account_taken"


def test_an_unverified_email_cannot_vote(client, world, english_messages):
    client.force_login(resident("new@example.ge", verified=False))
    answer = verify(client, world, NINO[0], NINO[1])
    assert answer.status_code == 403
    assert "verified e-mail" in answer.content.decode()
    assert world["voters"]["nino"].user is None


def test_the_district_comes_from_the_list_not_from_the_voter(client, world, english_messages):
    client.force_login(resident("tamar@example.ge"))
    verify(client, world, TAMAR[0], TAMAR[1])
    answer = client.get(ballot_url(world))  # Old Town: not hers
    assert answer.status_code == 403
    assert "The voter list gives your district as Seaside" in answer.content.decode()
    assert client.get(ballot_url(world, budget=world["other"])).status_code == 200
    assert client.get(ballot_url(world, budget=world["citywide"])).status_code == 200
    p = world["projects"]
    answer = client.post(
        ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])}
    )
    assert answer.status_code == 403
    assert not Ballot.objects.exists()


def test_an_unverified_resident_cannot_ballot(client, world, nino):
    answer = client.get(ballot_url(world))
    assert answer.status_code == 302 and answer["Location"].endswith(vote_url(world))
    p = world["projects"]
    client.post(ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])})
    assert not Ballot.objects.exists()


# --- Ballot, checkout, confirmation -----------------------------------------------------------


@pytest.fixture
def verified(client, world, nino):
    verify(client, world, NINO[0], NINO[1])
    return nino


def test_the_ballot_lists_the_projects_on_it_only(client, world, verified):
    page = client.get(ballot_url(world)).content.decode()
    for name in ("park", "lights", "playground", "bench"):
        assert world["projects"][name].title in page
    for name in ("unfeasible", "unpriced", "seaside", "citywide"):
        assert world["projects"][name].title not in page


def test_save_keeps_a_draft_that_does_not_count(client, world, verified):
    p = world["projects"]
    answer = client.post(ballot_url(world), {"projects": ids(p["bench"])})
    assert answer.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.status == BallotStatus.DRAFT and ballot.projects == ids(p["bench"])
    assert not ballots.counted_ballots(world["budget"]).exists()
    page = client.get(ballot_url(world)).content.decode()
    assert f'value="{p["bench"].pk}" data-cost="30000" checked' in page


def test_checkout_counts_the_ballot_confirms_it_and_emails_the_code(
    client, world, verified, english_messages
):
    p = world["projects"]
    answer = client.post(
        ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])}
    )
    assert answer.status_code == 302 and answer["Location"] == ballot_url(world, "ballot-done")
    ballot = ballots.counted_ballots(world["budget"]).get()
    assert ballot.total == 350_000 and ballot.channel == Channel.ONLINE
    assert ballot.person_key == voters.person_key(NINO[0])
    assert re.fullmatch(r"[A-Z2-9]{8}", ballot.code)
    page = client.get(ballot_url(world, "ballot-done")).content.decode()
    assert ballot.code in page and "Pocket park" in page and "You can change it until" in page
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nino@example.ge"]
    assert ballot.code in message.subject and ballot.code in message.body
    assert "Pocket park: 150,000 GEL" in message.body
    assert "Total: 350,000 GEL" in message.body
    assert "/done" in message.body


def test_a_refused_checkout_keeps_the_choice_and_counts_nothing(
    client, world, verified, english_messages
):
    p = world["projects"]
    chosen = ids(p["park"], p["lights"], p["playground"])
    answer = client.post(ballot_url(world, "ballot-checkout"), {"projects": chosen})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Your choice costs 462,000 GEL; the budget is 400,000 GEL." in page
    for pk in chosen:
        assert f'value="{pk}" data-cost' in page
        assert re.search(rf'value="{pk}" data-cost="\d+" checked', page)
    assert not Ballot.objects.exists()
    assert not mail.outbox


def test_the_resident_changes_the_ballot_until_the_close(client, world, verified):
    p = world["projects"]
    client.post(ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])})
    code = Ballot.objects.get().code
    client.post(
        ballot_url(world, "ballot-checkout"), {"projects": ids(p["lights"], p["playground"])}
    )
    ballot = Ballot.objects.get()
    assert ballot.projects == ids(p["lights"], p["playground"]) and ballot.total == 312_000
    assert ballot.status == BallotStatus.CHECKED_OUT and ballot.code == code


def test_a_draft_cannot_take_a_counted_ballot_away(client, world, verified):
    p = world["projects"]
    client.post(ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])})
    answer = client.post(ballot_url(world), {"projects": ids(p["bench"])})
    assert answer.status_code == 400
    ballot = Ballot.objects.get()
    assert ballot.status == BallotStatus.CHECKED_OUT and ballot.total == 350_000


def test_a_vote_after_the_close_is_refused_and_nothing_is_counted(
    client, world, verified, english_messages
):
    p = world["projects"]
    now = timezone.now()
    open_phase(world["cycle"], starts=now - datetime.timedelta(days=3), ends=now)
    answer = client.post(
        ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])}
    )
    assert answer.status_code == 400
    assert "The voting closed on" in answer.content.decode()
    assert not Ballot.objects.exists()
    page = client.get(ballot_url(world)).content.decode()
    assert "Check out" not in page


def test_a_checked_out_ballot_is_not_changed_after_the_close(client, world, verified):
    p = world["projects"]
    client.post(ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])})
    now = timezone.now()
    open_phase(world["cycle"], starts=now - datetime.timedelta(days=3), ends=now)
    client.post(ballot_url(world, "ballot-checkout"), {"projects": ids(p["lights"], p["park"])})
    client.post(ballot_url(world), {"projects": ids(p["bench"])})
    ballot = Ballot.objects.get()
    assert ballot.projects == ids(p["park"], p["lights"])


def test_a_vote_before_the_opening_is_refused(client, world, verified, english_messages):
    now = timezone.now()
    open_phase(
        world["cycle"],
        starts=now + datetime.timedelta(days=1),
        ends=now + datetime.timedelta(days=3),
    )
    p = world["projects"]
    answer = client.post(
        ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])}
    )
    assert "The voting opens on" in answer.content.decode()
    assert not Ballot.objects.exists()


def test_the_first_ballot_locks_the_rules(client, world, verified, english_messages):
    from django.core.exceptions import ValidationError

    from budgeting.cycles import set_rules

    assert world["cycle"].rules_locked_at is None
    p = world["projects"]
    client.post(ballot_url(world, "ballot-checkout"), {"projects": ids(p["park"], p["lights"])})
    cycle = Cycle.objects.get(pk=world["cycle"].pk)
    assert cycle.rules_locked_at is not None
    with pytest.raises(ValidationError):
        set_rules(cycle, min_share_percent=50)


def test_a_draft_does_not_lock_the_rules(client, world, verified):
    client.post(ballot_url(world), {"projects": ids(world["projects"]["bench"])})
    assert Cycle.objects.get(pk=world["cycle"].pk).rules_locked_at is None


# --- Paper ballots -----------------------------------------------------------------------------


def test_a_paper_ballot_is_counted_once_with_the_online_ones(world, verified):
    p = world["projects"]
    officer = resident("officer@example.ge")
    key = voters.person_key(GIORGI[0])
    paper = ballots.count_paper_ballot(
        budget=world["budget"], person_key=key, proposal_ids=ids(p["park"], p["lights"]), by=officer
    )
    assert paper.channel == Channel.PAPER and paper.status == BallotStatus.CHECKED_OUT
    with pytest.raises(Exception) as caught:
        ballots.count_paper_ballot(
            budget=world["budget"],
            person_key=key,
            proposal_ids=ids(p["park"], p["lights"]),
            by=officer,
        )
    assert caught.value.code == "already_counted"
    ballots.ballot_checkout(
        voter=world["voters"]["nino"],
        budget=world["budget"],
        proposal_ids=ids(p["lights"], p["playground"]),
        user=verified,
    )
    assert ballots.counted_ballots(world["budget"]).count() == 2
    assert Cycle.objects.get(pk=world["cycle"].pk).rules_locked


def test_a_paper_ballot_of_another_district_is_refused(world):
    p = world["projects"]
    with pytest.raises(Exception) as caught:
        ballots.count_paper_ballot(
            budget=world["budget"],
            person_key=voters.person_key(TAMAR[0]),
            proposal_ids=ids(p["park"], p["lights"]),
            by=None,
        )
    assert caught.value.code == "other_district"


# --- The API ---------------------------------------------------------------------------------


def api(world, name="ballot"):
    return reverse(f"budgeting-api:{name}", args=[world["budget"].pk])


def test_the_api_saves_a_draft_and_says_what_the_rules_think(
    client, world, verified, english_messages
):
    p = world["projects"]
    answer = client.put(api(world), {"projects": ids(p["bench"])}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "draft" and body["total"] == 30_000 and body["remaining"] == 370_000
    assert body["problem"].startswith("Your choice costs 30,000 GEL; spend at least 70%")
    assert client.get(api(world)).json()["projects"] == ids(p["bench"])


def test_the_api_checks_out_and_refuses_in_the_one_error_shape(
    client, world, verified, english_messages
):
    p = world["projects"]
    answer = client.post(
        api(world, "ballot-checkout"),
        {"projects": ids(p["park"], p["lights"], p["playground"])},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "Your choice costs 462,000 GEL; the budget is 400,000 GEL.",
        "code": "over_budget",
    }
    answer = client.post(
        api(world, "ballot-checkout"),
        {"projects": ids(p["park"], p["lights"])},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "checked_out" and body["code"] and body["done_url"]
    answer = client.put(api(world), {"projects": []}, content_type="application/json")
    assert answer.status_code == 409 and answer.json()["code"] == "checked_out"


def test_the_api_refuses_a_resident_not_verified(client, world, nino):
    answer = client.get(api(world))
    assert answer.status_code == 403 and answer.json()["code"] == "not_verified"


def test_the_api_checkout_refuses_another_district_and_an_unknown_budget(client, world):
    tamar = resident("tamar@example.ge")
    ballots.voter_verify(cycle=world["cycle"], user=tamar, number=TAMAR[0], birth_year=TAMAR[1])
    client.force_login(tamar)
    p = world["projects"]
    body = {"projects": ids(p["park"], p["lights"])}
    answer = client.post(api(world, "ballot-checkout"), body, content_type="application/json")
    assert answer.status_code == 403 and answer.json()["code"] == "other_district"
    missing = reverse("budgeting-api:ballot-checkout", args=[999_999])
    assert client.post(missing, body, content_type="application/json").status_code == 404
    assert not Ballot.objects.exists()


def test_the_api_checkout_refuses_a_resident_not_verified(client, world, nino):
    p = world["projects"]
    answer = client.post(
        api(world, "ballot-checkout"),
        {"projects": ids(p["park"], p["lights"])},
        content_type="application/json",
    )
    assert answer.status_code == 403 and answer.json()["code"] == "not_verified"
    assert not Ballot.objects.exists()
