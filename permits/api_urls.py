"""The REST API of permits: the compliance check, and the applications a person may read."""

from django.urls import path

from permits import api

app_name = "permits-api"

urlpatterns = [
    path("check", api.ComplianceCheckView.as_view(), name="check"),
    path("applications/", api.ApplicationListView.as_view(), name="applications"),
    path(
        "applications/<str:reference>/",
        api.ApplicationDetailView.as_view(),
        name="application",
    ),
]
