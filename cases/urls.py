"""Portal pages of the one window: my applications, the staff work queue, verification."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
