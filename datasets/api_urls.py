"""The REST API of uploaded datasets."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
