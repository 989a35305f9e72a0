"""The estate's REST API, under /api/v1/estate/ (docs/api.md)."""

from django.urls import path

from estate import live

app_name = "estate-api"

urlpatterns: list = [
    path("lots/<str:reference>/events", live.lot_events, name="lot-events"),
]
