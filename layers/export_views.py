"""Downloads of registered layers, at once or, for a large layer, through a background job.

`/api/v1/layers/{name}/export.{gpkg,geojson,csv,csv.zip,shp.zip,kml}?crs=&bbox=` answers the file
when the layer holds up to EXPORT_SYNC_MAX_FEATURES features (GeoJSON and CSV streamed as
they are read); above that it answers 202 with a job whose status is at
`/api/v1/layers/exports/{job}/` and whose file, once written, only the one who asked may fetch.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    BadParameter,
    ErrorSerializer,
    NotFoundErrorSerializer,
    ParameterErrorSerializer,
)
from layers.exports import (
    FORMATS,
    STREAMED_FORMATS,
    Export,
    export_srids,
    parse_bbox,
    parse_crs,
    stream_csv,
    stream_geojson,
    sync_max_features,
    write_export,
)
from layers.jobs import ExportQueueFull, export_job_request, jobs_of_owner
from layers.models import ExportJob, ExportStatus
from layers.registry import Layer, registry, visible_layer_for


def downloadable_layer(request: HttpRequest, name: str) -> Layer:
    """The layer if the request may see and download it; 404 alike for unknown and hidden."""
    layer = visible_layer_for(request, name)
    if layer is None or not layer.downloadable:
        raise NotFound(_("There is no layer %(name)r to download.") % {"name": name[:100]})
    return layer


def session_hash(request: HttpRequest, *, create: bool = False) -> str:
    """A hash of the browser session's key, made when `create`; the key itself is not kept."""
    session = request.session
    if session.session_key is None:
        if not create:
            return ""
        # A value in the session makes the middleware send its cookie with this response.
        session["layer_exports"] = True
        session.save()
    return hashlib.sha256(session.session_key.encode()).hexdigest()


def owned_jobs(request: HttpRequest):
    return jobs_of_owner(
        api_key=getattr(request, "api_key", None),
        user=request.user,
        session_hash=session_hash(request),
    )


def wants_html(request: HttpRequest) -> bool:
    """A browser that navigated here gets a page; programs (JSON, */*) get JSON."""
    return "text/html" in request.headers.get("Accept", "") and request.GET.get("f") != "json"


def job_data(request: HttpRequest, job: ExportJob) -> dict:
    expired = job.status == ExportStatus.EXPIRED or (
        job.status == ExportStatus.DONE and job.expires_at and job.expires_at <= timezone.now()
    )
    state = ExportStatus.EXPIRED if expired else job.status
    url = request.build_absolute_uri(reverse("layer_exports:job", kwargs={"job_id": job.pk}))
    download = None
    if state == ExportStatus.DONE:
        download = request.build_absolute_uri(
            reverse("layer_exports:job-download", kwargs={"job_id": job.pk})
        )
    return {
        "status": str(state),
        "job": str(job.pk),
        "url": url,
        "download": download,
        "layer": job.layer,
        "format": job.format,
        "crs": f"http://www.opengis.net/def/crs/EPSG/0/{job.srid}",
        "bbox": job.bbox,
        "features": job.feature_count,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
        # Kept in English (gettext_noop in layers/jobs.py), shown in the reader's language.
        "error": _(job.error) if job.error else None,
    }


def job_response(request: HttpRequest, job: ExportJob, *, status_code: int = 200):
    data = job_data(request, job)
    if wants_html(request):
        response = TemplateResponse(
            request,
            "layers/export_status.html",
            {
                "job": data,
                "title": getattr(registry.get(job.layer), "title", job.layer),
                "expires_at": job.expires_at,
                "pending": data["status"] in ("queued", "running"),
            },
            status=status_code,
        )
    else:
        response = Response(data, status=status_code)
    response["Cache-Control"] = "private, no-store"
    if status_code == status.HTTP_202_ACCEPTED:
        response["Location"] = data["url"]
    return response


class ExportJobSerializer(serializers.Serializer):
    """What a client learns of an export job (for the OpenAPI description)."""

    status = serializers.ChoiceField(choices=ExportStatus.choices)
    job = serializers.UUIDField()
    url = serializers.URLField(help_text="This job's status; poll it until `status` is done.")
    download = serializers.URLField(
        allow_null=True, help_text="The file, once done; only for whoever asked."
    )
    layer = serializers.CharField()
    format = serializers.ChoiceField(choices=list(FORMATS))
    crs = serializers.CharField()
    bbox = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    features = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True)


# Too many exports waiting: the one error shape, with the code too_many_exports.
QueueFullSerializer = ErrorSerializer


# The file of each format, for the OpenAPI description.
FILE_RESPONSES = {
    (200, "application/geopackage+sqlite3"): OpenApiTypes.BINARY,
    (200, "application/geo+json"): OpenApiTypes.OBJECT,
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/zip"): OpenApiTypes.BINARY,
    (200, "application/vnd.google-earth.kml+xml"): OpenApiTypes.STR,
}


