"""Downloads of layers in several formats, and the background jobs of large ones."""

from django.urls import path

from layers import export_views

app_name = "layer_exports"

urlpatterns = [
    path("exports/<uuid:job_id>/", export_views.ExportJobView.as_view(), name="job"),
    path(
        "exports/<uuid:job_id>/download",
        export_views.ExportJobDownloadView.as_view(),
        name="job-download",
    ),
    path("<slug:name>/export.<str:fmt>", export_views.LayerExportView.as_view(), name="export"),
]
