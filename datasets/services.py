"""Writes of datasets: upload a version, activate it, publish, and edit metadata, schema, style.

Nothing is overwritten: every upload is a new version and activation only moves the dataset's
pointer, so a rollback is an activation of an older version. Each activation bumps the layer's
version, so tile caches keyed by it let go of the old tiles at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.gisfiles import crs_label
from core.models import Municipality
from datasets.ingest import Source, UploadRefused, opened_upload
from datasets.layers import family_of
from datasets.models import (
    PROPERTY_TYPES,
    Dataset,
    DatasetVersion,
    UploadMode,
    default_style,
    property_name_problem,
    validate_dataset_name,
)
from datasets.rules import can_manage_datasets
from datasets.sql import copy_features, features_copy, features_promote_multi
from datasets.validation import SINGLE as SINGLE_TYPES
from datasets.validation import TYPE_LABELS, Checker, Options, Schema, convert, schema_of
from layers.registry import registry
from layers.versions import layer_bump

# Names that are paths of the staff pages and the API (/datasets/upload/, uploads/).
RESERVED_NAMES = frozenset({"upload", "uploads"})
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


def require_manager(user, obj) -> None:
    if not can_manage_datasets(user, obj):
        raise PermissionDenied(_("You may not manage datasets of this municipality."))


def ingest_batch_size() -> int:
    return int(getattr(settings, "DATASET_INGEST_BATCH", 5000))


# Told how far an ingest has come: ("reading", rows, None) while the attributes are read,
# then ("storing", rows, total) while the rows are checked and written.
Progress = Callable[[str, int, int | None], None]


def _no_progress(phase: str, read: int, total: int | None) -> None:
    return None


@contextmanager
def _opened(fileobj, file_name: str, choices: FileChoices) -> Iterator[Source]:
    with opened_upload(
        fileobj,
        file_name,
        layer=choices.layer,
        srid=choices.srid,
        lon_column=choices.lon_column,
        lat_column=choices.lat_column,
        wkt_column=choices.wkt_column,
    ) as source:
        yield source


def _checked_schema(source: Source, *, base_schema, progress: Progress) -> Schema:
    return schema_of(
        source,
        base_schema=base_schema,
        batch_size=ingest_batch_size(),
        progress=lambda rows: progress("reading", rows, None),
    )


def _store(
    version: DatasetVersion,
    source: Source,
    checker: Checker,
    *,
    first_fid: int,
    total: int,
    progress: Progress,
) -> None:
    """Check and write the file's rows a batch at a time, numbered from `first_fid`."""
    fid = first_fid
    progress("storing", 0, total)
    for batch in source.batches(ingest_batch_size()):
        checked = checker.check(batch)
        fid += features_copy(
            version_id=version.pk,
            first_fid=fid,
            geoms=checked.geoms,
            properties=checked.properties,
        )
        progress("storing", checker.read, total)


def check_new_name(name: str) -> None:
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
    progress: Progress = _no_progress,
) -> DatasetVersion:
    """A new dataset from a file: read, checked, stored as version 1, not yet published.

    The file is read twice, a batch at a time: once for its attributes' types, then to check
    and write its rows in one transaction, so a refused file leaves nothing.
    """
    require_manager(user, municipality)
    check_new_name(name)
    with _opened(fileobj, file_name, choices) as source:
        schema = _checked_schema(source, base_schema=None, progress=progress)
        checker = Checker(
            source.info,
            municipality=municipality,
            options=Options(repair=choices.repair, geometry_kind=choices.geometry_kind),
            schema=schema,
        )
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
            version = _new_version(dataset, source, user=user, mode=UploadMode.NEW, notes=notes)
            _store(version, source, checker, first_fid=1, total=schema.rows, progress=progress)
            report = checker.finish()
            if checker.any_multi and checker.any_single:
                features_promote_multi(version_id=version.pk)
            _complete(version, checker, schema, report, geometry_type=checker.geometry_type)
            dataset.active_version = version
            version.activated_at = timezone.now()
            version.save(update_fields=["activated_at"])
            dataset.save(update_fields=["active_version", "updated_at"])
    return version


