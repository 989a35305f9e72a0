"""Demo participatory budgets: DEMO ONLY.

- Rustavi: the cycle `2027` in its voting phase (open for ten more days), knapsack ballots that
  spend at least 70% of a budget, winners by the Method of Equal Shares. A budget per district
  (money by population) and a city-wide one, ten or so proposals in each (most feasible with a
  price, a few not feasible with the reason, one merged), a voter list of about 2,000 generated
  residents with two demo people on it (not verified yet), about 1,500 checked-out ballots and a
  few drafts.
- Batumi: the cycle `2026`, finished: its ballots, the published results of each budget, the
  winners and their delivery (status, progress, milestones, reports).

Everything is written in bulk without history events, as the other demo data is
(core.audit.ignore_triggers_in_transaction); times are relative to the moment of loading.
Every demo ballot obeys the cycle's rules: it is built greedily within its budget until it
spends at least the minimum share. Loading again adds nothing to a city that has its cycle.
"""

from __future__ import annotations

import datetime
import io
import random
import string
import time
from dataclasses import dataclass, field
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from budgeting.models import (
    PHASE_ORDER,
    Ballot,
    BallotKind,
    BallotStatus,
    Budget,
    Category,
    Cycle,
    CyclePhase,
    DeliveryStatus,
    Milestone,
    Phase,
    Photo,
    PhotoKind,
    ProgressUpdate,
    Proposal,
    ProposalStatus,
    ResultRun,
    Rule,
    RunStatus,
    Support,
    Voter,
)
from budgeting.voters import mask, person_key
from core import audit
from core.models import District, Municipality, Role
from core.services import membership_grant
from estate.demo import BIDDERS, demo_bidders

SEED = 14
DEMO_DOMAIN = "demo.gisportal.ge"
DEMO_PASSWORD = "gisportal-demo"
DAY = datetime.timedelta(days=1)

CITYWIDE_AMOUNT = 1_500_000
# Money of a district's budget per resident, rounded to 10,000 lari.
LARI_PER_RESIDENT = 20
VOTERS = {"RST": 2000, "BTM": 2200}
# Residents who check out a ballot in both their district's budget and the city-wide one.
CHECKED_OUT = {"RST": 750, "BTM": 1500}
DRAFTS = {"RST": 12, "BTM": 0}
# The demo people on Rustavi's voter list (indexes of estate.demo.BIDDERS), their year of
# birth and district: not verified yet, so that the verification can be tried.
DEMO_VOTERS = ((0, 1985, "old-rustavi"), (1, 1990, "new-rustavi"))

