"""The estate's REST API, under /api/v1/estate/ (docs/api.md)."""

from django.urls import path

from estate import api, api_bidding, live

app_name = "estate-api"

urlpatterns: list = [
    path("lots/", api.LotListView.as_view(), name="lots"),
    path("lots/<str:reference>/", api.LotDetailView.as_view(), name="lot"),
    path("assets/", api.AssetListView.as_view(), name="assets"),
    path("results.csv", api.ResultsCSVView.as_view(), name="results-csv"),
    path("price-paths.csv", api.PricePathsCSVView.as_view(), name="price-paths-csv"),
    path("lots/<str:reference>/events", live.lot_events, name="lot-events"),
    path(
        "lots/<str:reference>/registration",
        api_bidding.LotRegistrationView.as_view(),
        name="lot-registration",
    ),
    path("lots/<str:reference>/deposit", api_bidding.LotDepositView.as_view(), name="lot-deposit"),
    path("lots/<str:reference>/bids", api_bidding.LotBidView.as_view(), name="lot-bids"),
    path("lots/<str:reference>/state", api_bidding.LotStateView.as_view(), name="lot-state"),
]
