"""The parcels REST API, mounted at /api/v1/ (docs/DESIGN.md, "Stable addresses")."""

from django.urls import path

from parcels import api

app_name = "parcels-api"

urlpatterns = [
    path("parcels/", api.ParcelListView.as_view(), name="parcel-list"),
    path("parcels/at/", api.ParcelAtView.as_view(), name="parcel-at"),
    path("parcels/search/", api.ParcelSearchView.as_view(), name="parcel-search"),
    # `str` matches anything but a slash, so cadastral codes keep their dots; the view answers
    # 404 in JSON for a segment that is not a code, rather than Django's HTML page.
    path("parcels/<str:cadastral_code>/", api.ParcelDetailView.as_view(), name="parcel-detail"),
]
