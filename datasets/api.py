"""The REST API of uploaded datasets: upload, report, publish, versions and rollback.

Staff sign in with their session. A dataset of a municipality where the person is not a GIS
officer or administrator answers 404, as one that does not exist. Refusals answer 400 with
{"detail", "parameter", "code"} and, when the person must choose (a layer, a CRS, columns),
"choices". An upload answers 202 once its name and size are checked: the file is read by a
background job, and /api/v1/datasets/uploads/{id}/ tells how far, then gives the version made
or the refusal (in the same shape, under "refusal").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Municipality
from core.parsers import JSONParser
from datasets import jobs, selectors, services
from datasets.ingest import UploadRefused
from datasets.models import Dataset, DatasetUpload, DatasetVersion, UploadMode, UploadStatus
from datasets.services import FileChoices


def refused(exc: UploadRefused) -> Response:
    return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)


def invalid(exc: DjangoValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        parameter, errors = next(iter(exc.message_dict.items()))
        detail = " ".join(errors)
    else:
        parameter, detail = "body", " ".join(exc.messages)
    return Response(
        {"detail": detail, "parameter": parameter, "code": "invalid"},
        status=status.HTTP_400_BAD_REQUEST,
    )


def bad(parameter: str, message: str, code: str = "invalid") -> Response:
    return Response(
        {"detail": message, "parameter": parameter, "code": code},
        status=status.HTTP_400_BAD_REQUEST,
    )


def version_data(version: DatasetVersion, *, report: bool = False) -> dict:
    data = {
        "number": version.number,
        "mode": version.mode,
        "active": version.dataset.active_version_id == version.pk,
        "created_at": version.created_at.isoformat(),
        "activated_at": version.activated_at.isoformat() if version.activated_at else None,
        "source_name": version.source_name,
        "source_layer": version.source_layer,
        "source_crs": version.source_crs,
        "rows_read": version.rows_read,
        "rows_stored": version.rows_stored,
        "rows_refused": version.rows_rejected,
        "geometry_type": version.geometry_type,
        "base_version": version.base_version.number if version.base_version_id else None,
        "notes": version.notes,
        "schema": version.schema,
    }
    if report:
        data["report"] = version.report
    return data


def dataset_data(dataset: Dataset) -> dict:
    return {
        "name": dataset.name,
        "municipality": dataset.municipality.code,
        "title_ka": dataset.title_ka,
        "title_en": dataset.title_en,
        "abstract_ka": dataset.abstract_ka,
        "abstract_en": dataset.abstract_en,
        "keywords": dataset.keywords,
        "licence": dataset.licence,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "visibility": dataset.visibility,
        "downloadable": dataset.downloadable,
        "published": dataset.published,
        "style": dataset.style,
        "active_version": dataset.active_version.number if dataset.active_version else None,
        "geometry_type": dataset.geometry_type,
        "created_at": dataset.created_at.isoformat(),
        "updated_at": dataset.updated_at.isoformat(),
    }


def upload_data(request, upload: DatasetUpload) -> dict:
    url = request.build_absolute_uri(
        reverse("datasets-api:upload", kwargs={"upload_id": upload.pk})
    )
    done = upload.status == UploadStatus.DONE and upload.version is not None
    return {
        "upload": str(upload.pk),
        "url": url,
        "status": upload.status,
        "phase": upload.phase or None,
        "rows_read": upload.rows_read,
        "rows_total": upload.rows_total,
        "file_name": upload.file_name,
        "mode": upload.mode,
        "dataset": upload.dataset.name if upload.dataset_id else upload.name,
        "created_at": upload.created_at.isoformat(),
        "finished_at": upload.finished_at.isoformat() if upload.finished_at else None,
        "version": version_data(upload.version, report=True) if done else None,
        "refusal": upload.refusal or None,
    }


def upload_response(request, upload: DatasetUpload, *, status_code: int = 200) -> Response:
    data = upload_data(request, upload)
    response = Response(data, status=status_code)
    response["Cache-Control"] = "private, no-store"
    if status_code == status.HTTP_202_ACCEPTED:
        response["Location"] = data["url"]
    return response


class DatasetUploadSerializer(serializers.Serializer):
    """What a client learns of an upload being read (for the OpenAPI description)."""

    upload = serializers.UUIDField()
    url = serializers.URLField(help_text="This upload; poll it until `status` is done or failed.")
    status = serializers.ChoiceField(choices=UploadStatus.choices)
    phase = serializers.ChoiceField(
        choices=["reading", "storing"],
        allow_null=True,
        help_text="reading: the attributes are read; storing: rows are checked and stored.",
    )
    rows_read = serializers.IntegerField()
    rows_total = serializers.IntegerField(allow_null=True)
    file_name = serializers.CharField()
    mode = serializers.ChoiceField(choices=UploadMode.choices)
    dataset = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    version = serializers.DictField(
        allow_null=True, help_text="Once done: the version made, with its report."
    )
    refusal = serializers.DictField(
        allow_null=True,
        help_text='Once failed: {"detail", "parameter", "code"} and, where one must choose, '
        '"choices".',
    )


class FileChoicesSerializer(serializers.Serializer):
    file = serializers.FileField()
    layer = serializers.CharField(required=False, allow_blank=True)
    srid = serializers.IntegerField(required=False, allow_null=True)
    lon_column = serializers.CharField(required=False, allow_blank=True)
    lat_column = serializers.CharField(required=False, allow_blank=True)
    wkt_column = serializers.CharField(required=False, allow_blank=True)
    repair = serializers.BooleanField(required=False, default=False)
    geometry_kind = serializers.ChoiceField(
        choices=["point", "line", "polygon"], required=False, allow_blank=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def choices(self) -> FileChoices:
        data = self.validated_data
        return FileChoices(
            layer=data.get("layer") or None,
            srid=data.get("srid"),
            lon_column=data.get("lon_column") or None,
            lat_column=data.get("lat_column") or None,
            wkt_column=data.get("wkt_column") or None,
            repair=data.get("repair", False),
            geometry_kind=data.get("geometry_kind") or None,
        )


class UploadSerializer(FileChoicesSerializer):
    name = serializers.CharField(max_length=100)
    title_ka = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    municipality = serializers.CharField(required=False, allow_blank=True)


class VersionUploadSerializer(FileChoicesSerializer):
    mode = serializers.ChoiceField(choices=[UploadMode.REPLACE, UploadMode.APPEND])
    activate = serializers.BooleanField(required=False, default=False)


def first_error(serializer) -> Response:
    parameter, errors = next(iter(serializer.errors.items()))
    return bad(parameter, " ".join(str(e) for e in errors))


class StaffOnly(permissions.BasePermission):
    """Signed in, and a GIS officer or administrator somewhere (or a superuser)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.is_superuser or bool(selectors.municipalities_managed_by(user))


