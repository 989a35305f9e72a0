"""Datasets that GIS staff upload: versions of features with their attribute schema.

All datasets share one feature table: a real, indexed geometry column in the storage SRID and
the attributes in JSONB, typed by the schema of the feature's version. An upload therefore
needs no DDL, and every dataset is served by the same queryset annotated per schema.
"""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import Municipality
from layers.registry import LAYER_NAME, Visibility

# Attribute names become SQL aliases and JSON keys of every publishing path, so they are
# plain identifiers; these clash with the feature table's own columns or the tiles' aliases.
PROPERTY_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Names the storage uses, and the query parameters of OGC API items (a property may not shadow one).
RESERVED_PROPERTY_NAMES = frozenset(
    {"id", "pk", "geom", "geometry", "fid", "version", "version_id", "properties", "mvt_geom"}
    | {"mvt_fid", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "filter", "f"}
    | {"filter-lang", "filter-crs", "api_key"}
)
PROPERTY_TYPES = ("string", "integer", "number", "boolean", "date")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def validate_dataset_name(value: str) -> None:
    if not LAYER_NAME.match(value or ""):
        raise ValidationError(
            _(
                "%(value)s is not a layer name: use lower-case letters, digits, '-' and '_', "
                "starting with a letter or digit."
            ),
            params={"value": value},
            code="name",
        )


def property_name_problem(name: str) -> str | None:
    """Why a property name cannot be published, or None when it can."""
    if not PROPERTY_NAME.match(name or ""):
        return str(
            _("%(name)r must be lower-case letters, digits and '_', not starting with a digit.")
            % {"name": name}
        )
    if "__" in name:
        return str(_("%(name)r may not contain a double underscore.") % {"name": name})
    if name in RESERVED_PROPERTY_NAMES:
        return str(_("%(name)r is reserved; choose another name.") % {"name": name})
    return None


def validate_schema(value) -> None:
    """A list of {name, source, type, title_ka, title_en} with unique, publishable names."""
    if not isinstance(value, list):
        raise ValidationError(_("The schema must be a list of attributes."), code="schema")
    seen: set[str] = set()
    for entry in value:
        if not isinstance(entry, dict) or not {"name", "source", "type"} <= set(entry):
            raise ValidationError(_("Each attribute needs a name, a source and a type."))
        problem = property_name_problem(entry["name"])
        if problem:
            raise ValidationError(problem, code="property_name")
        if entry["name"] in seen:
            raise ValidationError(
                _("The attribute name %(name)s is used twice."),
                params={"name": entry["name"]},
                code="duplicate",
            )
        seen.add(entry["name"])
        if entry["type"] not in PROPERTY_TYPES:
            raise ValidationError(
                _("%(type)s is not one of %(types)s."),
                params={"type": entry["type"], "types": ", ".join(PROPERTY_TYPES)},
                code="type",
            )


def default_style() -> dict:
    return {
        "fill_color": "#2a9d8f",
        "fill_opacity": 0.35,
        "line_color": "#1d3557",
        "line_width": 1.5,
        "opacity": 1.0,
        "circle_radius": 5,
    }


class VisibilityChoices(models.TextChoices):
    PUBLIC = Visibility.PUBLIC, _("Everyone")
    STAFF = Visibility.STAFF, _("Staff of the municipality only")


class DatasetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True, active_version__isnull=False)

    def in_municipalities(self, municipalities):
        return self.filter(municipality__in=municipalities)


