"""The REST API of permits: the compliance check (applications come later)."""

from django.urls import path

from permits import api

app_name = "permits-api"

urlpatterns = [
    path("check", api.ComplianceCheckView.as_view(), name="check"),
]
