"""The estate's pages, under /{ka,en}/estate/."""

from django.urls import path

from estate import payment_views, views

app_name = "estate"

urlpatterns = [
    path("", views.offers, name="offers"),
    path("pay/demo/<str:reference>/", payment_views.demo_pay, name="demo-pay"),
]