def _new_version(dataset, source: Source, *, user, mode, notes, base=None) -> DatasetVersion:
    number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    info = source.info
    version = DatasetVersion(
        dataset=dataset,
        number=number,
        mode=mode,
        base_version=base,
        created_by=user,
        source_name=info.name[:255],
        source_layer=info.layer[:255],
        source_crs=(crs_label(info.crs) if info.crs is not None else "")[:100],
        notes=notes,
    )
    # The geometry type, schema and report are known once every row is read: see _complete.
    version.full_clean(exclude=["geometry_type", "schema", "report"])
    version.save()
    return version


def _complete(
    version: DatasetVersion,
    checker: Checker,
    schema: Schema,
    report: dict,
    *,
    geometry_type: str,
    kept_from_base: int = 0,
) -> None:
    """The version's figures, schema and report, once every row is stored."""
    version.rows_read = report["rows_read"]
    version.rows_stored = checker.stored + kept_from_base
    version.rows_rejected = report["rows_refused"]
    version.geometry_type = geometry_type
    version.schema = schema.published()
    version.report = (
        {**report, "rows_kept_from_base": kept_from_base} if version.base_version_id else report
    )
    version.full_clean()
    version.save()


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
    progress: Progress = _no_progress,
) -> DatasetVersion:
    """Replace or append: a new version from a file, activated only when asked.

    An append copies the active version's features and adds the file's rows with the
    dataset's schema; a replace holds only the file's rows, with the schema inferred anew
    (titles of attributes that keep their names are kept).
    """
    require_manager(user, dataset)
    if mode not in (UploadMode.REPLACE, UploadMode.APPEND):
        raise ValidationError(_("Choose replace or append."), code="mode")
    base = dataset.active_version
    if mode == UploadMode.APPEND and base is None:
        raise ValidationError(_("There is no active version to append to."), code="mode")
    appending = mode == UploadMode.APPEND
    with _opened(fileobj, file_name, choices) as source:
        schema = _checked_schema(
            source, base_schema=base.schema if appending else None, progress=progress
        )
        if not appending and base is not None:
            # Attributes that keep their names keep their titles.
            titles = {entry["name"]: entry for entry in base.schema}
            for entry in schema.entries:
                old = titles.get(entry["name"])
                if old:
                    entry["title_ka"], entry["title_en"] = old["title_ka"], old["title_en"]
        checker = Checker(
            source.info,
            municipality=dataset.municipality,
            options=Options(repair=choices.repair, geometry_kind=choices.geometry_kind),
            schema=schema,
            base_family=family_of(base.geometry_type) if appending else None,
        )
        with transaction.atomic():
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
            first_fid = 1
            if appending:
                first_fid = (base.features.aggregate(n=Max("fid"))["n"] or 0) + 1
            version = _new_version(
                dataset, source, user=user, mode=mode, notes=notes, base=base if appending else None
            )
            _store(
                version, source, checker, first_fid=first_fid, total=schema.rows, progress=progress
            )
            report = checker.finish()
            base_multi = appending and base.geometry_type.startswith("Multi")
            multi = checker.any_multi or base_multi
            if multi and checker.any_single:
                features_promote_multi(version_id=version.pk)
            kept = 0
            if appending:
                kept = copy_features(
                    source_version_id=base.pk,
                    target_version_id=version.pk,
                    promote_multi=multi and not base_multi,
                )
            family = checker.family
            geometry_type = ("Multi" if multi else "") + SINGLE_TYPES[family]
            _complete(
                version, checker, schema, report, geometry_type=geometry_type, kept_from_base=kept
            )
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
    require_manager(user, dataset)
    _activate(dataset, version)
    return version


@transaction.atomic
def dataset_publish(*, user, dataset: Dataset) -> Dataset:
    """Make the dataset a layer of the registry (tiles, OGC API, WFS, downloads)."""
    require_manager(user, dataset)
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
    require_manager(user, dataset)
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
    require_manager(user, dataset)
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
    require_manager(user, dataset)
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
    require_manager(user, version.dataset)
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
