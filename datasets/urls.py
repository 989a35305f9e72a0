"""Staff pages for uploading and publishing datasets."""

from django.urls import path

from datasets import views

app_name = "datasets"

urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("upload/", views.dataset_upload, name="upload"),
    path("uploads/<uuid:upload_id>/", views.upload_status, name="upload-status"),
    path("uploads/<uuid:upload_id>/retry/", views.upload_retry, name="upload-retry"),
    path("<slug:name>/", views.dataset_detail, name="detail"),
    path("<slug:name>/versions/new/", views.dataset_new_version, name="new-version"),
    path(
        "<slug:name>/versions/<int:number>/activate/",
        views.version_activate,
        name="activate",
    ),
    path("<slug:name>/versions/<int:number>/schema/", views.version_schema, name="schema"),
    path("<slug:name>/publish/", views.dataset_publish, name="publish"),
    path("<slug:name>/unpublish/", views.dataset_unpublish, name="unpublish"),
    path("<slug:name>/metadata/", views.dataset_metadata, name="metadata"),
    path("<slug:name>/style/", views.dataset_style, name="style"),
]
