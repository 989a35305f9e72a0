"""The public pages of proposals: the cycles, a cycle's list and its filters, proposing on the
form (a point, an area, a parcel; errors that keep what was typed), a proposal's page with its
support, withdrawal and comments, one's own proposals, the layer and the place action."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgeting import proposals as services
from budgeting.layers import PROPOSALS_LAYER
from budgeting.models import Phase, Proposal, ProposalStatus
from core.modules import Place
from core.modules import registry as modules
from engagement.models import Comment
from tests.budgeting.proposal_factories import at, lonlat, make_cycle, photo, set_phase
from tests.conftest import RUSTAVI_ORIGIN, make_parcel, multi, square
from tests.core.factories import UserFactory


@pytest.fixture
def cycle(rustavi):
    return make_cycle(rustavi)


@pytest.fixture
def author(db):
    return UserFactory()


def cycle_url(cycle, name="budgeting:cycle"):
    return reverse(name, args=[cycle.municipality.code, cycle.slug])


def make(cycle, author, where, **fields):
    values = {
        "title": "Lights on the path",
        "description": "Ten lamps along the path by the river.",
        "category": "streets",
        "estimated_cost": 40_000,
    }
    values.update(fields)
    return services.proposal_create(cycle=cycle, author=author, geometry=where, **values)


def form_data(**fields):
    lon, lat = lonlat(500, 500)
    data = {
        "title": "A playground",
        "description": "Swings and a sandpit for the yard.",
        "category": "sport",
        "estimated_cost": "25000",
        "geometry": json.dumps({"type": "Point", "coordinates": [lon, lat]}),
        "parcel": "",
    }
    data.update(fields)
    return data


# --- The cycles ------------------------------------------------------------------------------


def test_home_shows_the_cycle_with_what_one_can_do_now(client, cycle, english_messages):
    page = client.get(reverse("budgeting:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rustavi 2027" in text
    assert "Accepting proposals" in text
    assert cycle_url(cycle, "budgeting:propose") in text
    assert "1,000,000" in text or "1 000 000" in text or "1000000" in text


def test_a_cycle_being_drafted_is_not_public(client, rustavi):
    drafting = make_cycle(rustavi, Phase.DRAFTING, slug="draft")
    assert "draft" not in client.get(reverse("budgeting:home")).content.decode()
    assert client.get(cycle_url(drafting)).status_code == 404


def test_the_cycle_page_shows_phases_budgets_and_proposals(client, cycle, author, english_messages):
    make(cycle, author, at(500, 500))
    page = client.get(cycle_url(cycle))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'aria-current="step"' in text
    assert "West" in text and "East" in text and "Whole city" in text
    assert "Lights on the path" in text
    config = page.context["config"]
    assert config["layer"] == PROPOSALS_LAYER
    assert {f["properties"]["name"] for f in config["districts"]["features"]} == {"West", "East"}


def test_the_list_filters_and_sorts(client, cycle, author):
    west = make(cycle, author, at(500, 500), title="Trees in the west", category="green")
    east = make(
        cycle,
        author,
        at(2500, 500),
        title="Bike lane east",
        category="transport",
        estimated_cost=90_000,
    )
    Proposal.objects.filter(pk=east.pk).update(supports=7)
    url = cycle_url(cycle)

    def listed(**query):
        page = client.get(url, query)
        return [p.reference for p in page.context["proposals"]]

    assert listed(q="bike") == [east.reference]
    assert listed(q=west.reference) == [west.reference]
    assert listed(budget=west.budget_id) == [west.reference]
    assert listed(category="transport") == [east.reference]
    assert listed(status="feasible") == []
    assert listed(sort="supports") == [east.reference, west.reference]
    assert listed(sort="cost") == [west.reference, east.reference]
    assert listed(sort="-cost") == [east.reference, west.reference]
    Proposal.objects.filter(pk=west.pk).update(status=ProposalStatus.WITHDRAWN)
    assert listed() == [east.reference]


# --- Proposing -------------------------------------------------------------------------------


def test_proposing_needs_an_account(client, cycle):
    page = client.get(cycle_url(cycle, "budgeting:propose"))
    assert page.status_code == 302
    assert "login" in page["Location"]


def test_outside_the_accepting_phase_the_page_says_when(client, cycle, author, english_messages):
    set_phase(cycle, Phase.INFORMING)
    client.force_login(author)
    page = client.get(cycle_url(cycle, "budgeting:propose"))
    assert page.status_code == 200
    assert b"Proposals are taken from" in page.content
    assert client.post(cycle_url(cycle, "budgeting:propose"), form_data()).status_code == 200
    assert not Proposal.objects.exists()


def test_a_point_proposed_on_the_form_with_photos(client, cycle, author):
    client.force_login(author)
    data = form_data()
    data["photos"] = [photo("a.png"), photo("b.jpg", "JPEG")]
    page = client.post(cycle_url(cycle, "budgeting:propose"), data)
    assert page.status_code == 302
    proposal = Proposal.objects.get()
    assert page["Location"] == reverse("budgeting:proposal", args=[proposal.reference])
    assert proposal.author == author
    assert proposal.budget.district.code == "west"
    assert proposal.photos.count() == 2
    shown = client.get(page["Location"])
    assert shown.status_code == 200
    photo_url = reverse(
        "budgeting:proposal-photo", args=[proposal.reference, proposal.photos.first().pk]
    )
    assert photo_url in shown.content.decode()
    image = client.get(photo_url)
    assert image.status_code == 200
    assert image["Content-Type"] in ("image/png", "image/jpeg")


def test_an_area_proposed_on_the_form(client, cycle, author):
    client.force_login(author)
    area = multi(square(RUSTAVI_ORIGIN[0] + 2200, RUSTAVI_ORIGIN[1] + 200, 100)).transform(
        4326, clone=True
    )
    page = client.post(cycle_url(cycle, "budgeting:propose"), form_data(geometry=area.geojson))
    assert page.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.area is not None
    assert proposal.budget.district.code == "east"


def test_a_proposal_started_from_a_parcel(client, cycle, author, rustavi):
    x, y = RUSTAVI_ORIGIN
    parcel = make_parcel(rustavi, "02.07.01.001", x + 300, y + 300)
    client.force_login(author)
    page = client.get(cycle_url(cycle, "budgeting:propose"), {"parcel": parcel.cadastral_code})
    form = page.context["form"]
    assert form.initial["parcel"] == parcel.cadastral_code
    assert json.loads(form.initial["geometry"])["type"] == "MultiPolygon"
    posted = client.post(
        cycle_url(cycle, "budgeting:propose"),
        form_data(geometry="", parcel=parcel.cadastral_code),
    )
    assert posted.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.place_label == parcel.cadastral_code
    assert proposal.area.equals_exact(parcel.geom, 0.01)


def test_a_point_given_by_the_card_fills_the_place(client, cycle, author):
    client.force_login(author)
    lon, lat = lonlat(700, 700)
    page = client.get(cycle_url(cycle, "budgeting:propose"), {"lon": lon, "lat": lat})
    assert json.loads(page.context["form"].initial["geometry"])["type"] == "Point"


def test_a_place_outside_is_refused_and_nothing_typed_is_lost(
    client, cycle, author, english_messages
):
    client.force_login(author)
    lon, lat = lonlat(-800, 500)
    data = form_data(geometry=json.dumps({"type": "Point", "coordinates": [lon, lat]}))
    page = client.post(cycle_url(cycle, "budgeting:propose"), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "outside Rustavi" in text
    assert "A playground" in text
    assert "Swings and a sandpit for the yard." in text
    assert not Proposal.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_on_the_form(client, cycle, author, english_messages):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(author)
    data = form_data()
    data["photos"] = [SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", "image/png")]
    page = client.post(cycle_url(cycle, "budgeting:propose"), data)
    assert page.status_code == 400
    assert "is not a JPEG, PNG or WebP photo" in page.content.decode()
    assert "Choose the photos again" in page.content.decode()
    assert not Proposal.objects.exists()


def test_a_place_is_needed(client, cycle, author, english_messages):
    client.force_login(author)
    page = client.post(cycle_url(cycle, "budgeting:propose"), form_data(geometry=""))
    assert page.status_code == 400
    assert "Mark the place on the map" in page.content.decode()


# --- A proposal ------------------------------------------------------------------------------


def test_support_on_the_page_toggles(client, cycle, author, english_messages):
    proposal = make(cycle, author, at(500, 500))
    set_phase(cycle, Phase.SUPPORTING)
    fan = UserFactory()
    client.force_login(fan)
    url = reverse("budgeting:proposal", args=[proposal.reference])
    assert b"Support this proposal" in client.get(url).content
    support = reverse("budgeting:proposal-support", args=[proposal.reference])
    assert client.post(support).status_code == 302
    proposal.refresh_from_db()
    assert proposal.supports == 1
    assert b"You support it" in client.get(url).content
    client.post(support)
    proposal.refresh_from_db()
    assert proposal.supports == 0


def test_no_support_button_outside_the_supporting_phase(client, cycle, author, english_messages):
    proposal = make(cycle, author, at(500, 500))
    client.force_login(UserFactory())
    url = reverse("budgeting:proposal", args=[proposal.reference])
    assert b"Support this proposal" not in client.get(url).content
    client.post(reverse("budgeting:proposal-support", args=[proposal.reference]))
    proposal.refresh_from_db()
    assert proposal.supports == 0


def test_the_author_withdraws_on_the_page(client, cycle, author):
    proposal = make(cycle, author, at(500, 500))
    withdraw = reverse("budgeting:proposal-withdraw", args=[proposal.reference])
    client.force_login(UserFactory())
    assert client.post(withdraw).status_code == 404
    client.force_login(author)
    assert client.post(withdraw).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    client.logout()
    assert client.get(reverse("budgeting:proposal", args=[proposal.reference])).status_code == 404


def test_a_merged_proposal_points_to_the_one_it_joined(client, cycle, author, english_messages):
    kept = make(cycle, author, at(500, 500), title="Kept")
    merged = make(cycle, author, at(510, 500), title="Merged")
    Proposal.objects.filter(pk=merged.pk).update(status=ProposalStatus.MERGED, merged_into=kept)
    page = client.get(reverse("budgeting:proposal", args=[merged.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "merged into" in text
    assert reverse("budgeting:proposal", args=[kept.reference]) in text


def test_a_review_reason_and_price_are_shown(client, cycle, author, english_messages):
    proposal = make(cycle, author, at(500, 500))
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.UNFEASIBLE,
        review_reason_en="The land is private.",
        review_reason_ka="მიწა კერძოა.",
        cost=None,
    )
    text = client.get(reverse("budgeting:proposal", args=[proposal.reference])).content.decode()
    assert "The land is private." in text
    assert "Not feasible" in text


def test_comments_on_a_proposal_go_through_engagement(client, cycle, author):
    proposal = make(cycle, author, at(500, 500))
    url = reverse("budgeting:proposal", args=[proposal.reference])
    neighbour = UserFactory()
    client.force_login(neighbour)
    page = client.post(url, {"stance": "in_favour", "body": "Yes, the path is dark at night."})
    assert page.status_code == 302, page.content.decode()[:2000]
    comment = Comment.objects.get()
    assert comment.layer == PROPOSALS_LAYER
    assert comment.feature_id == str(proposal.pk)
    assert "the path is dark" in client.get(url).content.decode()


def test_my_proposals_lists_only_mine(client, cycle, author):
    mine = make(cycle, author, at(500, 500), title="Mine")
    make(cycle, UserFactory(), at(520, 500), title="Someone else's")
    assert client.get(reverse("budgeting:my-proposals")).status_code == 302
    client.force_login(author)
    page = client.get(reverse("budgeting:my-proposals"))
    assert [p.reference for p in page.context["proposals"]] == [mine.reference]


# --- The layer and the place action ----------------------------------------------------------


def test_the_layer_shows_public_proposals_without_the_author(client, cycle, author):
    shown = make(cycle, author, at(500, 500), title="Shown")
    gone = make(cycle, author, at(600, 500), title="Gone")
    Proposal.objects.filter(pk=gone.pk).update(status=ProposalStatus.WITHDRAWN)
    body = client.get(f"/ogcapi/collections/{PROPOSALS_LAYER}/items?f=json").json()
    found = {f["properties"]["reference"]: f for f in body["features"]}
    assert set(found) == {shown.reference}
    properties = found[shown.reference]["properties"]
    assert properties["title"] == "Shown"
    assert properties["budget_en"] == "West"
    assert properties["cycle_slug"] == "2027"
    assert properties["supports"] == 0
    assert "author" not in properties and "author_id" not in properties
    assert found[shown.reference]["geometry"]["type"] == "Point"


def test_propose_here_is_offered_only_while_proposals_are_taken(cycle, rustavi, english_messages):
    x, y = RUSTAVI_ORIGIN
    parcel = make_parcel(rustavi, "02.07.01.002", x + 300, y + 300)
    lon, lat = lonlat(300, 300)
    on_parcel = Place(lon=lon, lat=lat, municipality=rustavi, parcel=parcel)
    on_street = Place(lon=lon, lat=lat, feature=("streets", "7"))

    def labels(place):
        return {str(link.label): link.url for link in modules.place_actions(place, None)}

    assert f"parcel={parcel.cadastral_code}" in labels(on_parcel)["Propose a project here"]
    assert "lon=" in labels(on_street)["Propose a project here"]
    far = Place(lon=41.64, lat=41.64)  # Batumi: no cycle there
    assert "Propose a project here" not in labels(far)
    set_phase(cycle, Phase.REVIEWING)
    assert "Propose a project here" not in labels(on_parcel)
    assert "Propose a project here" not in labels(on_street)


def test_the_parcel_page_offers_to_propose_there(client, cycle, rustavi, english_messages):
    x, y = RUSTAVI_ORIGIN
    parcel = make_parcel(rustavi, "02.07.01.003", x + 300, y + 300)
    page = client.get(reverse("parcels:page", args=[parcel.cadastral_code]))
    assert "Propose a project here" in page.content.decode()


def test_the_cycle_page_costs_the_same_queries_for_more_proposals(
    client, cycle, author, django_assert_max_num_queries
):
    for i in range(3):
        make(cycle, author, at(500 + i * 10, 500))
    url = cycle_url(cycle)
    client.get(url)  # warm the caches of the style and the layers
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        make(cycle, author, at(2500 + i * 10, 500), title=f"More {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
