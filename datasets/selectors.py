"""Reads of datasets: what a person may manage, a dataset's extent and versions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.http import Http404

from core.models import Municipality
from datasets.models import Dataset, DatasetUpload, DatasetVersion
from datasets.rules import can_manage_datasets


def municipalities_managed_by(user) -> list[Municipality]:
    """The municipalities where the user may upload and publish datasets."""
    if not user.is_authenticated:
        return []
    return [m for m in Municipality.objects.for_user(user) if can_manage_datasets(user, m)]


def datasets_managed_by(user):
    if user.is_authenticated and user.is_active and user.is_superuser:
        return Dataset.objects.all()
    return Dataset.objects.in_municipalities(municipalities_managed_by(user))


def dataset_managed_by(user, name: str) -> Dataset:
    """The dataset if the user may manage it; 404 otherwise, as for one that never existed."""
    dataset = (
        datasets_managed_by(user)
        .select_related("municipality", "active_version")
        .filter(name=name)
        .first()
    )
    if dataset is None:
        raise Http404("No such dataset.")
    return dataset


def upload_managed_by(user, upload_id) -> DatasetUpload:
    """An upload of a municipality where the user manages datasets; 404 otherwise."""
    uploads = DatasetUpload.objects.select_related("dataset", "version", "municipality")
    if not (user.is_authenticated and user.is_active and user.is_superuser):
        uploads = uploads.in_municipalities(municipalities_managed_by(user))
    upload = uploads.filter(pk=upload_id).first()
    if upload is None:
        raise Http404("No such upload.")
    return upload


def uploads_pending_for(user, *, most: int = 20) -> list[DatasetUpload]:
    """The uploads still waiting or being read in the municipalities the user manages."""
    uploads = DatasetUpload.objects.pending().select_related("dataset").order_by("-created_at")
    if not (user.is_authenticated and user.is_active and user.is_superuser):
        uploads = uploads.in_municipalities(municipalities_managed_by(user))
    return list(uploads[:most])


def dataset_visible_to(request, name: str) -> Dataset:
    """A published dataset whose layer the request may see (for metadata); 404 otherwise."""
    from layers.registry import visible_layer_for

    dataset = (
        Dataset.objects.published()
        .select_related("municipality", "active_version")
        .filter(name=name)
        .first()
    )
    if dataset is None or visible_layer_for(request, name) is None:
        raise Http404("No such dataset.")
    return dataset


def version_of(dataset: Dataset, number: int) -> DatasetVersion:
    version = dataset.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    return version


def version_extent(version: DatasetVersion | None) -> tuple[float, float, float, float] | None:
    """The bounding box of a version's features in EPSG:4326 (min lon, min lat, max lon, max lat)."""
    if version is None:
        return None
    from django.contrib.gis.geos import Polygon

    box = version.features.aggregate(extent=Extent("geom"))["extent"]
    if box is None:
        return None
    polygon = Polygon.from_bbox(box)
    polygon.srid = settings.SRID_STORAGE
    polygon.transform(4326)
    return polygon.extent