class JsonNegotiation(BaseContentNegotiation):
    """Errors and job states are JSON whatever the client accepts: a client that asks for a
    GeoPackage must still learn why it cannot have one, not get 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportAPIView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonNegotiation


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


class LayerExportView(ExportAPIView):
    @extend_schema(
        operation_id="layer_export",
        summary="Download a layer",
        description=(
            "The layer's public properties and id, in GeoPackage, zipped Shapefile (with "
            "`<layer>.fields.csv`, the full name of each shortened field), GeoJSON, CSV (WKT "
            "geometry, UTF-8 with a byte-order mark), the same CSV zipped with GDAL's .csvt "
            "(types) and .prj (CRS), or KML (always EPSG:4326). A layer "
            "with more features than EXPORT_SYNC_MAX_FEATURES is written by a background job: "
            "the answer is then 202 with the job, whose `url` tells when the file is ready."
        ),
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                examples=[OpenApiExample("The parcels", value="parcels")],
            ),
            OpenApiParameter(
                "fmt",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(FORMATS),
                examples=[OpenApiExample("GeoJSON", value="geojson")],
            ),
            OpenApiParameter(
                "crs",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description=(
                    "EPSG code or URI of the output CRS: "
                    + ", ".join(str(s) for s in export_srids())
                    + " (default 4326)."
                ),
            ),
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="minlon,minlat,maxlon,maxlat in CRS84: only features that touch it.",
            ),
        ],
        responses={
            **FILE_RESPONSES,
            202: ExportJobSerializer,
            400: ParameterErrorSerializer,
            404: NotFoundErrorSerializer,
            429: OpenApiResponse(QueueFullSerializer, description="Too many exports waiting."),
        },
    )
    def get(self, request: Request, name: str, fmt: str):
        if fmt not in FORMATS:
            raise NotFound(
                _("There is no export format %(fmt)r; choose one of %(formats)s.")
                % {"fmt": fmt[:20], "formats": ", ".join(FORMATS)}
            )
        layer = downloadable_layer(request, name)
        srid = parse_crs(request.query_params.get("crs"))
        if fmt == "kml" and srid != 4326:
            raise BadParameter(
                "crs", _("KML is always in EPSG:4326; leave crs out."), "unsupported_crs"
            )
        export = Export(
            layer=layer, format=fmt, srid=srid, bbox=parse_bbox(request.query_params.get("bbox"))
        )
        if export.count() > sync_max_features():
            return self.queue(request, export)
        if fmt in STREAMED_FORMATS:
            stream = stream_geojson if fmt == "geojson" else stream_csv
            response = StreamingHttpResponse(stream(export), content_type=export.fmt.media_type)
            return _attachment(response, export.filename())
        directory = Path(tempfile.mkdtemp(prefix="gisportal-export-"))
        try:
            path, _count = write_export(export, directory, language=get_language() or "")
            handle = path.open("rb")
        finally:
            # The open handle keeps the file readable until the response is sent.
            shutil.rmtree(directory, ignore_errors=True)
        response = FileResponse(handle, content_type=export.fmt.media_type)
        return _attachment(response, export.filename())

    def queue(self, request: Request, export: Export):
        api_key = getattr(request, "api_key", None)
        try:
            job, _created = export_job_request(
                export=export,
                language=get_language() or "",
                api_key=api_key,
                user=request.user,
                session_hash=""
                if api_key or request.user.is_authenticated
                else session_hash(request, create=True),
            )
        except ExportQueueFull:
            response = Response(
                {
                    "detail": _(
                        "You have as many exports waiting as one may; "
                        "try again when one of them is ready."
                    ),
                    "code": "too_many_exports",
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
            response["Retry-After"] = "60"
            return response
        return job_response(request, job, status_code=status.HTTP_202_ACCEPTED)


def _owned_job(request: Request, job_id) -> ExportJob:
    """The job if it belongs to the request and its layer is still visible to it; else 404."""
    job = owned_jobs(request).filter(pk=job_id).first()
    if job is None or visible_layer_for(request, job.layer) is None:
        raise NotFound(_("There is no such export."))
    return job


class ExportJobView(ExportAPIView):
    @extend_schema(
        operation_id="layer_export_job",
        summary="The state of a background export",
        responses={200: ExportJobSerializer, 404: NotFoundErrorSerializer},
    )
    def get(self, request: Request, job_id):
        return job_response(request, _owned_job(request, job_id))


class ExportJobDownloadView(ExportAPIView):
    @extend_schema(
        operation_id="layer_export_job_download",
        summary="The file of a finished background export",
        responses={
            **FILE_RESPONSES,
            404: NotFoundErrorSerializer,
            409: OpenApiResponse(ExportJobSerializer, description="The file is not ready."),
        },
    )
    def get(self, request: Request, job_id):
        job = _owned_job(request, job_id)
        data = job_data(request, job)
        if data["status"] != ExportStatus.DONE or not job.file:
            return Response(data, status=status.HTTP_409_CONFLICT)
        response = FileResponse(job.file.open("rb"), content_type=FORMATS[job.format].media_type)
        return _attachment(response, Path(job.file.name).name)
