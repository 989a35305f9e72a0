"""Participatory budgeting: a municipality's yearly cycle with its phases, the district and
city-wide budgets, the residents' proposals, the list of residents who may vote, the ballots,
the results by two rules, and the delivery of the winners.

Money is in whole lari (the pabulib format counts costs in whole units). Rows carry their
municipality, so that row-level security keeps each municipality's staff to their own
(core/db/rls.py); cycles, budgets and proposals are public, as the results are. Every row that
holds a status, money, a ballot or a person is audited (pghistory). A resident's personal
number is kept only as a keyed hash (`budgeting.voters.person_key`) and shown masked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import Bilingual, District, Municipality

# --- Cycles, phases and budgets --------------------------------------------------------------


class Phase(models.TextChoices):
    """The phases of a cycle, in their order (CONSUL's budget phases)."""

    DRAFTING = "drafting", _("Drafting")
    INFORMING = "informing", _("Informing")
    ACCEPTING = "accepting", _("Accepting proposals")
    REVIEWING = "reviewing", _("Reviewing proposals")
    SUPPORTING = "supporting", _("Supporting projects")
    VALUATING = "valuating", _("Valuating projects")
    PUBLISHING_PRICES = "publishing_prices", _("Publishing prices")
    BALLOTING = "balloting", _("Voting")
    REVIEWING_BALLOTS = "reviewing_ballots", _("Reviewing ballots")
    FINISHED = "finished", _("Finished")


PHASE_ORDER: tuple[str, ...] = tuple(Phase.values)


class BallotKind(models.TextChoices):
    KNAPSACK = "knapsack", _("Spend the budget: at least a minimum share of it")
    KNAPSACK_COUNT = "knapsack_count", _("Spend the budget: at least a number of projects")
    APPROVAL = "approval", _("Choose projects: between a minimum and a maximum number")


class Rule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first (greedy)")
    EQUAL_SHARES = "mes", _("Method of Equal Shares")


@audit.track()
class Cycle(Bilingual, models.Model):
    """A municipality's participatory budget for a year: its phases, its voting rules and its
    budgets. The voting rules (ballot kind, limits, winner rule) are locked once the first
    ballot exists (`rules_locked_at`)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    slug = models.SlugField(_("short name"), max_length=40)
    name_ka = models.CharField(_("name in Georgian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description_ka = models.TextField(_("description in Georgian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)

    ballot_kind = models.CharField(
        _("kind of ballot"), max_length=20, choices=BallotKind.choices, default=BallotKind.KNAPSACK
    )
    # Knapsack: a ballot spends at least this share of its budget (and never more than all).
    min_share_percent = models.PositiveSmallIntegerField(
        _("minimum share of the budget, %"),
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Knapsack with a number of projects: at least `min_projects`. Approval: between both.
    min_projects = models.PositiveSmallIntegerField(_("minimum number of projects"), default=1)
    max_projects = models.PositiveSmallIntegerField(
        _("maximum number of projects"), null=True, blank=True
    )
    winner_rule = models.CharField(
        _("rule that decides the winners"),
        max_length=10,
        choices=Rule.choices,
        default=Rule.EQUAL_SHARES,
    )
    rules_locked_at = models.DateTimeField(_("voting rules locked at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "-created_at"]
        verbose_name = _("budget cycle")
        verbose_name_plural = _("budget cycles")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="budgeting_cycle_slug_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_projects__isnull=True)
                | Q(max_projects__gte=models.F("min_projects")),
                name="budgeting_cycle_projects_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._in_language("name")

    @property
    def description(self) -> str:
        return self._in_language("description")

    @property
    def rules_locked(self) -> bool:
        return self.rules_locked_at is not None


@audit.track()
class CyclePhase(Bilingual, models.Model):
    """One phase of a cycle with its dates. The enabled phases chain: each starts when the one
    before it ends (budgeting/cycles.py checks it); a switched-off phase is skipped."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    description_ka = models.TextField(_("description in Georgian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)

    class Meta:
        ordering = ["cycle", "starts_at"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="budgeting_phase_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="budgeting_phase_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.kind}"

    @property
    def description(self) -> str:
        return self._in_language("description")


