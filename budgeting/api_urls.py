"""Participatory budgeting's REST API, under /api/v1/budgeting/ (docs/api.md)."""

from django.urls import path

from budgeting import api, api_ballots, api_results

app_name = "budgeting-api"

urlpatterns = [
    # The cycles, and the projects with the delivery of the winners.
    path("cycles/", api.CycleListView.as_view(), name="cycles"),
    path("cycles/<int:pk>/", api.CycleDetailView.as_view(), name="cycle"),
    path("projects/", api.ProjectListView.as_view(), name="projects"),
    path("projects/<str:reference>/", api.ProjectDetailView.as_view(), name="project"),
    # The resident's ballot of a budget (static/budgeting/ballot.js).
    path("ballots/<int:budget>/", api_ballots.BallotView.as_view(), name="ballot"),
    path(
        "ballots/<int:budget>/checkout",
        api_ballots.BallotCheckoutView.as_view(),
        name="ballot-checkout",
    ),
    # The results of a budget, its election as a pabulib file, and a file replayed.
    path("budgets/<int:pk>/results/", api_results.BudgetResultsView.as_view(), name="results"),
    path("budgets/<int:pk>/election.pb", api_results.ElectionFileView.as_view(), name="election"),
    path("replay/", api_results.ReplayView.as_view(), name="replay"),
]
