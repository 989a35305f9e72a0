"""The estate's pages, under /{ka,en}/estate/."""

from django.urls import path

from estate import lot_views, payment_views, views

app_name = "estate"

urlpatterns = [
    path("", views.offers, name="offers"),
    path("lots/<str:reference>/", lot_views.lot_page, name="lot"),
    path("lots/<str:reference>/register", lot_views.lot_register, name="lot-register"),
    path("lots/<str:reference>/deposit", lot_views.lot_deposit, name="lot-deposit"),
    path("lots/<str:reference>/bid", lot_views.lot_bid, name="lot-bid"),
    path("pay/demo/<str:reference>/", payment_views.demo_pay, name="demo-pay"),
]
