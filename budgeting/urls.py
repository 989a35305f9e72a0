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

# The budget officer's cycles, phases, rules, budgets and voter list.
from budgeting import staff_views  # noqa: E402

urlpatterns += [
    path("staff/", staff_views.staff_home, name="staff-home"),
    path("staff/cycles/new/", staff_views.cycle_new, name="staff-cycle-new"),
    path("staff/cycles/<int:pk>/", staff_views.staff_cycle, name="staff-cycle"),
    path("staff/cycles/<int:pk>/phases/", staff_views.cycle_phases, name="staff-phases"),
    path("staff/cycles/<int:pk>/rules/", staff_views.cycle_rules, name="staff-rules"),
    path("staff/cycles/<int:pk>/budgets/", staff_views.cycle_budgets, name="staff-budgets"),
    path("staff/cycles/<int:pk>/voters/", staff_views.cycle_voters, name="staff-voters"),
]