class DatasetListView(APIView):
    permission_classes = [StaffOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetlist_get",
        summary="Datasets of the municipalities the signed-in officer manages",
    )
    def get(self, request):
        datasets = (
            selectors.datasets_managed_by(request.user)
            .select_related("municipality", "active_version")
            .order_by("name")
        )
        return Response({"datasets": [dataset_data(d) for d in datasets]})

    @extend_schema(
        responses={202: DatasetUploadSerializer, 400: OpenApiTypes.OBJECT},
        tags=["datasets"],
        operation_id="datasets_datasetlist_post",
        summary="Upload a file as a new dataset",
        description=(
            "The file's name, size and the layer name are checked at once (400 when refused); "
            "the file is then read by a background job: the answer is 202 with the upload, "
            "whose `url` tells how far it has been read, then the version made or the refusal."
        ),
        request=UploadSerializer,
    )
    def post(self, request):
        serializer = UploadSerializer(data=request.data)
        if not serializer.is_valid():
            return first_error(serializer)
        data = serializer.validated_data
        managed = selectors.municipalities_managed_by(request.user)
        code = data.get("municipality") or ""
        if code:
            municipality = Municipality.objects.filter(code__iexact=code).first()
            if municipality is None or municipality not in managed:
                return bad(
                    "municipality",
                    _("You may not upload datasets for %(code)s.") % {"code": code},
                    "forbidden_municipality",
                )
        elif len(managed) == 1:
            municipality = managed[0]
        else:
            return bad(
                "municipality",
                _("Name the municipality: %(codes)s.")
                % {"codes": ", ".join(m.code for m in managed)},
                "required",
            )
        upload = data["file"]
        try:
            job = jobs.upload_request(
                user=request.user,
                municipality=municipality,
                name=data["name"],
                title_ka=data.get("title_ka", ""),
                title_en=data.get("title_en", ""),
                fileobj=upload,
                file_name=upload.name,
                choices=serializer.choices(),
                notes=data.get("notes", ""),
                language=get_language() or "",
            )
        except UploadRefused as exc:
            return refused(exc)
        except DjangoValidationError as exc:
            return invalid(exc)
        return upload_response(request, job, status_code=status.HTTP_202_ACCEPTED)