@audit.track()
class Dataset(models.Model):
    """An uploaded dataset; once published, its active version is a layer of the registry."""

    name = models.CharField(
        _("layer name"),
        max_length=100,
        unique=True,
        validators=[validate_dataset_name],
        help_text=_("Used in the addresses of tiles, OGC API, WFS and downloads."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name=_("municipality"),
    )
    title_ka = models.CharField(_("title (Georgian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    abstract_ka = models.TextField(_("abstract (Georgian)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    keywords = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=_("keywords")
    )
    licence = models.CharField(_("licence"), max_length=200, default="CC-BY-4.0", blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    visibility = models.CharField(
        _("who may see it"),
        max_length=10,
        choices=VisibilityChoices.choices,
        default=VisibilityChoices.PUBLIC,
    )
    downloadable = models.BooleanField(_("downloads allowed"), default=True)
    style = models.JSONField(_("style"), default=default_style, blank=True)
    published = models.BooleanField(_("published"), default=False)
    active_version = models.ForeignKey(
        "DatasetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("active version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ka

    @property
    def abstract(self) -> str:
        return self.abstract_en if get_language() == "en" else self.abstract_ka

    # The schema and geometry type are those of the version served, so a rollback brings
    # back the attributes that version had.
    @property
    def schema(self) -> list[dict]:
        return self.active_version.schema if self.active_version else []

    @property
    def geometry_type(self) -> str:
        return self.active_version.geometry_type if self.active_version else ""


class UploadMode(models.TextChoices):
    NEW = "new", _("New dataset")
    REPLACE = "replace", _("Replace")
    APPEND = "append", _("Append")


class DatasetVersion(models.Model):
    """One upload: its features, the report of what was read and refused, its schema."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    mode = models.CharField(_("mode"), max_length=10, choices=UploadMode.choices)
    base_version = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appended to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(_("last activated"), null=True, blank=True)
    source_name = models.CharField(_("source file"), max_length=255)
    source_layer = models.CharField(_("source layer"), max_length=255, blank=True)
    source_crs = models.CharField(_("source coordinate system"), max_length=100, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows refused"), default=0)
    geometry_type = models.CharField(
        _("geometry type"), max_length=20, choices=[(t, t) for t in GEOMETRY_TYPES]
    )
    schema = models.JSONField(_("attribute schema"), default=list, validators=[validate_schema])
    report = models.JSONField(_("validation report"), default=dict)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.name} v{self.number}"

    @property
    def is_active(self) -> bool:
        return self.dataset.active_version_id == self.pk


class DatasetFeature(models.Model):
    """One feature of one version; `properties` holds its attributes by their source keys."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="features")
    fid = models.PositiveIntegerField(_("feature number"))
    geom = models.GeometryField(srid=settings.SRID_STORAGE, spatial_index=False)
    properties = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("dataset feature")
        verbose_name_plural = _("dataset features")
        constraints = [
            # Also the index that every layer query filters by (version first).
            models.UniqueConstraint(fields=["version", "fid"], name="dataset_feature_fid_unique")
        ]
        indexes = [GistIndex(fields=["geom"], name="dataset_feature_geom_gist")]


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to be read")
    RUNNING = "running", _("being read")
    DONE = "done", _("read")
    FAILED = "failed", _("refused")


class DatasetUploadQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=[UploadStatus.QUEUED, UploadStatus.RUNNING])

    def in_municipalities(self, municipalities):
        return self.filter(municipality__in=municipalities)


def upload_file_to(upload: DatasetUpload, filename: str) -> str:
    # The stored name is ours; the person's name for the file is kept in `file_name`.
    suffix = PurePosixPath(filename.lower()).suffix
    return f"dataset-uploads/{upload.pk}/upload{suffix}"


class DatasetUpload(models.Model):
    """An uploaded file that the ingest job reads into a new dataset or a new version.

    The request keeps the file and answers at once; the job records how far it has read and
    ends with the version made, or the refusal and its reason. The file is kept until then.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="dataset_uploads",
        verbose_name=_("municipality"),
    )
    # The dataset a new version is for; for a new dataset, the one made once the file is read.
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads"
    )
    name = models.CharField(_("layer name"), max_length=100, blank=True)
    title_ka = models.CharField(_("title (Georgian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=UploadMode.choices)
    activate = models.BooleanField(_("serve it at once"), default=False)
    choices = models.JSONField(_("choices for reading the file"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    file = models.FileField(_("file"), upload_to=upload_file_to, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    # "reading" while the attributes are read, then "storing" while rows are checked and stored.
    phase = models.CharField(_("phase"), max_length=10, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    version = models.ForeignKey(
        DatasetVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version made"),
    )
    refusal = models.JSONField(_("refusal"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = DatasetUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dataset upload")
        verbose_name_plural = _("dataset uploads")
        indexes = [models.Index(fields=["status", "finished_at"], name="datasetupload_status_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)
