"""The map page under /ka/ and /en/."""

from django.urls import path

from gisportal import views

app_name = "portal"

urlpatterns = [
    path("", views.map_page, name="map"),
]