# (title, category, description): what residents propose in their district.
DISTRICT_IDEAS = (
    (
        "სკვერის კეთილმოწყობა",
        Category.GREEN,
        "სკვერში ახალი ბილიკები, სკამები, განათება და ყვავილნარი, რომ მოსახლეობამ დასვენება "
        "შეძლოს.",
    ),
    (
        "ბავშვთა სათამაშო მოედანი",
        Category.SPORT,
        "უსაფრთხო სათამაშო მოედანი რეზინის საფარით, საქანელებით და ჩრდილით ეზოს ბავშვებისთვის.",
    ),
    (
        "ეზოს განათება",
        Category.STREETS,
        "ეზო საღამოს ბნელია: ენერგოდამზოგი სანათები ბოძებზე და სადარბაზოების შესასვლელებთან.",
    ),
    (
        "ტროტუარის შეკეთება",
        Category.STREETS,
        "დაზიანებული ტროტუარის ახალი ფილით დაგება და ბორდიურების დადაბლება გადასასვლელებთან.",
    ),
    (
        "ავტობუსის გაჩერების მოწყობა",
        Category.TRANSPORT,
        "გადახურული გაჩერება სკამით, განრიგის დაფით და განათებით.",
    ),
    (
        "სპორტული მოედნის რეაბილიტაცია",
        Category.SPORT,
        "კალათბურთისა და მინი-ფეხბურთის მოედნის ახალი საფარი, ბადეები და შემოღობვა.",
    ),
    (
        "ხეების დარგვა ქუჩის გასწვრივ",
        Category.GREEN,
        "ოცდაათი ახალი ხე ქუჩის ორივე მხარეს, მორწყვის სისტემით პირველი სამი წლისთვის.",
    ),
    (
        "პანდუსები სადარბაზოებთან",
        Category.SOCIAL,
        "პანდუსები და მოაჯირები, რომ ეტლით და ბავშვის ეტლით სადარბაზოში შესვლა შეიძლებოდეს.",
    ),
    (
        "სკამები და ურნები ეზოში",
        Category.PUBLIC_SPACE,
        "ახალი სკამები, ნაგვის ურნები და საინფორმაციო დაფა მრავალბინიანი სახლების ეზოში.",
    ),
    (
        "ველობილიკი სკოლამდე",
        Category.TRANSPORT,
        "გამოყოფილი ველობილიკი სკოლამდე და ველოსიპედების სადგომი სკოლის ეზოში.",
    ),
    (
        "ძაღლების სასეირნო მოედანი",
        Category.PUBLIC_SPACE,
        "შემოღობილი მოედანი ძაღლებისთვის, წყლის ონკანით, სკამებით და ნარჩენების ურნებით.",
    ),
    (
        "ღია ფიტნეს მოედანი",
        Category.SPORT,
        "ღია ცის ქვეშ სავარჯიშო ტრენაჟორები ყველა ასაკისთვის, რეზინის საფარზე.",
    ),
    (
        "ნარჩენების დახარისხების პუნქტი",
        Category.ENVIRONMENT,
        "კონტეინერები ქაღალდის, პლასტმასის და მინისთვის, ინფორმაციით როგორ დავახარისხოთ.",
    ),
    (
        "გადასასვლელის განათება",
        Category.STREETS,
        "ფეხით მოსიარულეთა გადასასვლელის დამატებითი განათება და ამრეკლი ნიშნები სკოლის წინ.",
    ),
    (
        "ეზოს წყალარინების მოწესრიგება",
        Category.ENVIRONMENT,
        "წვიმის შემდეგ ეზოში წყალი დგება: არხები და ცხაურები წყლის გასაყვანად.",
    ),
    (
        "სკოლის ეზოს გამწვანება",
        Category.GREEN,
        "სკოლის ეზოში ხეები, ბუჩქები და პატარა ბოსტანი მოსწავლეებისთვის.",
    ),
    (
        "ხანდაზმულთა დასასვენებელი ადგილი",
        Category.SOCIAL,
        "ჩრდილიანი ფარდული მაგიდებით ნარდისა და ჭადრაკისთვის.",
    ),
    (
        "ამფითეატრი ეზოში",
        Category.CULTURE,
        "პატარა ღია ამფითეატრი კონცერტებისა და ეზოს შეხვედრებისთვის.",
    ),
    (
        "Community garden",
        Category.GREEN,
        "A shared vegetable garden with raised beds and a water tap, run by the neighbours.",
    ),
    (
        "მინი-ფეხბურთის მოედანი",
        Category.SPORT,
        "ხელოვნური საფარის მოედანი კარებით და დამცავი ბადით.",
    ),
    (
        "ბიბლიოთეკის კუთხე სკვერში",
        Category.CULTURE,
        "წიგნების გასაცვლელი კარადა და მაგიდები სკვერში, ჩრდილში.",
    ),
    (
        "ეზოს შემოსასვლელის მოასფალტება",
        Category.STREETS,
        "ორმოებიანი შემოსასვლელის მოასფალტება და ავტომანქანების სადგომის მონიშვნა.",
    ),
)
CITYWIDE_IDEAS = (
    (
        "სანაპიროს ველობილიკი",
        Category.TRANSPORT,
        "უწყვეტი ველობილიკი სანაპიროს გასწვრივ, განათებით და დასასვენებელი ადგილებით.",
    ),
    (
        "ქალაქის პარკის განათება",
        Category.STREETS,
        "პარკის ბილიკების ახალი განათება, რომ საღამოს სეირნობა უსაფრთხო იყოს.",
    ),
    (
        "ინკლუზიური სათამაშო მოედანი",
        Category.SOCIAL,
        "სათამაშო მოედანი, რომელზეც შეზღუდული შესაძლებლობის მქონე ბავშვებიც ითამაშებენ.",
    ),
    (
        "უფასო Wi-Fi სკვერებში",
        Category.PUBLIC_SPACE,
        "უფასო ინტერნეტი ქალაქის ათ სკვერში და ბიბლიოთეკის ეზოში.",
    ),
    (
        "სკეიტპარკი",
        Category.SPORT,
        "ბეტონის სკეიტპარკი ახალგაზრდებისთვის, განათებით და სკამებით.",
    ),
    (
        "ახალგაზრდული სივრცე",
        Category.CULTURE,
        "ღია სივრცე ახალგაზრდებისთვის: სამუშაო მაგიდები, სცენა და ღონისძიებები.",
    ),
    (
        "ელექტრონული ტაბლოები გაჩერებებზე",
        Category.TRANSPORT,
        "ავტობუსის მოსვლის დროის ტაბლოები ქალაქის ოც გაჩერებაზე.",
    ),
    (
        "ცხოველთა თავშესაფრის გაუმჯობესება",
        Category.ENVIRONMENT,
        "თავშესაფრის ვოლიერების განახლება და ვეტერინარული ოთახის აღჭურვა.",
    ),
    (
        "ხანდაზმულთა დღის ცენტრის აღჭურვა",
        Category.SOCIAL,
        "ავეჯი, სამზარეულო და სავარჯიშო ინვენტარი ხანდაზმულთა დღის ცენტრისთვის.",
    ),
    (
        "Bike lanes on the main avenue",
        Category.TRANSPORT,
        "Protected bike lanes on both sides of the main avenue, with bike racks at the stops.",
    ),
    (
        "ქალაქის ბაღის ირიგაციის სისტემა",
        Category.GREEN,
        "წვეთოვანი მორწყვის სისტემა ქალაქის ბაღში, რომ ზაფხულში მცენარეები არ გახმეს.",
    ),
    (
        "ქუჩის ხელოვნების კედლები",
        Category.CULTURE,
        "მოხატული კედლები ადგილობრივი მხატვრების მიერ, ქალაქის ისტორიის თემაზე.",
    ),
)
UNFEASIBLE_REASONS = (
    (
        "მიწის ნაკვეთი კერძო საკუთრებაშია: მუნიციპალიტეტს მასზე მშენებლობა არ შეუძლია.",
        "The land plot is privately owned: the municipality cannot build on it.",
    ),
    (
        "ეს სამუშაო სახელმწიფო პროგრამით უკვე იგეგმება მომავალ წელს.",
        "This work is already planned next year under a state programme.",
    ),
    (
        "ქუჩა შიდასახელმწიფოებრივი გზაა და მისი მოწყობა მუნიციპალიტეტის უფლებამოსილებაში არ შედის.",
        "The street is a national road: arranging it is not within the municipality's powers.",
    ),
)
MILESTONES = (
    ("საპროექტო დოკუმენტაციის მომზადება", "Design documents prepared"),
    ("სახელმწიფო შესყიდვის ტენდერი", "Public procurement tender"),
    ("ხელშეკრულების გაფორმება", "Contract signed"),
    ("სამშენებლო სამუშაოების დაწყება", "Works started"),
    ("ობიექტის ჩაბარება", "Handover of the works"),
)
# What a report says when the delivery reaches a status, and how many milestones are done then.
REPORTS = {
    DeliveryStatus.DESIGNING: (
        "პროექტის დაგეგმარება დაიწყო: მზადდება საპროექტო დოკუმენტაცია.",
        "Design has started: the design documents are being prepared.",
        0,
    ),
    DeliveryStatus.PROCURING: (
        "საპროექტო დოკუმენტაცია მზადაა; გამოცხადდა სახელმწიფო შესყიდვის ტენდერი.",
        "The design documents are ready; the procurement tender is announced.",
        1,
    ),
    DeliveryStatus.IN_PROGRESS: (
        "ხელშეკრულება გაფორმდა და სამუშაოები დაიწყო.",
        "The contract is signed and the works have started.",
        4,
    ),
    DeliveryStatus.DELIVERED: (
        "სამუშაოები დასრულდა და ობიექტი ჩაბარდა. მადლობა ყველას, ვინც ხმა მისცა!",
        "The works are finished and handed over. Thank you to everyone who voted!",
        5,
    ),
    DeliveryStatus.CANCELLED: (
        "ტენდერი ორჯერ ჩაიშალა; პროექტი შეჩერებულია და თანხა მომავალ წელს გადავა.",
        "The tender failed twice; the project is stopped and its money moves to next year.",
        1,
    ),
}
PROGRESS = {
    DeliveryStatus.NOT_STARTED: (0, 0),
    DeliveryStatus.DESIGNING: (5, 15),
    DeliveryStatus.PROCURING: (15, 30),
    DeliveryStatus.IN_PROGRESS: (35, 90),
    DeliveryStatus.DELIVERED: (100, 100),
    DeliveryStatus.CANCELLED: (10, 20),
}
# The statuses of a finished cycle's winners, in turn.
DELIVERY_ROUND = (
    DeliveryStatus.DELIVERED,
    DeliveryStatus.IN_PROGRESS,
    DeliveryStatus.PROCURING,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.IN_PROGRESS,
    DeliveryStatus.DESIGNING,
    DeliveryStatus.NOT_STARTED,
    DeliveryStatus.IN_PROGRESS,
)
CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1L")


