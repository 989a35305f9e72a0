"""OGC API Features and Tiles over the layer registry."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
