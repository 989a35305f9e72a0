"""Writes of datasets: upload a version, activate it, publish, and edit metadata, schema, style.

Nothing is overwritten: every upload is a new version and activation only moves the dataset's
pointer, so a rollback is an activation of an older version. Each activation bumps the layer's
version, so tile caches keyed by it let go of the old tiles at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Municipality
from datasets.ingest import UploadRefused, read_upload
from datasets.layers import family_of
from datasets.models import (
    PROPERTY_TYPES,
    Dataset,
    DatasetFeature,
    DatasetVersion,
    UploadMode,
    default_style,
    property_name_problem,
    validate_dataset_name,
)
from datasets.rules import can_manage_datasets
from datasets.sql import copy_features
from datasets.validation import TYPE_LABELS, Options, Validated, convert, validate
from layers.registry import registry
from layers.versions import layer_bump

BATCH = 2000
# Names that are paths of the staff pages (/datasets/upload/).
RESERVED_NAMES = frozenset({"upload"})
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class FileChoices:
    """What the officer chose for reading the file."""

    layer: str | None = None
    srid: int | None = None
    lon_column: str | None = None
    lat_column: str | None = None
    wkt_column: str | None = None
    repair: bool = False
    geometry_kind: str | None = None


def _require(user, obj) -> None:
    if not can_manage_datasets(user, obj):
        raise PermissionDenied(_("You may not manage datasets of this municipality."))


def _read(fileobj, file_name: str, choices: FileChoices, *, municipality, base=None) -> Validated:
    data = read_upload(
        fileobj,
        file_name,
        layer=choices.layer,
        srid=choices.srid,
        lon_column=choices.lon_column,
        lat_column=choices.lat_column,
        wkt_column=choices.wkt_column,
    )
    return validate(
        data,
        municipality=municipality,
        options=Options(repair=choices.repair, geometry_kind=choices.geometry_kind),
        base_schema=base.schema if base is not None else None,
        base_family=family_of(base.geometry_type) if base is not None else None,
    )


def _store(version: DatasetVersion, checked: Validated, *, first_fid: int, multi: bool) -> None:
    srid = settings.SRID_STORAGE
    rows = []
    for fid, geom, properties in zip(
        range(first_fid, first_fid + len(checked.rows)),
        checked.geoms,
        checked.properties,
        strict=True,
    ):
        if multi and not geom.geom_type.startswith("Multi"):
            import shapely

            maker = {
                "Point": shapely.multipoints,
                "LineString": shapely.multilinestrings,
            }.get(geom.geom_type, shapely.multipolygons)
            geom = maker([geom])
        rows.append(
            DatasetFeature(
                version=version,
                fid=fid,
                geom=GEOSGeometry(memoryview(geom.wkb), srid=srid),
                properties=properties,
            )
        )
    DatasetFeature.objects.bulk_create(rows, batch_size=BATCH)


def _check_new_name(name: str) -> None:
    try:
        validate_dataset_name(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    if name in RESERVED_NAMES:
        raise ValidationError(
            {"name": [_("%(name)s is reserved; choose another name.") % {"name": name}]}
        )
    if Dataset.objects.filter(name=name).exists():
        message = _("A dataset named %(name)s exists already; upload a new version of it instead.")
        raise ValidationError({"name": [message % {"name": name}]})
    if any(layer.name == name for layer in registry.declared()):
        message = _("%(name)s is the name of a layer the portal publishes already.")
        raise ValidationError({"name": [message % {"name": name}]})


def dataset_upload(
    *,
    user,
    municipality: Municipality,
    name: str,
    title_ka: str,
    title_en: str,
    fileobj,
    file_name: str,
    choices: FileChoices = FileChoices(),
    notes: str = "",
) -> DatasetVersion:
    """A new dataset from a file: read, checked, stored as version 1, not yet published.

    The file is read and checked before anything is written, so a refused file leaves nothing.
    """
    _require(user, municipality)
    _check_new_name(name)
    checked = _read(fileobj, file_name, choices, municipality=municipality)
    with transaction.atomic():
        dataset = Dataset(
            name=name,
            municipality=municipality,
            title_ka=title_ka or name,
            title_en=title_en or name,
            created_by=user,
            style=default_style(),
        )
        dataset.full_clean()
        dataset.save()
        version = _new_version(dataset, checked, user=user, mode=UploadMode.NEW, notes=notes)
        _store(version, checked, first_fid=1, multi=False)
        dataset.active_version = version
        version.activated_at = timezone.now()
        version.save(update_fields=["activated_at"])
        dataset.save(update_fields=["active_version", "updated_at"])
    return version


def _new_version(dataset, checked: Validated, *, user, mode, notes, base=None) -> DatasetVersion:
    number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    report = checked.report
    version = DatasetVersion(
        dataset=dataset,
        number=number,
        mode=mode,
        base_version=base,
        created_by=user,
        source_name=report["file"][:255],
        source_layer=report["layer"][:255],
        source_crs=report["crs"][:100],
        rows_read=report["rows_read"],
        rows_stored=report["rows_stored"],
        rows_rejected=report["rows_refused"],
        geometry_type=checked.geometry_type,
        schema=checked.schema,
        report=report,
        notes=notes,
    )
    version.full_clean()
    version.save()
    return version


def dataset_add_version(
    *,
    user,
    dataset: Dataset,
    mode: str,
    fileobj,
    file_name: str,
    choices: FileChoices = FileChoices(),
    activate: bool = False,
    notes: str = "",
) -> DatasetVersion:
    """Replace or append: a new version from a file, activated only when asked.

    An append copies the active version's features and adds the file's rows with the
    dataset's schema; a replace holds only the file's rows, with the schema inferred anew
    (titles of attributes that keep their names are kept).
    """
    _require(user, dataset)
    if mode not in (UploadMode.REPLACE, UploadMode.APPEND):
        raise ValidationError(_("Choose replace or append."), code="mode")
    base = dataset.active_version
    if mode == UploadMode.APPEND and base is None:
        raise ValidationError(_("There is no active version to append to."), code="mode")
    checked = _read(
        fileobj,
        file_name,
        choices,
        municipality=dataset.municipality,
        base=base if mode == UploadMode.APPEND else None,
    )
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        multi = False
        first_fid = 1
        if mode == UploadMode.APPEND:
            multi = checked.geometry_type.startswith("Multi") or base.geometry_type.startswith(
                "Multi"
            )
            if multi:
                checked.geometry_type = "Multi" + checked.geometry_type.removeprefix("Multi")
            first_fid = (base.features.aggregate(n=Max("fid"))["n"] or 0) + 1
        elif base is not None:
            titles = {entry["name"]: entry for entry in base.schema}
            for entry in checked.schema:
                old = titles.get(entry["name"])
                if old:
                    entry["title_ka"], entry["title_en"] = old["title_ka"], old["title_en"]
        version = _new_version(
            dataset,
            checked,
            user=user,
            mode=mode,
            notes=notes,
            base=base if mode == UploadMode.APPEND else None,
        )
        if mode == UploadMode.APPEND:
            copied = copy_features(
                source_version_id=base.pk,
                target_version_id=version.pk,
                promote_multi=multi and not base.geometry_type.startswith("Multi"),
            )
            version.rows_stored = copied + len(checked.rows)
            version.report = {**version.report, "rows_kept_from_base": copied}
            version.save(update_fields=["rows_stored", "report"])
        _store(version, checked, first_fid=first_fid, multi=multi)
        if activate:
            _activate(dataset, version)
    return version


def _activate(dataset: Dataset, version: DatasetVersion) -> None:
    dataset.active_version = version
    dataset.save(update_fields=["active_version", "updated_at"])
    version.activated_at = timezone.now()
    version.save(update_fields=["activated_at"])
    layer_bump(dataset.name)


@transaction.atomic
def version_activate(*, user, version: DatasetVersion) -> DatasetVersion:
    """Serve this version from now on: after a replace or append, or to roll back."""
    dataset = Dataset.objects.select_for_update().get(pk=version.dataset_id)
    _require(user, dataset)
    _activate(dataset, version)
    return version


@transaction.atomic
def dataset_publish(*, user, dataset: Dataset) -> Dataset:
    """Make the dataset a layer of the registry (tiles, OGC API, WFS, downloads)."""
    _require(user, dataset)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.active_version is None:
        latest = dataset.versions.order_by("-number").first()
        if latest is None:
            raise ValidationError(_("Upload a file before publishing."), code="no_version")
        _activate(dataset, latest)
    dataset.published = True
    dataset.published_at = dataset.published_at or timezone.now()
    dataset.full_clean()
    dataset.save(update_fields=["published", "published_at", "updated_at"])
    layer_bump(dataset.name)
    return dataset


@transaction.atomic
def dataset_unpublish(*, user, dataset: Dataset) -> Dataset:
    _require(user, dataset)
    dataset.published = False
    dataset.save(update_fields=["published", "updated_at"])
    layer_bump(dataset.name)
    return dataset


METADATA_FIELDS = (
    "title_ka",
    "title_en",
    "abstract_ka",
    "abstract_en",
    "keywords",
    "licence",
    "contact_name",
    "contact_email",
    "visibility",
    "downloadable",
)


@transaction.atomic
def dataset_update_metadata(*, user, dataset: Dataset, **values) -> Dataset:
    """Titles, abstract, keywords, licence, contact, who may see it, downloads."""
    _require(user, dataset)
    unknown = set(values) - set(METADATA_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in values.items():
        setattr(dataset, key, value)
    dataset.full_clean()
    dataset.save()
    layer_bump(dataset.name)
    return dataset


@transaction.atomic
def dataset_update_style(*, user, dataset: Dataset, style: dict) -> Dataset:
    """The basic style: fill and line colours, line width, opacity, circle radius."""
    _require(user, dataset)
    clean = default_style()
    errors = {}
    for key in ("fill_color", "line_color"):
        value = str(style.get(key, clean[key]))
        if not _COLOUR.match(value):
            errors[key] = _("%(value)s is not a colour like #2a9d8f.") % {"value": value}
        clean[key] = value.lower()
    for key, low, high in (
        ("line_width", 0.0, 20.0),
        ("opacity", 0.0, 1.0),
        ("fill_opacity", 0.0, 1.0),
        ("circle_radius", 1.0, 30.0),
    ):
        try:
            number = float(style.get(key, clean[key]))
        except (TypeError, ValueError):
            errors[key] = _("Give a number.")
            continue
        if not low <= number <= high:
            errors[key] = _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        clean[key] = number
    if errors:
        raise ValidationError(errors)
    dataset.style = clean
    dataset.save(update_fields=["style", "updated_at"])
    layer_bump(dataset.name)
    return dataset


@transaction.atomic
def version_update_schema(*, user, version: DatasetVersion, schema: list[dict]) -> DatasetVersion:
    """Rename attributes, change their types and titles; no data is rewritten.

    Each entry names the `source` key it publishes; a type is changed only if every value of
    the version fits the new type, so no query of the layer can fail on a cast.
    """
    _require(user, version.dataset)
    sources = {entry["source"]: entry for entry in version.schema}
    errors: list[str] = []
    seen: set[str] = set()
    clean = []
    for item in schema:
        source = item.get("source")
        if source not in sources:
            errors.append(_("%(source)s is not an attribute of this version.") % {"source": source})
            continue
        name = str(item.get("name", "")).strip()
        problem = property_name_problem(name)
        if problem:
            errors.append(problem)
        if name in seen:
            errors.append(_("The name %(name)s is used twice.") % {"name": name})
        seen.add(name)
        kind = item.get("type", sources[source]["type"])
        if kind not in PROPERTY_TYPES:
            errors.append(_("%(type)s is not a type.") % {"type": kind})
        clean.append(
            {
                "name": name,
                "source": source,
                "type": kind,
                "title_ka": str(item.get("title_ka", sources[source].get("title_ka", "")))[:200],
                "title_en": str(item.get("title_en", sources[source].get("title_en", "")))[:200],
            }
        )
    if errors:
        raise ValidationError(errors)
    changed = [e for e in clean if e["type"] != sources[e["source"]]["type"]]
    if changed:
        _check_values_fit(version, changed)
    version.schema = clean
    version.full_clean()
    version.save(update_fields=["schema"])
    if version.dataset.active_version_id == version.pk:
        layer_bump(version.dataset.name)
    return version


def _check_values_fit(version: DatasetVersion, changed: list[dict]) -> None:
    problems: list[str] = []
    for fid, properties in version.features.order_by("fid").values_list("fid", "properties"):
        for entry in changed:
            value = properties.get(entry["source"])
            try:
                fitted = convert(value, entry["type"])
            except (ValueError, TypeError, OverflowError):
                problems.append(
                    _("Feature %(fid)s: %(name)s %(value)r is not %(type)s.")
                    % {
                        "fid": fid,
                        "name": entry["name"],
                        "value": value,
                        "type": TYPE_LABELS[entry["type"]],
                    }
                )
                continue
            if fitted != value and value is not None:
                # Stored values keep their JSON form; a cast must read them as they are.
                if entry["type"] == "string" or str(fitted) == str(value):
                    continue
                problems.append(
                    _("Feature %(fid)s: %(name)s %(value)r would be read differently as %(type)s.")
                    % {
                        "fid": fid,
                        "name": entry["name"],
                        "value": value,
                        "type": TYPE_LABELS[entry["type"]],
                    }
                )
        if len(problems) >= 10:
            break
    if problems:
        raise ValidationError(problems[:10])


__all__ = [
    "FileChoices",
    "UploadRefused",
    "dataset_add_version",
    "dataset_publish",
    "dataset_unpublish",
    "dataset_update_metadata",
    "dataset_update_style",
    "dataset_upload",
    "version_activate",
    "version_update_schema",
]