class DatasetDetailView(APIView):
    permission_classes = [StaffOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetdetail_get",
        summary="One dataset, with its versions",
    )
    def get(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        versions = dataset.versions.select_related("dataset", "base_version").order_by("-number")
        return Response({**dataset_data(dataset), "versions": [version_data(v) for v in versions]})

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetdetail_patch",
        request=OpenApiTypes.OBJECT,
        summary="Change the metadata (titles, abstract, keywords, licence, contact)",
    )
    def patch(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        values = {k: v for k, v in request.data.items() if k in services.METADATA_FIELDS}
        unknown = set(request.data) - set(services.METADATA_FIELDS)
        if unknown:
            return bad(sorted(unknown)[0], _("This field cannot be changed here."), "unknown")
        try:
            dataset = services.dataset_update_metadata(user=request.user, dataset=dataset, **values)
        except DjangoValidationError as exc:
            return invalid(exc)
        return Response(dataset_data(dataset))


class DatasetReportView(APIView):
    permission_classes = [StaffOnly]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetreport_get",
        summary="The validation report of the latest version (or ?version=N)",
    )
    def get(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        raw = request.query_params.get("version")
        if raw:
            if not raw.isdigit():
                return bad("version", _("Give a version number."))
            version = selectors.version_of(dataset, int(raw))
        else:
            version = dataset.versions.order_by("-number").first()
        if version is None:
            return bad("version", _("The dataset has no version."), "no_version")
        return Response(version_data(version, report=True))


class DatasetPublishView(APIView):
    permission_classes = [StaffOnly]
    publish = True

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetpublish_post",
        summary="Publish (or unpublish) the dataset as a layer",
        request=None,
    )
    def post(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        try:
            if self.publish:
                dataset = services.dataset_publish(user=request.user, dataset=dataset)
            else:
                dataset = services.dataset_unpublish(user=request.user, dataset=dataset)
        except DjangoValidationError as exc:
            return invalid(exc)
        return Response(dataset_data(dataset))


class DatasetUnpublishView(DatasetPublishView):
    publish = False

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetunpublish_post",
        summary="Unpublish: the layer is no longer served",
        request=None,
    )
    def post(self, request, name: str):
        return super().post(request, name)


