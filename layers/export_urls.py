"""Downloads of layers in several formats."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
