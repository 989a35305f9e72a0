"""The one window: services, applications (cases), their clocks, documents and decisions.

A service's own application is a row of the service's app with a one-to-one link to a `Case`; the case carries what every service shares. Services and their periods are rows of
the catalogue, edited by staff in the admin, not code.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.filetypes import readable_type
from cases.statuses import (
    Status,
    finished_statuses,
    open_statuses,
    status_choices,
    status_label,
)
from core import audit
from core.models import Municipality

# ---------------------------------------------------------------------------------------------
# The service catalogue


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_municipality(self, municipality: Municipality | None):
        """Services offered in a municipality: its own and those offered everywhere."""
        if municipality is None:
            return self.filter(municipality__isnull=True)
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))

    def in_module(self, module: str):
        return self.filter(module=module)


@audit.track()
class Service(models.Model):
    """One e-service of the catalogue.

    A row with no municipality is offered everywhere; a municipality may have a row of its own
    with the same code, which then takes precedence there (`selectors.service_get`).
    """

    code = models.SlugField(_("code"), max_length=60)
    name_ka = models.CharField(_("name (Georgian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    module = models.SlugField(
        _("module"),
        max_length=30,
        help_text=_("The code of the module that handles it, as its portal.py declares."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("municipality"),
        help_text=_("Empty: offered in every municipality."),
    )
    working_days = models.PositiveIntegerField(
        _("statutory period (working days)"),
        help_text=_("Used when no period row below matches the application."),
    )
    period_note = models.CharField(_("source of the period"), max_length=300, blank=True)
    fee_gel = models.DecimalField(_("fee (GEL)"), max_digits=10, decimal_places=2, default=0)
    description_ka = models.TextField(_("description (Georgian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["module", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "municipality"], name="service_code_municipality_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(municipality__isnull=True),
                name="service_code_everywhere_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality.code if self.municipality_id else "*"
        return f"{self.name} ({where})"

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ka

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_ka

    def period_for(self, variant: str = "") -> int:
        """Working days for an application of this variant (e.g. building class "III")."""
        for period in self.periods.all():
            if period.variant == variant:
                return period.working_days
        return self.working_days


@audit.track()
class ServicePeriod(models.Model):
    """A period of its own for one variant of a service (such as a building class).

    Rows rather than a JSON field: the admin edits them inline with validation, the database
    keeps one per variant, and indicators can join on them.
    """

    municipality_path = "service__municipality"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="periods")
    variant = models.CharField(
        _("variant"), max_length=30, help_text=_("A kind of application, such as a building class.")
    )
    working_days = models.PositiveIntegerField(_("period (working days)"))
    is_default = models.BooleanField(
        _("default value"),
        default=False,
        help_text=_("A default set by the portal, not yet confirmed from the law."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["service", "variant"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["service", "variant"], name="serviceperiod_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.variant}: {self.working_days}"


@audit.track()
class DocumentType(models.Model):
    """A document a service asks for, with the kinds and size of file it accepts."""

    municipality_path = "service__municipality"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="document_types")
    code = models.SlugField(_("code"), max_length=60)
    name_ka = models.CharField(_("name (Georgian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    content_types = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("allowed content types"),
        help_text=_("Comma separated, e.g. application/pdf,image/jpeg"),
        default=list,
    )
    max_size_mb = models.PositiveIntegerField(
        _("largest file (MB)"), default=20, validators=[MinValueValidator(1)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["service", "order", "code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="documenttype_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ka

    @property
    def max_size_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024

    @property
    def accepted_kinds(self) -> str:
        """The kinds of file it accepts as people know them ("PDF, DWG"), not MIME types."""
        return ", ".join(readable_type(t) for t in self.content_types)


# ---------------------------------------------------------------------------------------------
# Cases


class CaseQuerySet(models.QuerySet):
    def of_applicant(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(applicant=user)

    def open(self):
        return self.filter(status__in=open_statuses())

    def overdue(self, today):
        """Open cases whose due date has passed; a paused clock is not overdue."""
        return self.open().exclude(status=Status.AWAITING_APPLICANT).filter(due_date__lt=today)

    def in_module(self, module: str):
        return self.filter(service__module=module)


class ReferenceCounter(models.Model):
    """The last reference number given in one municipality and year; locked while counting."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="referencecounter_unique")
        ]


