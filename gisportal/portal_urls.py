"""The HTML portal under /ka/ and /en/."""

from django.urls import path

from gisportal import views

app_name = "portal"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("parcels/", views.parcel_search_page, name="parcel-search"),
    path("parcels/<str:code>/", views.parcel_page, name="parcel"),
]
