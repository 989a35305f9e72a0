"""Portal pages of building permits: the public pre-check, applying, planner review."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
