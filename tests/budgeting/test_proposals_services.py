"""Proposing, supporting and withdrawing: the place decides the budget, the municipality and
the phase bound what may be proposed, photos are checked by their bytes, one support each."""

from __future__ import annotations

import threading

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.db import connection

from budgeting import proposals as services
from budgeting.models import Phase, Photo, Proposal, ProposalStatus, Support
from tests.budgeting.proposal_factories import at, make_cycle, photo, set_phase
from tests.conftest import RUSTAVI_ORIGIN, multi, square
from tests.core.factories import UserFactory


@pytest.fixture
def cycle(rustavi):
    return make_cycle(rustavi)


@pytest.fixture
def author(db):
    return UserFactory()


def propose(cycle, author, geometry, **fields):
    values = {
        "title": "A bench by the river",
        "description": "Three benches and a bin.",
        "category": "public_space",
        "estimated_cost": 12_000,
    }
    values.update(fields)
    return services.proposal_create(cycle=cycle, author=author, geometry=geometry, **values)


def test_a_point_goes_to_the_budget_of_its_district(cycle, author):
    proposal = propose(cycle, author, at(2500, 500))
    assert proposal.budget.district.code == "east"
    assert proposal.area is None
    assert proposal.reference == "PB-RST-2027-0001"
    assert proposal.status == ProposalStatus.SUBMITTED
    second = propose(cycle, author, at(500, 500))
    assert second.budget.district.code == "west"
    assert second.reference == "PB-RST-2027-0002"


def test_an_area_is_kept_and_marked_at_a_point_inside(cycle, author):
    x, y = RUSTAVI_ORIGIN
    area = multi(square(x + 100, y + 100, 200))
    proposal = propose(cycle, author, area)
    assert isinstance(proposal.area, MultiPolygon)
    assert proposal.area.covers(proposal.location)
    assert proposal.budget.district.code == "west"


def test_the_whole_city_budget_when_the_author_asks(cycle, author):
    proposal = propose(cycle, author, at(500, 500), citywide=True)
    assert proposal.budget.is_citywide


def test_a_place_outside_the_municipality_is_refused(cycle, author):
    with pytest.raises(ValidationError) as error:
        propose(cycle, author, at(-500, 500))
    assert error.value.error_dict["geometry"][0].code == "outside"
    assert not Proposal.objects.exists()


def test_a_place_in_no_district_with_a_budget_is_refused_with_the_way_out(cycle, author):
    with pytest.raises(ValidationError) as error:
        propose(cycle, author, at(1000, 3000))
    assert error.value.error_dict["geometry"][0].code == "no_district_budget"
    assert propose(cycle, author, at(1000, 3000), citywide=True).budget.is_citywide


@pytest.mark.parametrize("phase", [None, Phase.INFORMING, Phase.REVIEWING, Phase.BALLOTING])
def test_proposals_are_taken_only_in_the_accepting_phase(cycle, author, phase):
    set_phase(cycle, phase)
    with pytest.raises(ValidationError) as error:
        propose(cycle, author, at(500, 500))
    assert error.value.error_list[0].code == "not_accepting"


def test_the_estimate_is_bounded(cycle, author):
    for cost in (0, services.MAX_ESTIMATED_COST + 1):
        with pytest.raises(ValidationError) as error:
            propose(cycle, author, at(500, 500), estimated_cost=cost)
        assert "estimated_cost" in error.value.error_dict


def test_photos_are_kept_when_they_are_photos(cycle, author):
    files = [photo("a.png"), photo("b.jpg", "JPEG"), photo("c.webp", "WEBP")]
    proposal = propose(cycle, author, at(500, 500), photos=files)
    names = sorted(p.image.name.rsplit(".", 1)[-1] for p in proposal.photos.all())
    assert names == ["jpg", "png", "webp"]


def test_a_file_that_only_claims_to_be_a_photo_is_refused(cycle, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cat.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    gif = photo("x.gif", "PNG")
    gif.name = "x.gif"
    with pytest.raises(ValidationError) as error:
        propose(cycle, author, at(500, 500), photos=[fake])
    assert "cat.jpg" in error.value.message_dict["photos"][0]
    assert not Proposal.objects.exists()
    assert not Photo.objects.exists()


def test_at_most_five_photos(cycle, author):
    with pytest.raises(ValidationError) as error:
        propose(cycle, author, at(500, 500), photos=[photo(f"{i}.png") for i in range(6)])
    assert error.value.error_dict["photos"][0].code == "too_many_photos"


def test_a_photo_too_large_is_refused(cycle, author, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTO_BYTES", 50)
    with pytest.raises(ValidationError) as error:
        propose(cycle, author, at(500, 500), photos=[photo(size=(200, 200))])
    assert "photos" in error.value.error_dict


@pytest.fixture
def supporting(cycle, author):
    proposal = propose(cycle, author, at(500, 500))
    set_phase(cycle, Phase.SUPPORTING)
    return Proposal.objects.select_related("cycle").get(pk=proposal.pk)


def test_a_person_supports_once_and_may_take_it_back(supporting):
    fan = UserFactory()
    assert services.proposal_support(proposal=supporting, user=fan) is True
    assert services.proposal_support(proposal=supporting, user=fan) is False
    supporting.refresh_from_db()
    assert supporting.supports == 1
    assert services.proposal_support_toggle(proposal=supporting, user=fan) is False
    supporting.refresh_from_db()
    assert supporting.supports == 0
    assert not Support.objects.exists()


def test_support_is_refused_outside_the_supporting_phase(cycle, author):
    proposal = propose(cycle, author, at(500, 500))
    with pytest.raises(ValidationError) as error:
        services.proposal_support(proposal=proposal, user=UserFactory())
    assert error.value.error_list[0].code == "not_supporting"


@pytest.mark.django_db(transaction=True)
def test_two_supports_at_once_by_one_person_count_once(rustavi):
    cycle = make_cycle(rustavi)
    author = UserFactory()
    proposal = propose(cycle, author, at(500, 500))
    set_phase(cycle, Phase.SUPPORTING)
    fan = UserFactory()
    barrier = threading.Barrier(6)
    results, errors = [], []

    def support():
        try:
            barrier.wait()
            target = Proposal.objects.select_related("cycle").get(pk=proposal.pk)
            results.append(services.proposal_support(proposal=target, user=fan))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=support) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [False] * 5 + [True]
    proposal.refresh_from_db()
    assert proposal.supports == 1
    assert Support.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db(transaction=True)
def test_proposals_made_at_once_take_different_numbers(rustavi):
    cycle = make_cycle(rustavi)
    authors = [UserFactory() for _ in range(4)]
    barrier = threading.Barrier(4)
    errors = []

    def go(person):
        try:
            barrier.wait()
            propose(cycle, person, at(500, 500))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in authors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    references = sorted(Proposal.objects.values_list("reference", flat=True))
    assert references == [f"PB-RST-2027-{n:04d}" for n in range(1, 5)]


def test_the_author_withdraws_before_review_only(cycle, author):
    proposal = propose(cycle, author, at(500, 500))
    with pytest.raises(ValidationError):
        services.proposal_withdraw(proposal=proposal, by=UserFactory())
    services.proposal_withdraw(proposal=proposal, by=author)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    reviewed = propose(cycle, author, at(600, 500))
    Proposal.objects.filter(pk=reviewed.pk).update(status=ProposalStatus.FEASIBLE, cost=9000)
    reviewed.refresh_from_db()
    with pytest.raises(ValidationError):
        services.proposal_withdraw(proposal=reviewed, by=author)
