"""WFS 2.0 over the layer registry (django-gisserver)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
