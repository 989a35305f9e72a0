"""Participatory budgeting's pages, under /{ka,en}/budgeting/."""

from django.urls import path  # noqa: F401

app_name = "budgeting"

urlpatterns: list = []