@audit.track()
class Budget(Bilingual, models.Model):
    """The money of a cycle for one district (its `core.District` polygon) or, with no
    district, for the whole city. A resident votes in the budget of the district the voter
    list gives and in the city-wide one."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="budgets")
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    name_ka = models.CharField(_("name in Georgian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(_("money, GEL"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["cycle", "district__code"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "district"], name="budgeting_budget_district_once"
            ),
            models.UniqueConstraint(
                fields=["cycle"],
                condition=Q(district__isnull=True),
                name="budgeting_budget_citywide_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._in_language("name")

    @property
    def is_citywide(self) -> bool:
        return self.district_id is None


# --- Proposals -------------------------------------------------------------------------------


class Category(models.TextChoices):
    GREEN = "green", _("Parks and greenery")
    STREETS = "streets", _("Streets, pavements and lighting")
    TRANSPORT = "transport", _("Transport and cycling")
    SPORT = "sport", _("Sport and play")
    CULTURE = "culture", _("Culture and education")
    SOCIAL = "social", _("Social care and health")
    ENVIRONMENT = "environment", _("Environment and cleanliness")
    PUBLIC_SPACE = "public_space", _("Squares and public space")
    OTHER = "other", _("Other")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted: waiting for review")
    FEASIBLE = "feasible", _("Feasible")
    UNFEASIBLE = "unfeasible", _("Not feasible")
    MERGED = "merged", _("Merged into another proposal")
    WITHDRAWN = "withdrawn", _("Withdrawn by the author")


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DESIGNING = "designing", _("Being designed")
    PROCURING = "procuring", _("In procurement")
    IN_PROGRESS = "in_progress", _("Works in progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


@audit.track()
class Proposal(Bilingual, models.Model):
    """A resident's proposal at a place: a point or an area, with a description, photos, the
    author's cost estimate and, after review, the municipality's price. Feasible proposals with
    a price are the projects of the ballot; a winner (`winner`) then carries its delivery."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="proposals")
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("budget")
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # Always a point (the marker); `area` as well when the proposal covers an area.
    location = models.PointField(_("location"), srid=settings.SRID_STORAGE)
    area = models.MultiPolygonField(_("area"), srid=settings.SRID_STORAGE, null=True, blank=True)
    # The parcel or street the proposal was started from, if any (a cadastral code or a name).
    place_label = models.CharField(_("place"), max_length=200, blank=True)
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost, GEL"))

    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    cost = models.PositiveBigIntegerField(
        _("price set by the municipality, GEL"), null=True, blank=True
    )
    review_reason_ka = models.TextField(_("reason in Georgian"), blank=True)
    review_reason_en = models.TextField(_("reason in English"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    supports = models.PositiveIntegerField(_("supports"), default=0)

    # Set when the results are published: a winner is funded and its delivery is reported.
    winner = models.BooleanField(_("winner"), default=False)
    delivery_status = models.CharField(
        _("delivery"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NOT_STARTED,
    )
    progress = models.PositiveSmallIntegerField(
        _("progress, %"), default=0, validators=[MaxValueValidator(100)]
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "reference"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            GistIndex(fields=["location"], name="budgeting_proposal_gist"),
            models.Index(fields=["cycle", "status"], name="budgeting_proposal_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="budgeting_proposal_progress"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="budgeting_proposal_merged_into",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def review_reason(self) -> str:
        return self._in_language("review_reason")

    @property
    def on_ballot(self) -> bool:
        return self.status == ProposalStatus.FEASIBLE and self.cost is not None


class PhotoKind(models.TextChoices):
    PROPOSAL = "proposal", _("Photo of the proposal")
    PROGRESS = "progress", _("Photo of the works")


def photo_upload_to(instance: Photo, filename: str) -> str:
    return f"budgeting/{instance.proposal.reference}/{filename}"


@audit.track()
class Photo(models.Model):
    """A photo of a proposal (by its author) or of the works on a winner (by staff)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=PhotoKind.choices, default=PhotoKind.PROPOSAL)
    image = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at"]


@audit.track()
class Support(models.Model):
    """A signed-in resident's support of a proposal in the supporting phase: one each."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="support_rows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="budgeting_support_once")
        ]


# --- Who may vote ----------------------------------------------------------------------------


@audit.track()
class VoterListUpload(models.Model):
    """A voter or census list that staff loaded for a cycle (CSV), with what it gave."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="voter_lists")
    file_name = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # The refused rows: [{"line": 12, "message": "..."}], at most a few hundred.
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "-created_at"]


@audit.track()
class Voter(models.Model):
    """A resident on the cycle's voter list: the keyed hash of the personal number, its masked
    form, the year of birth (checked with the number) and the district of residence, which
    the list decides. `user` is the account that verified itself as this resident."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="voters")
    person_key = models.CharField(max_length=64)
    person_masked = models.CharField(_("personal number"), max_length=20)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_voters",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person_key"], name="budgeting_voter_once"),
            models.UniqueConstraint(
                fields=["cycle", "user"],
                condition=Q(user__isnull=False),
                name="budgeting_voter_one_account",
            ),
        ]


# --- Ballots ---------------------------------------------------------------------------------


class BallotStatus(models.TextChoices):
    DRAFT = "draft", _("Not checked out: not counted")
    CHECKED_OUT = "checked_out", _("Checked out: counted")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


@audit.track()
class Ballot(models.Model):
    """A resident's ballot in one budget. It counts only once checked out, and may be changed
    until the voting closes. One per resident and budget, by the unique keyed hash of the
    personal number: a second checkout, online or on paper, cannot make a second row."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="ballots")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="ballots")
    person_key = models.CharField(max_length=64)
    voter = models.ForeignKey(
        Voter, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_ballots",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(
        _("status"), max_length=20, choices=BallotStatus.choices, default=BallotStatus.DRAFT
    )
    # The chosen proposals' ids, in the order chosen.
    projects = ArrayField(models.BigIntegerField(), default=list, blank=True)
    total = models.PositiveBigIntegerField(_("total, GEL"), default=0)
    # A short code shown on the confirmation, to find the ballot again.
    code = models.CharField(_("confirmation code"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "person_key"], name="budgeting_ballot_one_per_person"
            )
        ]
        indexes = [models.Index(fields=["budget", "status"], name="budgeting_ballot_status")]


class PaperEntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the second entry")
    MATCHED = "matched", _("Both entries agree: counted")
    MISMATCH = "mismatch", _("The entries disagree: to be resolved")
    REFUSED = "refused", _("Refused")


@audit.track()
class PaperEntry(models.Model):
    """One officer's entry of a paper ballot sheet. Two officers enter each sheet on their own;
    when both entries agree the ballot is counted (a `Ballot` of the paper channel)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="paper_entries")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="paper_entries")
    sheet = models.CharField(_("sheet number"), max_length=30)
    person_key = models.CharField(max_length=64)
    person_masked = models.CharField(_("personal number"), max_length=20)
    projects = ArrayField(models.BigIntegerField(), default=list, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=PaperEntryStatus.choices, default=PaperEntryStatus.WAITING
    )
    ballot = models.ForeignKey(
        Ballot, on_delete=models.SET_NULL, null=True, blank=True, related_name="paper_entries"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["budget", "sheet", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "sheet", "entered_by"], name="budgeting_paper_entry_once"
            )
        ]


