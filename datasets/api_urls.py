"""The REST API of uploaded datasets, under /api/v1/datasets/."""

from django.urls import path
from django.views.decorators.http import require_GET

from datasets import api

app_name = "datasets-api"

urlpatterns = [
    path("", api.DatasetListView.as_view(), name="list"),
    path("uploads/<uuid:upload_id>/", api.DatasetUploadView.as_view(), name="upload"),
    path("<slug:name>/", api.DatasetDetailView.as_view(), name="detail"),
    path("<slug:name>/report/", api.DatasetReportView.as_view(), name="report"),
    path("<slug:name>/publish/", api.DatasetPublishView.as_view(), name="publish"),
    path("<slug:name>/unpublish/", api.DatasetUnpublishView.as_view(), name="unpublish"),
    path("<slug:name>/versions/", api.DatasetVersionsView.as_view(), name="versions"),
    path(
        "<slug:name>/versions/<int:number>/activate/",
        api.VersionActivateView.as_view(),
        name="activate",
    ),
    path(
        "<slug:name>/versions/<int:number>/schema/",
        api.VersionSchemaView.as_view(),
        name="schema",
    ),
    path("<slug:name>/rollback/", api.RollbackView.as_view(), name="rollback"),
    path("<slug:name>/style/", api.StyleView.as_view(), name="style"),
    path("<slug:name>/dcat.jsonld", require_GET(api.dcat_view), name="dcat"),
    path("<slug:name>/iso19115.xml", require_GET(api.iso19115_view), name="iso19115"),
]
