"""Portal pages of building permits: the public pre-check (applying and review come later)."""

from django.urls import path

from permits import views

app_name = "permits"

urlpatterns = [
    path("check/", views.precheck_page, name="check"),
]
