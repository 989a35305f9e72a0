"""The estate's pages, under /{ka,en}/estate/."""

from django.urls import path

from estate import views

app_name = "estate"

urlpatterns = [
    path("", views.offers, name="offers"),
]
