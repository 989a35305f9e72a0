"""Participatory budgeting's REST API, under /api/v1/budgeting/ (docs/api.md)."""

from django.urls import path  # noqa: F401

app_name = "budgeting-api"

urlpatterns: list = []

# The results of a budget and its election as a pabulib file.
from budgeting import api_results  # noqa: E402

urlpatterns += [
    path("budgets/<int:pk>/results/", api_results.BudgetResultsView.as_view(), name="results"),
    path("budgets/<int:pk>/election.pb", api_results.ElectionFileView.as_view(), name="election"),
    path("replay/", api_results.ReplayView.as_view(), name="replay"),
]

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

# The cycles, and the projects with the delivery of the winners.
from budgeting import api  # noqa: E402

urlpatterns += [
    path("cycles/", api.CycleListView.as_view(), name="cycles"),
    path("cycles/<int:pk>/", api.CycleDetailView.as_view(), name="cycle"),
    path("projects/", api.ProjectListView.as_view(), name="projects"),
    path("projects/<str:reference>/", api.ProjectDetailView.as_view(), name="project"),
]