@dataclass
class CycleSpec:
    slug: str
    name_ka: str
    name_en: str
    description_ka: str
    description_en: str
    finished: bool


CYCLES = {
    "RST": CycleSpec(
        "2027",
        "რუსთავის მონაწილეობითი ბიუჯეტი 2027",
        "Rustavi participatory budget 2027",
        "რუსთაველები თავად წყვეტენ, რაზე დაიხარჯოს ქალაქის ბიუჯეტის ნაწილი: თითოეულ უბანს "
        "თავისი თანხა აქვს, ასევე არის მთელი ქალაქის ბიუჯეტი.",
        "Rustavi's residents decide what part of the city's budget is spent on: each district "
        "has its own money, and there is a city-wide budget.",
        finished=False,
    ),
    "BTM": CycleSpec(
        "2026",
        "ბათუმის მონაწილეობითი ბიუჯეტი 2026",
        "Batumi participatory budget 2026",
        "ბათუმელებმა აირჩიეს პროექტები თავიანთი უბნებისა და მთელი ქალაქისთვის. გამარჯვებული "
        "პროექტების შესრულებას რუკაზე ადევნეთ თვალი.",
        "Batumi's residents chose projects for their districts and the whole city. Follow the "
        "delivery of the winning projects on the map.",
        finished=True,
    ),
}