@audit.track()
class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service")
    )
    variant = models.CharField(
        _("variant"), max_length=30, blank=True, help_text=_("e.g. the building class")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("applicant"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="cases", verbose_name=_("municipality")
    )
    location = models.GeometryField(
        _("location"), srid=settings.SRID_STORAGE, null=True, blank=True, spatial_index=False
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    payload = models.JSONField(_("service data"), default=dict, blank=True)
    # The common statuses and those the modules add (cases/statuses.py).
    status = models.CharField(
        _("status"), max_length=30, choices=status_choices, default=Status.DRAFT
    )
    language = models.CharField(_("language"), max_length=5, default="ka")
    contact_phone = models.CharField(_("phone for SMS"), max_length=30, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned officer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    period_days = models.PositiveIntegerField(_("period (working days)"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paused_since = models.DateField(_("clock paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            GistIndex(fields=["location"], name="case_location_gist"),
            models.Index(fields=["municipality", "status"], name="case_municipality_status"),
            models.Index(fields=["due_date"], name="case_due_date"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in open_statuses()

    @property
    def is_finished(self) -> bool:
        return self.status in finished_statuses()

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def clock_paused(self) -> bool:
        return self.paused_since is not None

    def is_overdue(self, today) -> bool:
        return (
            self.is_open
            and not self.clock_paused
            and self.due_date is not None
            and self.due_date < today
        )


@audit.track()
class CaseStatusChange(models.Model):
    """One step of a case's history; written by every service that changes the status."""

    municipality_path = "case__municipality"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=status_choices, blank=True)
    to_status = models.CharField(max_length=30, choices=status_choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


@audit.track()
class CaseMessage(models.Model):
    municipality_path = "case__municipality"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Seen by staff only.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")


@audit.track()
class InformationRequest(models.Model):
    """A request to the applicant for more information; while one is open the clock stops."""

    municipality_path = "case__municipality"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_requests")
    text = models.TextField(_("what is needed"), max_length=5000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    working_days = models.PositiveIntegerField(
        _("period to answer (working days)"), default=15, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField(_("answer by"))
    answer = models.TextField(_("answer"), blank=True, max_length=10000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


def document_upload_to(instance: CaseDocument, filename: str) -> str:
    # The name shown to people is kept in original_name; the stored name is ours.
    suffix = "".join(c for c in filename.rsplit(".", 1)[-1][:8] if c.isalnum()).lower()
    token = secrets.token_hex(4)
    name = f"{instance.doc_type}-v{instance.version}-{token}" + (f".{suffix}" if suffix else "")
    return f"cases/{instance.case.reference}/{name}"


@audit.track()
class CaseDocument(models.Model):
    municipality_path = "case__municipality"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.SlugField(_("document type"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["doc_type", "-version"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "doc_type", "version"], name="casedocument_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


def new_verification_code() -> str:
    # 16 characters of an unambiguous alphabet: about 80 bits, typed from paper without slips.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def decision_upload_to(instance: Decision, filename: str) -> str:
    return f"cases/{instance.case.reference}/decision-{instance.verification_code}.pdf"


@audit.track()
class Decision(models.Model):
    municipality_path = "case__municipality"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    conditions = ArrayField(
        models.TextField(), verbose_name=_("conditions"), default=list, blank=True
    )
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))
    verification_code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_verification_code
    )
    pdf = models.FileField(_("decision document"), upload_to=decision_upload_to, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_outcome_display()}"
