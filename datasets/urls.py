"""Staff pages for uploading and publishing datasets."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