@dataclass
class Summary:
    proposals: dict[str, int] = field(default_factory=dict)
    voters: dict[str, int] = field(default_factory=dict)
    ballots: dict[str, int] = field(default_factory=dict)
    winners: dict[str, int] = field(default_factory=dict)


# --- Accounts --------------------------------------------------------------------------------


def demo_budget_officers() -> dict[str, object]:
    """budget.batumi and budget.rustavi, budget officers of their city (made once)."""
    users = get_user_model().objects
    officers = {}
    for municipality in Municipality.objects.filter(code__in=CYCLES).defer("boundary"):
        email = f"budget.{municipality.name_en.lower()}@{DEMO_DOMAIN}"
        user = users.filter(email=email).first()
        if user is None:
            user = users.create_user(username=email, email=email, password=DEMO_PASSWORD)
            membership_grant(user=user, municipality=municipality, role=Role.BUDGET_OFFICER)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        officers[municipality.code] = user
    return officers


# --- Geometry --------------------------------------------------------------------------------


def _point_in(rng: random.Random, boundary) -> Point:
    """A point inside the polygon: a random one within its extent, else its point on surface."""
    xmin, ymin, xmax, ymax = boundary.extent
    inner = boundary.buffer(-60) if boundary.area > 1_000_000 else boundary
    for _ in range(60):
        point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=boundary.srid)
        if inner.contains(point):
            return point
    return boundary.point_on_surface


def _area_around(rng: random.Random, point: Point, boundary) -> MultiPolygon | None:
    """A small rectangle around the point (a square, a yard), if it lies inside the district."""
    width, height = rng.uniform(30, 90), rng.uniform(25, 60)
    polygon = Polygon.from_bbox(
        (point.x - width / 2, point.y - height / 2, point.x + width / 2, point.y + height / 2)
    )
    polygon.srid = point.srid
    if not boundary.contains(polygon):
        return None
    return MultiPolygon(polygon, srid=point.srid)


# --- Cycles ----------------------------------------------------------------------------------


def _phases(municipality, cycle: Cycle, now: datetime.datetime, finished: bool) -> dict:
    """Chained phases. Voting open for ten more days; or, for a finished cycle, everything
    before `finished` over, the voting having closed seven months ago."""
    lengths = {
        Phase.DRAFTING: 14,
        Phase.INFORMING: 14,
        Phase.ACCEPTING: 30,
        Phase.REVIEWING: 21,
        Phase.SUPPORTING: 14,
        Phase.VALUATING: 21,
        Phase.PUBLISHING_PRICES: 7,
        Phase.BALLOTING: 21,
        Phase.REVIEWING_BALLOTS: 14,
        Phase.FINISHED: 365,
    }
    if finished:
        voting_ends = now - 210 * DAY
    else:
        voting_ends = now + 10 * DAY
    order = list(PHASE_ORDER)
    ends = {Phase.BALLOTING: voting_ends}
    for kind in reversed(order[: order.index(Phase.BALLOTING)]):
        after = order[order.index(kind) + 1]
        ends[kind] = ends[after] - lengths[after] * DAY
    for kind in order[order.index(Phase.BALLOTING) + 1 :]:
        before = order[order.index(kind) - 1]
        ends[kind] = ends[before] + lengths[kind] * DAY
    phases = {
        kind: CyclePhase(
            municipality=municipality,
            cycle=cycle,
            kind=kind,
            starts_at=ends[kind] - lengths[kind] * DAY,
            ends_at=ends[kind],
        )
        for kind in order
    }
    CyclePhase.objects.bulk_create(phases.values())
    return phases


def _budgets(municipality, cycle: Cycle) -> list[Budget]:
    budgets = []
    for district in District.objects.filter(municipality=municipality).order_by("code"):
        population = district.population or 20_000
        budget = Budget(
            municipality=municipality,
            cycle=cycle,
            district=district,
            name_ka=district.name_ka,
            name_en=district.name_en,
            amount=round(population * LARI_PER_RESIDENT, -4),
            population=population,
        )
        budget.boundary = district.boundary
        budgets.append(budget)
    citywide = Budget(
        municipality=municipality,
        cycle=cycle,
        name_ka="მთელი ქალაქი",
        name_en="City-wide",
        amount=CITYWIDE_AMOUNT,
        population=sum(b.population for b in budgets) or None,
    )
    citywide.boundary = None
    budgets.append(citywide)
    Budget.objects.bulk_create(budgets)
    return budgets


