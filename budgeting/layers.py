"""Layers that participatory budgeting publishes: the proposals of the cycles open to the
public, and the winning projects with their delivery."""

from __future__ import annotations

from django.db.models import F
from django.urls import NoReverseMatch, reverse

from budgeting.models import Proposal, ProposalStatus
from layers.registry import Layer, register

# --- Proposals (budgeting/proposals.py) ------------------------------------------------------

PROPOSALS_LAYER = "budgeting-proposals"
PROPOSAL_COLOURS = {
    ProposalStatus.SUBMITTED: "#6a4c93",
    ProposalStatus.FEASIBLE: "#2a9d8f",
    ProposalStatus.UNFEASIBLE: "#9e9e9e",
}
_PROPOSAL_COLOUR = ["match", ["get", "status"]]
for _status, _colour in PROPOSAL_COLOURS.items():
    _PROPOSAL_COLOUR += [_status.value, _colour]
_PROPOSAL_COLOUR.append("#6a4c93")


def proposals_queryset():
    """Proposals the public sees: not withdrawn and not merged into another, nothing personal."""
    return (
        Proposal.objects.filter(
            status__in=(
                ProposalStatus.SUBMITTED,
                ProposalStatus.FEASIBLE,
                ProposalStatus.UNFEASIBLE,
            )
        )
        .annotate(
            budget_ka=F("budget__name_ka"),
            budget_en=F("budget__name_en"),
            cycle_ka=F("cycle__name_ka"),
            cycle_en=F("cycle__name_en"),
            cycle_slug=F("cycle__slug"),
            municipality_code=F("municipality__code"),
        )
        .only(
            "id",
            "location",
            "reference",
            "title",
            "status",
            "category",
            "estimated_cost",
            "cost",
            "supports",
        )
    )


def proposal_page(properties: dict) -> str | None:
    reference = properties.get("reference")
    if not reference:
        return None
    try:
        return reverse("budgeting:proposal", args=[reference])
    except NoReverseMatch:
        return None


register(
    Layer(
        name=PROPOSALS_LAYER,
        title_ka="მონაწილეობითი ბიუჯეტი: პროექტების წინადადებები",
        title_en="Participatory budgeting: proposals",
        description_ka=(
            "მოქალაქეების წინადადებები მონაწილეობით ბიუჯეტში: სათაური, კატეგორია, "
            "სავარაუდო და დადგენილი ღირებულება, მხარდაჭერები, ბიუჯეტი და სტატუსი."
        ),
        description_en=(
            "Residents' proposals for the participatory budget: title, category, estimated "
            "and set cost, supports, budget and status."
        ),
        queryset=proposals_queryset,
        geometry_field="location",
        geometry_type="Point",
        properties=(
            "reference",
            "title",
            "status",
            "category",
            "estimated_cost",
            "cost",
            "supports",
            "budget_ka",
            "budget_en",
            "cycle_ka",
            "cycle_en",
            "cycle_slug",
            "municipality_code",
        ),
        field_types=(
            ("budget_ka", "string"),
            ("budget_en", "string"),
            ("cycle_ka", "string"),
            ("cycle_en", "string"),
            ("cycle_slug", "string"),
            ("municipality_code", "string"),
        ),
        field_titles=(
            ("budget_ka", "ბიუჯეტი", "Budget (Georgian)"),
            ("budget_en", "ბიუჯეტი (ინგლისურად)", "Budget"),
            ("cycle_ka", "ციკლი", "Cycle (Georgian)"),
            ("cycle_en", "ციკლი (ინგლისურად)", "Cycle"),
            ("cycle_slug", "ციკლის მოკლე სახელი", "Cycle's short name"),
            ("municipality_code", "მუნიციპალიტეტი", "Municipality"),
        ),
        extra_tables=("budgeting_budget", "budgeting_cycle"),
        page_url=proposal_page,
        page_label_ka="წინადადება და კომენტარები",
        page_label_en="The proposal and its comments",
        comments=True,
        min_zoom=10,
        order=90,
        keywords=("participatory budgeting", "proposals", "projects"),
        legend=(
            {
                "label": "Submitted: waiting for review",
                "label_ka": "წარდგენილი: განხილვის მოლოდინში",
                "kind": "circle",
                "color": PROPOSAL_COLOURS[ProposalStatus.SUBMITTED],
            },
            {
                "label": "Feasible",
                "label_ka": "განხორციელებადი",
                "kind": "circle",
                "color": PROPOSAL_COLOURS[ProposalStatus.FEASIBLE],
            },
            {
                "label": "Not feasible",
                "label_ka": "განუხორციელებელი",
                "kind": "circle",
                "color": PROPOSAL_COLOURS[ProposalStatus.UNFEASIBLE],
            },
        ),
        style=(
            {
                "type": "circle",
                "paint": {
                    "circle-color": _PROPOSAL_COLOUR,
                    "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 4, 17, 9],
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 1.5,
                },
                "layout": {"visibility": "none"},
            },
        ),
    )
)


# --- Winners and their delivery (budgeting/delivery.py) --------------------------------------

WINNERS_LAYER = "budgeting-winners"