# --- Results ---------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Computing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


@audit.track()
class ResultRun(models.Model):
    """A computation of a budget's results by both rules, run as a job with its progress.

    `outcome` holds, per rule ("greedy", "mes"): the winners in order, the money spent and a
    reason per project ({"code": ..., "params": {...}}), as budgeting/outcomes.py gives them,
    with the votes per project. The published run of a budget decides its winners.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="result_runs")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="result_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    ballots = models.PositiveIntegerField(default=0)
    outcome = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["budget", "-created_at"]


@audit.track()
class Override(Bilingual, models.Model):
    """A decision by staff to fund a project that the rule left out, or not to fund one that it
    chose, with the reason; recorded and shown beside the results."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="overrides")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="overrides")
    funded = models.BooleanField(_("funded"))
    reason_ka = models.TextField(_("reason in Georgian"))
    reason_en = models.TextField(_("reason in English"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["budget", "created_at"]

    @property
    def reason(self) -> str:
        return self._in_language("reason")


# --- Delivery --------------------------------------------------------------------------------


@audit.track()
class Milestone(Bilingual, models.Model):
    """A step of a winner's delivery, planned and then done."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    title_ka = models.CharField(_("title in Georgian"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    due_on = models.DateField(_("planned for"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "due_on", "id"]

    @property
    def title(self) -> str:
        return self._in_language("title")


@audit.track()
class ProgressUpdate(Bilingual, models.Model):
    """A report on a winner's delivery: its status and progress then, with a note. The list of
    them is the project's public history."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="updates")
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices)
    progress = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    note_ka = models.TextField(_("note in Georgian"), blank=True)
    note_en = models.TextField(_("note in English"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "-created_at"]

    @property
    def note(self) -> str:
        return self._in_language("note")