class DatasetVersionsView(APIView):
    permission_classes = [StaffOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_datasetversions_get",
        summary="The dataset's versions, newest first",
    )
    def get(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        versions = dataset.versions.select_related("dataset", "base_version").order_by("-number")
        return Response({"versions": [version_data(v) for v in versions]})

    @extend_schema(
        responses={202: DatasetUploadSerializer, 400: OpenApiTypes.OBJECT},
        tags=["datasets"],
        operation_id="datasets_datasetversions_post",
        summary="Replace or append: upload a new version",
        description="Read by a background job, as an upload of a new dataset: 202 with the upload.",
        request=VersionUploadSerializer,
    )
    def post(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        serializer = VersionUploadSerializer(data=request.data)
        if not serializer.is_valid():
            return first_error(serializer)
        data = serializer.validated_data
        try:
            job = jobs.upload_request(
                user=request.user,
                municipality=dataset.municipality,
                dataset=dataset,
                mode=data["mode"],
                fileobj=data["file"],
                file_name=data["file"].name,
                choices=serializer.choices(),
                activate=data.get("activate", False),
                notes=data.get("notes", ""),
                language=get_language() or "",
            )
        except UploadRefused as exc:
            return refused(exc)
        except DjangoValidationError as exc:
            return invalid(exc)
        return upload_response(request, job, status_code=status.HTTP_202_ACCEPTED)


class DatasetUploadView(APIView):
    permission_classes = [StaffOnly]

    @extend_schema(
        responses={200: DatasetUploadSerializer},
        tags=["datasets"],
        operation_id="datasets_upload_get",
        summary="An upload being read: its progress, then the version made or the refusal",
    )
    def get(self, request, upload_id):
        return upload_response(request, selectors.upload_managed_by(request.user, upload_id))


class VersionActivateView(APIView):
    permission_classes = [StaffOnly]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_versionactivate_post",
        summary="Serve this version: activate a new one, or roll back",
        request=None,
    )
    def post(self, request, name: str, number: int):
        dataset = selectors.dataset_managed_by(request.user, name)
        version = selectors.version_of(dataset, number)
        services.version_activate(user=request.user, version=version)
        version.dataset.refresh_from_db()
        return Response(version_data(version))


class RollbackView(APIView):
    permission_classes = [StaffOnly]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_rollback_post",
        request=OpenApiTypes.OBJECT,
        summary='Roll back to an earlier version: {"version": N}',
    )
    def post(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        raw = str(request.data.get("version", ""))
        if not raw.isdigit():
            return bad("version", _("Give the number of the version to roll back to."))
        version = selectors.version_of(dataset, int(raw))
        services.version_activate(user=request.user, version=version)
        version.dataset.refresh_from_db()
        return Response(version_data(version))


class VersionSchemaView(APIView):
    permission_classes = [StaffOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_versionschema_put",
        request=OpenApiTypes.OBJECT,
        summary="Rename attributes, change their types and titles",
    )
    def put(self, request, name: str, number: int):
        dataset = selectors.dataset_managed_by(request.user, name)
        version = selectors.version_of(dataset, number)
        schema = request.data.get("schema") if isinstance(request.data, dict) else request.data
        if not isinstance(schema, list):
            return bad("schema", _("Send the schema as a list of attributes."))
        try:
            version = services.version_update_schema(
                user=request.user, version=version, schema=schema
            )
        except DjangoValidationError as exc:
            return invalid(exc)
        return Response(version_data(version))


class StyleView(APIView):
    permission_classes = [StaffOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["datasets"],
        operation_id="datasets_style_put",
        request=OpenApiTypes.OBJECT,
        summary="The basic style: colours, width, opacity, circle radius",
    )
    def put(self, request, name: str):
        dataset = selectors.dataset_managed_by(request.user, name)
        if not isinstance(request.data, dict):
            return bad("style", _("Send the style as an object."))
        try:
            dataset = services.dataset_update_style(
                user=request.user, dataset=dataset, style=request.data
            )
        except DjangoValidationError as exc:
            return invalid(exc)
        return Response(dataset_data(dataset))


# Metadata for catalogues: public for a public dataset, 404 for one the request may not see.


def dcat_view(request, name: str):
    from django.http import JsonResponse

    from datasets.metadata import dcat_jsonld

    dataset = selectors.dataset_visible_to(request, name)
    response = JsonResponse(
        dcat_jsonld(request, dataset), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


def iso19115_view(request, name: str):
    from django.http import HttpResponse

    from datasets.metadata import iso19139_xml

    dataset = selectors.dataset_visible_to(request, name)
    return HttpResponse(iso19139_xml(request, dataset), content_type="application/xml")
