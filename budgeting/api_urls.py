"""Participatory budgeting's REST API, under /api/v1/budgeting/ (docs/api.md)."""

from django.urls import path  # noqa: F401

app_name = "budgeting-api"

urlpatterns: list = []

# The resident's ballot of a budget (static/budgeting/ballot.js).
from budgeting import api_ballots  # noqa: E402

urlpatterns += [
    path("ballots/<int:budget>/", api_ballots.BallotView.as_view(), name="ballot"),
    path(
        "ballots/<int:budget>/checkout",
        api_ballots.BallotCheckoutView.as_view(),
        name="ballot-checkout",
    ),
]
