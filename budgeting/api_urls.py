"""Participatory budgeting's REST API, under /api/v1/budgeting/ (docs/api.md)."""

from django.urls import path  # noqa: F401

app_name = "budgeting-api"

urlpatterns: list = []
