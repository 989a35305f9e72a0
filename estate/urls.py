"""The estate's pages, under /{ka,en}/estate/."""

from django.urls import path

from estate import (
    contract_views,
    lot_views,
    payment_views,
    public_views,
    request_views,
    staff_views,
)

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
    path("contracts/", contract_views.my_contracts, name="my-contracts"),
    path("contracts/new/", contract_views.contract_new, name="contract-new"),
    path("contracts/verify/", contract_views.verify, name="contract-verify-form"),
    path("contracts/verify/<str:code>/", contract_views.verify_code, name="contract-verify"),
    path("contracts/<str:reference>/", contract_views.contract_detail, name="contract"),
    path(
        "contracts/<str:reference>/contract.pdf", contract_views.contract_pdf, name="contract-pdf"
    ),
    path("staff/register/", staff_views.register, name="staff-register"),
    path("staff/assets/new/", staff_views.asset_new, name="asset-new"),
    path("staff/assets/<str:reference>/", staff_views.staff_asset, name="staff-asset"),
    path("staff/assets/<str:reference>/edit/", staff_views.asset_edit, name="asset-edit"),
    path("staff/lots/", staff_views.staff_lots, name="staff-lots"),
    path("staff/lots/new/", staff_views.lot_new, name="lot-new"),
    path("staff/lots/<str:reference>/", staff_views.staff_lot, name="staff-lot"),
    path("staff/lots/<str:reference>/edit/", staff_views.lot_edit, name="lot-edit"),
    path("staff/contracts/", contract_views.staff_contracts, name="staff-contracts"),
    path("staff/contracts/import/", contract_views.payments_import, name="payments-import"),
    path("staff/contracts/<str:reference>/", contract_views.staff_contract, name="staff-contract"),
]