def _proposals(
    rng: random.Random, municipality, cycle: Cycle, budgets: list[Budget], authors: list
) -> dict[int, list[Proposal]]:
    """About ten proposals per budget: most feasible with a price of at most 30% of the budget
    and together more than it, one or two not feasible, one merged into a feasible one."""
    districts = [b for b in budgets if not b.is_citywide]
    by_budget: dict[int, list[Proposal]] = {}
    number = 0
    merges = []
    for budget in budgets:
        ideas = CITYWIDE_IDEAS if budget.is_citywide else DISTRICT_IDEAS
        count = rng.randint(8, min(12, len(ideas)))
        chosen = rng.sample(ideas, count)
        made = []
        for index, (title, category, description) in enumerate(chosen):
            number += 1
            boundary = budget.boundary or rng.choice(districts).boundary
            point = _point_in(rng, boundary)
            area = _area_around(rng, point, boundary) if rng.random() < 0.3 else None
            share = rng.uniform(0.06, 0.28)
            estimated = int(round(budget.amount * share, -3))
            if index == 0:
                status = ProposalStatus.UNFEASIBLE
            elif index == 1 and rng.random() < 0.5:
                status = ProposalStatus.UNFEASIBLE
            elif index == 2:
                status = ProposalStatus.MERGED
            else:
                status = ProposalStatus.FEASIBLE
            cost = None
            reason = ("", "")
            if status == ProposalStatus.FEASIBLE:
                cost = min(
                    int(round(estimated * rng.uniform(0.85, 1.2), -3)),
                    int(budget.amount * 0.3) // 1000 * 1000,
                )
            elif status == ProposalStatus.UNFEASIBLE:
                reason = rng.choice(UNFEASIBLE_REASONS)
            proposal = Proposal(
                municipality=municipality,
                cycle=cycle,
                budget=budget,
                reference=f"PB-{municipality.code}-{cycle.slug}-{number:04d}",
                author=rng.choice(authors) if rng.random() < 0.25 else None,
                title=title,
                description=description,
                category=category,
                location=point,
                area=area,
                estimated_cost=estimated,
                status=status,
                cost=cost,
                review_reason_ka=reason[0],
                review_reason_en=reason[1],
                supports=rng.randint(3, 180),
            )
            made.append(proposal)
        feasible = [p for p in made if p.status == ProposalStatus.FEASIBLE]
        # Together the projects ask more than the money, so that choosing matters.
        while sum(p.cost for p in feasible) < budget.amount * 1.2:
            for proposal in feasible:
                proposal.cost = min(
                    int(round(proposal.cost * 1.25, -3)), int(budget.amount * 0.3) // 1000 * 1000
                )
            if all(p.cost == int(budget.amount * 0.3) // 1000 * 1000 for p in feasible):
                break
        for proposal in made:
            if proposal.status == ProposalStatus.MERGED:
                merges.append((proposal, rng.choice(feasible)))
        by_budget[budget.pk] = made
    for merged, kept in merges:
        merged.description = f"{merged.description}\n\nგაერთიანდა: {kept.reference}."
    all_proposals = [p for made in by_budget.values() for p in made]
    # The merged ones point at the kept ones, which exist first.
    Proposal.objects.bulk_create([p for p in all_proposals if p.status != ProposalStatus.MERGED])
    for merged, kept in merges:
        merged.merged_into = kept
        kept.supports += merged.supports
    Proposal.objects.bulk_create([p for p in all_proposals if p.status == ProposalStatus.MERGED])
    Proposal.objects.bulk_update([kept for _m, kept in merges], ["supports"])
    return by_budget


def _supports(municipality, by_budget: dict[int, list[Proposal]], people: list) -> None:
    rows = []
    for made in by_budget.values():
        for proposal in made[3:5]:
            for user in people[:2]:
                rows.append(Support(municipality=municipality, proposal=proposal, user=user))
    Support.objects.bulk_create(rows, ignore_conflicts=True)


def _voters(
    rng: random.Random, municipality, cycle: Cycle, budgets: list[Budget], count: int
) -> list[Voter]:
    """Generated residents, by district population, with generated personal numbers."""
    districts = [b.district for b in budgets if not b.is_citywide]
    weights = [b.population or 1 for b in budgets if not b.is_citywide]
    numbers: set[str] = set()
    voters = []
    while len(voters) < count:
        number = f"{rng.choice('0123456'):s}{rng.randint(0, 10**10 - 1):010d}"
        if number in numbers or number in {b[3] for b in BIDDERS}:
            continue
        numbers.add(number)
        voters.append(
            Voter(
                municipality=municipality,
                cycle=cycle,
                person_key=person_key(number),
                person_masked=mask(number),
                birth_year=rng.randint(1940, 2008),
                district=rng.choices(districts, weights=weights)[0],
            )
        )
    return voters


def _choose(rng: random.Random, cycle: Cycle, budget: Budget, projects: list[Proposal]):
    """A ballot by the cycle's rules: projects in an order of the voter's liking, each taken if
    it fits, until at least the minimum share is spent (sometimes more)."""
    order = sorted(projects, key=lambda p: -(rng.random() ** (1.0 / p.popularity)))
    floor = budget.amount * cycle.min_share_percent / 100
    keep_going = rng.random() < 0.5
    chosen, total = [], 0
    for project in order:
        if total + project.cost <= budget.amount:
            chosen.append(project)
            total += project.cost
            if total >= floor and not keep_going:
                break
    return chosen, total


def _code(rng: random.Random) -> str:
    letters = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def _ballots(
    rng: random.Random,
    municipality,
    cycle: Cycle,
    budgets: list[Budget],
    by_budget: dict[int, list[Proposal]],
    voters: list[Voter],
    checked_out: int,
    drafts: int,
    window: tuple[datetime.datetime, datetime.datetime],
) -> list[Ballot]:
    """Checked-out ballots of `checked_out` residents in their district's budget and the
    city-wide one, and `drafts` ballots never checked out."""
    by_district = {b.district_id: b for b in budgets if not b.is_citywide}
    citywide = next(b for b in budgets if b.is_citywide)
    projects = {budget.pk: [p for p in by_budget[budget.pk] if p.on_ballot] for budget in budgets}
    for made in projects.values():
        for project in made:
            project.popularity = rng.lognormvariate(0, 0.8)
    start, end = window
    span = (end - start).total_seconds()
    ballots = []
    codes: set[str] = set()
    voting = rng.sample(voters, min(len(voters), checked_out + drafts))
    for index, voter in enumerate(voting):
        draft = index >= checked_out
        for budget in (by_district[voter.district_id], citywide):
            if draft and budget is citywide:
                continue
            chosen, total = _choose(rng, cycle, budget, projects[budget.pk])
            if draft:
                chosen = chosen[: max(1, len(chosen) // 2)]
                total = sum(p.cost for p in chosen)
            when = start + datetime.timedelta(seconds=span * rng.random() ** 0.7)
            code = _code(rng)
            while code in codes:
                code = _code(rng)
            codes.add(code)
            ballots.append(
                Ballot(
                    municipality=municipality,
                    cycle=cycle,
                    budget=budget,
                    person_key=voter.person_key,
                    voter=voter,
                    status=BallotStatus.DRAFT if draft else BallotStatus.CHECKED_OUT,
                    projects=[p.pk for p in chosen],
                    total=total,
                    code="" if draft else code,
                    checked_out_at=None if draft else when,
                )
            )
            ballots[-1].when = when
    Ballot.objects.bulk_create(ballots, batch_size=1000)
    return ballots


def _backdate(model, rows: list, attribute: str = "when") -> None:
    """Give bulk-written rows their demo creation time (auto_now_add wrote the present)."""
    for row in rows:
        row.created_at = getattr(row, attribute)
        if hasattr(row, "updated_at"):
            row.updated_at = row.created_at
    names = ["created_at"] + (["updated_at"] if hasattr(model, "updated_at") else [])
    model.objects.bulk_update(rows, names, batch_size=1000)


# --- Results and delivery --------------------------------------------------------------------


def _outcome(budget: Budget, projects: list[Proposal], ballots: list[Ballot]) -> dict:
    """Both rules' results in ResultRun.outcome's shape, by budgeting.outcomes."""
    try:
        from budgeting import outcomes
    except ImportError:  # the rules' module is not there: most votes first for both
        outcomes = None
    reference = {p.pk: p.reference for p in projects}
    costs = {p.reference: p.cost for p in projects}
    approvals = [[reference[pk] for pk in b.projects if pk in reference] for b in ballots]
    election = outcomes.Election(budget=budget.amount, costs=costs, ballots=approvals)
    votes = dict.fromkeys(costs, 0)
    for approval in approvals:
        for ref in approval:
            votes[ref] += 1
    result = {
        "votes": votes,
        "costs": costs,
        "budget": budget.amount,
        "channels": {"online": len(ballots), "paper": 0},
    }
    if outcomes is None:
        return result | _most_votes_first(budget, costs, votes)
    for rule in (outcomes.greedy, outcomes.equal_shares):
        started = time.perf_counter()
        outcome = rule(election)
        result[outcome.rule] = {
            "winners": list(outcome.winners),
            "spent": int(outcome.spent),
            "reasons": {
                ref: {"code": reason.code, "params": dict(reason.params)}
                for ref, reason in outcome.reasons.items()
            },
            "seconds": round(time.perf_counter() - started, 3),
        }
    return result


def _most_votes_first(budget: Budget, costs: dict[str, int], votes: dict[str, int]) -> dict:
    left, winners, reasons = budget.amount, [], {}
    for ref in sorted(costs, key=lambda ref: (-votes[ref], ref)):
        if votes[ref] and costs[ref] <= left:
            winners.append(ref)
            left -= costs[ref]
            reasons[ref] = {"code": "greedy_selected", "params": {}}
        else:
            code = "greedy_no_money" if votes[ref] else "no_votes"
            reasons[ref] = {"code": code, "params": {}}
    rule = {"winners": winners, "spent": budget.amount - left, "reasons": reasons}
    return {"greedy": rule, "mes": rule}


def _results(
    municipality,
    cycle: Cycle,
    budgets: list[Budget],
    by_budget: dict[int, list[Proposal]],
    ballots: list[Ballot],
    officer,
    published: datetime.datetime,
) -> list[Proposal]:
    """A published run per budget and its winners by the cycle's rule."""
    winners = []
    runs = []
    for budget in budgets:
        projects = [p for p in by_budget[budget.pk] if p.on_ballot]
        counted = [
            b for b in ballots if b.budget_id == budget.pk and b.status == BallotStatus.CHECKED_OUT
        ]
        started = time.perf_counter()
        outcome = _outcome(budget, projects, counted)
        seconds = time.perf_counter() - started
        runs.append(
            ResultRun(
                municipality=municipality,
                cycle=cycle,
                budget=budget,
                status=RunStatus.DONE,
                progress=1.0,
                ballots=len(counted),
                outcome=outcome,
                seconds=round(seconds, 3),
                requested_by=officer,
                finished_at=published - datetime.timedelta(hours=2),
                published_at=published,
                published_by=officer,
            )
        )
        chosen = set(outcome[cycle.winner_rule]["winners"])
        winners += [p for p in projects if p.reference in chosen]
    ResultRun.objects.bulk_create(runs)
    for proposal in winners:
        proposal.winner = True
    return winners


def _png(title: str, rng: random.Random) -> bytes:
    """A small generated picture of finished works (no real photo in the demo)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (176, 214, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 210, 480, 320), fill=(118, 170, 94))
    for _ in range(6):
        x = rng.randint(20, 440)
        draw.rectangle((x + 8, 170, x + 14, 215), fill=(110, 80, 50))
        draw.ellipse((x - 10, 130, x + 32, 180), fill=(60, 130, 70))
    draw.rectangle((150, 230, 330, 260), fill=(200, 200, 196))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _delivery(
    rng: random.Random,
    municipality,
    winners: list[Proposal],
    officer,
    published: datetime.datetime,
    now: datetime.datetime,
    photos: bool,
) -> None:
    """Statuses from not started to delivered, with the milestones and reports that led there."""
    milestones, updates, pictures = [], [], []
    today = timezone.localdate(now)
    start = timezone.localdate(published)
    for index, proposal in enumerate(winners):
        status = DELIVERY_ROUND[index % len(DELIVERY_ROUND)]
        if index == 9:
            status = DeliveryStatus.CANCELLED
        low, high = PROGRESS[status]
        proposal.delivery_status = status
        proposal.progress = rng.randint(low, high)
        done = REPORTS[status][2] if status in REPORTS else 0
        if status == DeliveryStatus.IN_PROGRESS and proposal.progress < 60:
            done = 3
        # The planned steps: those done spread from the results to now, the others to come.
        span_days = max((today - start).days, 30)
        steps = []
        for step, (title_ka, title_en) in enumerate(MILESTONES):
            if step < done:
                done_on = start + datetime.timedelta(
                    days=int(span_days * (step + 1) / (done + 0.5)) + rng.randint(-5, 5)
                )
                done_on = min(done_on, today)
                due = done_on + datetime.timedelta(days=rng.randint(-12, 8))
            else:
                done_on = None
                due = today + datetime.timedelta(days=25 * (step - done + 1) + rng.randint(0, 15))
            steps.append(
                Milestone(
                    municipality=municipality,
                    proposal=proposal,
                    title_ka=title_ka,
                    title_en=title_en,
                    due_on=due,
                    done_on=done_on,
                )
            )
        milestones += steps
        # The reports: one at each status the delivery went through.
        path = {
            DeliveryStatus.NOT_STARTED: [],
            DeliveryStatus.DESIGNING: [DeliveryStatus.DESIGNING],
            DeliveryStatus.PROCURING: [DeliveryStatus.DESIGNING, DeliveryStatus.PROCURING],
            DeliveryStatus.IN_PROGRESS: [
                DeliveryStatus.DESIGNING,
                DeliveryStatus.PROCURING,
                DeliveryStatus.IN_PROGRESS,
            ],
            DeliveryStatus.DELIVERED: [
                DeliveryStatus.DESIGNING,
                DeliveryStatus.PROCURING,
                DeliveryStatus.IN_PROGRESS,
                DeliveryStatus.DELIVERED,
            ],
            DeliveryStatus.CANCELLED: [
                DeliveryStatus.DESIGNING,
                DeliveryStatus.PROCURING,
                DeliveryStatus.CANCELLED,
            ],
        }[status]
        span = (now - published).total_seconds()
        for step, reached in enumerate(path, start=1):
            note_ka, note_en, _done = REPORTS[reached]
            last = step == len(path)
            low, high = PROGRESS[reached]
            update = ProgressUpdate(
                municipality=municipality,
                proposal=proposal,
                delivery_status=reached,
                progress=proposal.progress if last else rng.randint(low, high),
                note_ka=note_ka,
                note_en=note_en,
                by=officer,
            )
            update.when = published + datetime.timedelta(
                seconds=span * (step - rng.random() * 0.5) / (len(path) + 0.5)
            )
            updates.append(update)
        if photos and status == DeliveryStatus.DELIVERED:
            name = default_storage.save(
                f"budgeting/{proposal.reference}/works.png",
                ContentFile(_png(proposal.title, rng)),
            )
            photo = Photo(
                municipality=municipality,
                proposal=proposal,
                kind=PhotoKind.PROGRESS,
                image=name,
                caption=f"{proposal.title}: დასრულებული სამუშაოები",
                uploaded_by=officer,
            )
            photo.when = updates[-1].when
            pictures.append(photo)
    Proposal.objects.bulk_update(winners, ["winner", "delivery_status", "progress"])
    Milestone.objects.bulk_create(milestones)
    ProgressUpdate.objects.bulk_create(updates)
    _backdate(ProgressUpdate, updates)
    if pictures:
        Photo.objects.bulk_create(pictures)
        _backdate(Photo, pictures)


# --- Loading ---------------------------------------------------------------------------------


def _load_city(municipality, spec: CycleSpec, officer, people, now, summary, photos) -> None:
    rng = random.Random(f"{SEED}-{municipality.code}")
    cycle = Cycle.objects.create(
        municipality=municipality,
        slug=spec.slug,
        name_ka=spec.name_ka,
        name_en=spec.name_en,
        description_ka=spec.description_ka,
        description_en=spec.description_en,
        ballot_kind=BallotKind.KNAPSACK,
        min_share_percent=70,
        winner_rule=Rule.EQUAL_SHARES,
    )
    phases = _phases(municipality, cycle, now, spec.finished)
    budgets = _budgets(municipality, cycle)
    by_budget = _proposals(rng, municipality, cycle, budgets, people)
    accepting = phases[Phase.ACCEPTING]
    proposals = [p for made in by_budget.values() for p in made]
    for proposal in proposals:
        proposal.when = accepting.starts_at + (accepting.ends_at - accepting.starts_at) * (
            rng.random()
        )
        proposal.reviewed_at = phases[Phase.REVIEWING].ends_at - DAY * rng.randint(1, 10)
        proposal.reviewed_by = officer
    Proposal.objects.bulk_update(proposals, ["reviewed_at", "reviewed_by"])
    _backdate(Proposal, proposals)
    _supports(municipality, by_budget, people)

    code = municipality.code
    voters = _voters(rng, municipality, cycle, budgets, VOTERS[code])
    if not spec.finished:
        districts = {b.district.code: b.district for b in budgets if not b.is_citywide}
        fallback = next(iter(districts.values()))
        for index, birth_year, district in DEMO_VOTERS:
            number = BIDDERS[index][3]
            voters.append(
                Voter(
                    municipality=municipality,
                    cycle=cycle,
                    person_key=person_key(number),
                    person_masked=mask(number),
                    birth_year=birth_year,
                    district=districts.get(district, fallback),
                )
            )
    Voter.objects.bulk_create(voters, batch_size=1000)
    generated = voters[: VOTERS[code]]
    voting = phases[Phase.BALLOTING]
    window = (voting.starts_at, min(voting.ends_at, now - datetime.timedelta(minutes=5)))
    ballots = _ballots(
        rng,
        municipality,
        cycle,
        budgets,
        by_budget,
        generated,
        CHECKED_OUT[code],
        DRAFTS[code],
        window,
    )
    _backdate(Ballot, ballots)
    if ballots:
        first = min(b.when for b in ballots)
        Cycle.objects.filter(pk=cycle.pk).update(rules_locked_at=first)
    summary.proposals[code] = len(proposals)
    summary.voters[code] = len(voters)
    summary.ballots[code] = sum(b.status == BallotStatus.CHECKED_OUT for b in ballots)
    if spec.finished:
        published = phases[Phase.REVIEWING_BALLOTS].ends_at - DAY
        winners = _results(municipality, cycle, budgets, by_budget, ballots, officer, published)
        _delivery(rng, municipality, winners, officer, published, now, photos)
        summary.winners[code] = len(winners)


def load_demo_budgeting(*, stdout: TextIO | None = None, photos: bool = True) -> Summary:
    """The demo cycles of every demo city that has no such cycle yet."""
    started = time.perf_counter()
    summary = Summary()
    now = timezone.now().replace(second=0, microsecond=0)
    officers = demo_budget_officers()
    people = demo_bidders()
    for municipality in Municipality.objects.filter(code__in=CYCLES).order_by("code"):
        spec = CYCLES[municipality.code]
        if Cycle.objects.filter(municipality=municipality, slug=spec.slug).exists():
            continue
        if not District.objects.filter(municipality=municipality).exists():
            continue
        with transaction.atomic():
            audit.ignore_triggers_in_transaction()
            _load_city(
                municipality,
                spec,
                officers.get(municipality.code),
                people,
                now,
                summary,
                photos,
            )
    if stdout is not None and summary.proposals:
        counts = ", ".join(
            f"{code}: {summary.proposals[code]} proposals, {summary.voters[code]} voters, "
            f"{summary.ballots[code]} ballots"
            + (f", {summary.winners[code]} winners" if code in summary.winners else "")
            for code in summary.proposals
        )
        seconds = time.perf_counter() - started
        stdout.write(f"  Participatory budgeting: {counts} ({seconds:.1f} s)\n")
    return summary
