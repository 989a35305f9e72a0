"""The REST API of permits: the compliance check and applications."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
