"""Staff pages for uploading and publishing datasets, under /{ka,en}/datasets/.

A person who is not signed in is sent to sign in; one without a GIS officer's or municipal
administrator's role gets 403; a dataset of another municipality answers 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Municipality
from datasets import jobs, selectors, services
from datasets.forms import (
    MetadataForm,
    RetryForm,
    SchemaFormSet,
    StyleForm,
    UploadForm,
    VersionUploadForm,
)
from datasets.ingest import UploadRefused, max_upload_bytes
from datasets.layers import family_of
from datasets.models import UploadStatus, default_style


def officer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_superuser or selectors.municipalities_managed_by(user)):
            raise PermissionDenied(
                _("Only GIS officers and municipal administrators upload datasets.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _refusal(form, exc: UploadRefused) -> None:
    if exc.choices:
        form.offer(exc.parameter, exc.choices)
    field = exc.parameter if exc.parameter in form.fields else None
    if field == "file" or field is None:
        form.add_error(None, exc.message)
    else:
        form.add_error(field, exc.message)


DATASETS_PAGE_SIZE = 50


@officer_required
def dataset_list(request):
    datasets = (
        selectors.datasets_managed_by(request.user)
        .select_related("municipality", "active_version")
        .order_by("municipality__code", "name")
    )
    page_obj = Paginator(datasets, DATASETS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "datasets/list.html",
        {
            "datasets": page_obj.object_list,
            "page_obj": page_obj,
            "uploads": selectors.uploads_pending_for(request.user),
            "page": "datasets",
        },
    )


@officer_required
def dataset_upload(request):
    municipalities = (
        list(Municipality.objects.all())
        if request.user.is_superuser
        else selectors.municipalities_managed_by(request.user)
    )
    form = UploadForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload = jobs.upload_request(
                user=request.user,
                municipality=data["municipality"],
                name=data["name"],
                title_ka=data["title_ka"],
                title_en=data["title_en"],
                fileobj=data["file"],
                file_name=data["file"].name,
                choices=form.choices(),
                notes=data.get("notes", ""),
                language=get_language() or "",
            )
        except UploadRefused as exc:
            refusal = exc
            _refusal(form, exc)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("datasets:upload-status", upload_id=upload.pk)
    return render(
        request,
        "datasets/upload.html",
        {"form": form, "refusal": refusal, "max_bytes": max_upload_bytes(), "page": "datasets"},
    )


@officer_required
def dataset_detail(request, name: str):
    dataset = selectors.dataset_managed_by(request.user, name)
    versions = list(dataset.versions.select_related("base_version").order_by("-number"))
    number = request.GET.get("version", "")
    shown = next((v for v in versions if str(v.number) == number), None) or (
        versions[0] if versions else None
    )
    return render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "versions": versions,
            "shown": shown,
            "report": shown.report if shown else {},
            "version_form": VersionUploadForm(),
            "page": "datasets",
        },
    )


@officer_required
@require_POST
def dataset_new_version(request, name: str):
    dataset = selectors.dataset_managed_by(request.user, name)
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            upload = jobs.upload_request(
                user=request.user,
                municipality=dataset.municipality,
                dataset=dataset,
                mode=data["mode"],
                fileobj=data["file"],
                file_name=data["file"].name,
                choices=form.choices(),
                activate=bool(data.get("activate")),
                notes=data.get("notes", ""),
                language=get_language() or "",
            )
        except UploadRefused as exc:
            _refusal(form, exc)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("datasets:upload-status", upload_id=upload.pk)
    versions = list(dataset.versions.select_related("base_version").order_by("-number"))
    return render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "versions": versions,
            "shown": versions[0] if versions else None,
            "report": versions[0].report if versions else {},
            "version_form": form,
            "page": "datasets",
        },
        status=400,
    )


@officer_required
def upload_status(request, upload_id):
    """How far the worker has read an upload; the version made, or the refusal and, where the
    refusal asks for a choice, a form to read the kept file again with it."""
    upload = selectors.upload_managed_by(request.user, upload_id)
    retry = None
    if upload.status == UploadStatus.FAILED and upload.file:
        retry = RetryForm(initial=upload.choices)
        if upload.refusal.get("choices"):
            retry.offer(upload.refusal.get("parameter", ""), upload.refusal["choices"])
    response = render(
        request,
        "datasets/upload_status.html",
        {
            "upload": upload,
            "retry_form": retry,
            "percent": _percent(upload),
            "refresh_seconds": REFRESH_SECONDS,
            "page": "datasets",
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


REFRESH_SECONDS = 3


def _percent(upload) -> int | None:
    if upload.phase != "storing" or not upload.rows_total:
        return None
    return min(100, round(100 * upload.rows_read / upload.rows_total))


@officer_required
@require_POST
def upload_retry(request, upload_id):
    """Read a refused upload's kept file again, with other choices."""
    upload = selectors.upload_managed_by(request.user, upload_id)
    form = RetryForm(request.POST)
    if upload.status != UploadStatus.FAILED or not upload.file or not form.is_valid():
        messages.error(request, _("This upload cannot be read again; upload the file anew."))
        return redirect("datasets:upload-status", upload_id=upload.pk)
    try:
        again = jobs.upload_retry(
            user=request.user, upload=upload, choices=form.choices(), language=get_language() or ""
        )
    except (UploadRefused, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        return redirect("datasets:upload-status", upload_id=upload.pk)
    return redirect("datasets:upload-status", upload_id=again.pk)


@officer_required
@require_POST
def dataset_publish(request, name: str):
    dataset = selectors.dataset_managed_by(request.user, name)
    try:
        services.dataset_publish(user=request.user, dataset=dataset)
        messages.success(request, _("Published: the dataset is a layer of the map and services."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("datasets:detail", name=name)


@officer_required
@require_POST
def dataset_unpublish(request, name: str):
    dataset = selectors.dataset_managed_by(request.user, name)
    services.dataset_unpublish(user=request.user, dataset=dataset)
    messages.success(request, _("Unpublished: the layer is no longer served."))
    return redirect("datasets:detail", name=name)


@officer_required
@require_POST
def version_activate(request, name: str, number: int):
    dataset = selectors.dataset_managed_by(request.user, name)
    version = selectors.version_of(dataset, number)
    services.version_activate(user=request.user, version=version)
    messages.success(request, _("Version %(n)d is served now.") % {"n": number})
    return redirect("datasets:detail", name=name)


@officer_required
def dataset_metadata(request, name: str):
    dataset = selectors.dataset_managed_by(request.user, name)
    form = MetadataForm(request.POST or None, instance=dataset)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in services.METADATA_FIELDS}
        fresh = selectors.dataset_managed_by(request.user, name)
        try:
            services.dataset_update_metadata(user=request.user, dataset=fresh, **values)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The metadata was saved."))
            return redirect("datasets:detail", name=name)
    return render(
        request, "datasets/metadata.html", {"dataset": dataset, "form": form, "page": "datasets"}
    )


@officer_required
def version_schema(request, name: str, number: int):
    dataset = selectors.dataset_managed_by(request.user, name)
    version = selectors.version_of(dataset, number)
    formset = SchemaFormSet(request.POST or None, initial=version.schema, prefix="attr")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        schema = [form.cleaned_data for form in formset.forms if form.cleaned_data]
        try:
            services.version_update_schema(user=request.user, version=version, schema=schema)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The attributes were saved."))
            return redirect(
                reverse("datasets:detail", kwargs={"name": name}) + f"?version={number}"
            )
    return render(
        request,
        "datasets/schema.html",
        {
            "dataset": dataset,
            "version": version,
            "formset": formset,
            "errors": errors,
            "renamed": version.report.get("renamed", {}),
            "page": "datasets",
        },
    )


@officer_required
def dataset_style(request, name: str):
    dataset = selectors.dataset_managed_by(request.user, name)
    initial = {**default_style(), **(dataset.style or {})}
    form = StyleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_update_style(
                user=request.user, dataset=dataset, style=form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The style was saved."))
            return redirect("datasets:detail", name=name)
    return render(
        request,
        "datasets/style.html",
        {
            "dataset": dataset,
            "form": form,
            "family": family_of(dataset.geometry_type or "Polygon"),
            "page": "datasets",
        },
    )
