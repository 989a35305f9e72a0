"""Participatory budgeting's pages, under /{ka,en}/budgeting/."""

from django.urls import path  # noqa: F401

app_name = "budgeting"

urlpatterns: list = []

# The resident's ballot: verification against the voter list, the ballot, checkout.
from budgeting import ballot_views  # noqa: E402

urlpatterns += [
    path("<str:municipality>/<slug:cycle>/vote/", ballot_views.vote, name="vote"),
    path("<str:municipality>/<slug:cycle>/vote/<int:budget>/", ballot_views.ballot, name="ballot"),
    path(
        "<str:municipality>/<slug:cycle>/vote/<int:budget>/checkout",
        ballot_views.ballot_checkout,
        name="ballot-checkout",
    ),
    path(
        "<str:municipality>/<slug:cycle>/vote/<int:budget>/done",
        ballot_views.ballot_done,
        name="ballot-done",
    ),
]