def winners_queryset():
    """The winning projects with their delivery: status, progress, price, next milestone."""
    from budgeting.delivery import next_milestone_subquery

    return (
        Proposal.objects.filter(winner=True)
        .annotate(
            budget_ka=F("budget__name_ka"),
            budget_en=F("budget__name_en"),
            cycle_ka=F("cycle__name_ka"),
            cycle_en=F("cycle__name_en"),
            cycle_slug=F("cycle__slug"),
            municipality_code=F("municipality__code"),
            next_milestone_ka=next_milestone_subquery("title_ka"),
            next_milestone_en=next_milestone_subquery("title_en"),
            next_milestone_due=next_milestone_subquery("due_on"),
        )
        .only(
            "id",
            "location",
            "reference",
            "title",
            "category",
            "cost",
            "delivery_status",
            "progress",
        )
    )


def winner_page(properties: dict) -> str | None:
    reference = properties.get("reference")
    if not reference:
        return None
    try:
        return reverse("budgeting:project", args=[reference])
    except NoReverseMatch:
        return None


def _winner_layer() -> Layer:
    from budgeting.delivery import STATUS_COLOURS
    from budgeting.models import DeliveryStatus

    colour = ["match", ["get", "delivery_status"]]
    for status, hex_colour in STATUS_COLOURS.items():
        colour += [status.value, hex_colour]
    colour.append("#7a7a7a")
    english = {
        DeliveryStatus.NOT_STARTED: "Not started",
        DeliveryStatus.DESIGNING: "Being designed",
        DeliveryStatus.PROCURING: "In procurement",
        DeliveryStatus.IN_PROGRESS: "Works in progress",
        DeliveryStatus.DELIVERED: "Delivered",
        DeliveryStatus.CANCELLED: "Cancelled",
    }
    georgian = {
        DeliveryStatus.NOT_STARTED: "არ დაწყებულა",
        DeliveryStatus.DESIGNING: "პროექტირება",
        DeliveryStatus.PROCURING: "შესყიდვა",
        DeliveryStatus.IN_PROGRESS: "მიმდინარეობს სამუშაოები",
        DeliveryStatus.DELIVERED: "დასრულებული",
        DeliveryStatus.CANCELLED: "გაუქმებული",
    }
    return Layer(
        name=WINNERS_LAYER,
        title_ka="მონაწილეობითი ბიუჯეტი: გამარჯვებული პროექტების შესრულება",
        title_en="Participatory budgeting: delivery of the winning projects",
        description_ka=(
            "მოქალაქეების ხმით არჩეული პროექტები და მათი შესრულება: სტატუსი, პროგრესი, "
            "ღირებულება, ციკლი, ბიუჯეტი და შემდეგი ეტაპი."
        ),
        description_en=(
            "The projects that residents voted for and their delivery: status, progress, "
            "cost, cycle, budget and next milestone."
        ),
        queryset=winners_queryset,
        geometry_field="location",
        geometry_type="Point",
        properties=(
            "reference",
            "title",
            "category",
            "cost",
            "delivery_status",
            "progress",
            "budget_ka",
            "budget_en",
            "cycle_ka",
            "cycle_en",
            "cycle_slug",
            "municipality_code",
            "next_milestone_ka",
            "next_milestone_en",
            "next_milestone_due",
        ),
        field_types=(
            ("budget_ka", "string"),
            ("budget_en", "string"),
            ("cycle_ka", "string"),
            ("cycle_en", "string"),
            ("cycle_slug", "string"),
            ("municipality_code", "string"),
            ("next_milestone_ka", "string"),
            ("next_milestone_en", "string"),
            ("next_milestone_due", "date"),
        ),
        field_titles=(
            ("budget_ka", "ბიუჯეტი", "Budget (Georgian)"),
            ("budget_en", "ბიუჯეტი (ინგლისურად)", "Budget"),
            ("cycle_ka", "ციკლი", "Cycle (Georgian)"),
            ("cycle_en", "ციკლი (ინგლისურად)", "Cycle"),
            ("cycle_slug", "ციკლის მოკლე სახელი", "Cycle's short name"),
            ("municipality_code", "მუნიციპალიტეტი", "Municipality"),
            ("next_milestone_ka", "შემდეგი ეტაპი", "Next milestone (Georgian)"),
            ("next_milestone_en", "შემდეგი ეტაპი (ინგლისურად)", "Next milestone"),
            ("next_milestone_due", "შემდეგი ეტაპის ვადა", "Next milestone planned for"),
        ),
        extra_tables=("budgeting_budget", "budgeting_cycle", "budgeting_milestone"),
        page_url=winner_page,
        page_label_ka="პროექტი და მისი შესრულება",
        page_label_en="The project and its delivery",
        min_zoom=10,
        order=91,
        keywords=("participatory budgeting", "winning projects", "delivery", "accountability"),
        legend=tuple(
            {
                "label": english[status],
                "label_ka": georgian[status],
                "kind": "circle",
                "color": STATUS_COLOURS[status],
            }
            for status in DeliveryStatus
        ),
        style=(
            {
                "type": "circle",
                "paint": {
                    "circle-color": colour,
                    "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 5, 17, 10],
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 2,
                },
                "layout": {"visibility": "none"},
            },
        ),
    )


register(_winner_layer())
