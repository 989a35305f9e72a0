"""The estate's pages, under /{ka,en}/estate/."""

from django.urls import path

from estate import lot_views, payment_views, public_views
from estate import request_views
from estate import staff_views

app_name = "estate"

urlpatterns = [
    path("", public_views.offers, name="offers"),
    path("register/", public_views.register, name="register"),
    path("assets/<str:reference>/", public_views.asset, name="asset"),
    path("results/", public_views.results, name="results"),
    path("ask/", request_views.ask, name="ask"),
    path("direct-lease/", request_views.direct_lease, name="direct-lease"),
    path("object/", request_views.object_to_result, name="object"),
    path("lots/<str:reference>/", lot_views.lot_page, name="lot"),
    path("lots/<str:reference>/register", lot_views.lot_register, name="lot-register"),
    path("lots/<str:reference>/deposit", lot_views.lot_deposit, name="lot-deposit"),
    path("lots/<str:reference>/bid", lot_views.lot_bid, name="lot-bid"),
    path("pay/demo/<str:reference>/", payment_views.demo_pay, name="demo-pay"),
    path("staff/register/", staff_views.register, name="staff-register"),
    path("staff/assets/new/", staff_views.asset_new, name="asset-new"),
    path("staff/assets/<str:reference>/", staff_views.staff_asset, name="staff-asset"),
    path("staff/assets/<str:reference>/edit/", staff_views.asset_edit, name="asset-edit"),
    path("staff/lots/", staff_views.staff_lots, name="staff-lots"),
    path("staff/lots/new/", staff_views.lot_new, name="lot-new"),
    path("staff/lots/<str:reference>/", staff_views.staff_lot, name="staff-lot"),
    path("staff/lots/<str:reference>/edit/", staff_views.lot_edit, name="lot-edit"),
]
