"""Participatory budgeting's pages, under /{ka,en}/budgeting/.

A cycle's public address starts with its municipality's code in capitals ("RST/2027/"), so
that it never takes the addresses of the other pages ("staff/…", "proposals/…", "delivery/…").
"""

from django.urls import path, re_path

from budgeting import (
    ballot_views,
    delivery_views,
    paper_views,
    public_views,
    result_views,
    review_views,
    staff_views,
)

app_name = "budgeting"

CYCLE = r"^(?P<municipality>[A-Z][A-Z0-9_]{1,9})/(?P<cycle>[-a-zA-Z0-9_]{1,40})/"

urlpatterns = [
    # Residents: the cycles, a cycle's map and list, proposing, a proposal, support.
    path("", public_views.home, name="home"),
    path("my/", public_views.my_proposals, name="my-proposals"),
    path("proposals/<str:reference>/", public_views.proposal_page, name="proposal"),
    path(
        "proposals/<str:reference>/support", public_views.proposal_support, name="proposal-support"
    ),
    path(
        "proposals/<str:reference>/withdraw",
        public_views.proposal_withdraw,
        name="proposal-withdraw",
    ),
    path(
        "proposals/<str:reference>/photos/<int:pk>",
        public_views.proposal_photo,
        name="proposal-photo",
    ),
    re_path(CYCLE + r"$", public_views.cycle_page, name="cycle"),
    re_path(CYCLE + r"propose/$", public_views.propose, name="propose"),
    # The resident's ballot: verification against the voter list, the ballot, checkout.
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
    # The results, side by side; the delivery of the winners.
    path("<str:municipality>/<slug:cycle>/results/", result_views.public_results, name="results"),
    path("delivery/", delivery_views.delivery_list, name="delivery"),
    path("delivery/<str:reference>/", delivery_views.project_page, name="project"),
    # Budget officers: cycles, phases, rules, budgets and the voter list.
    path("staff/", staff_views.staff_home, name="staff-home"),
    path("staff/cycles/new/", staff_views.cycle_new, name="staff-cycle-new"),
    path("staff/cycles/<int:pk>/", staff_views.staff_cycle, name="staff-cycle"),
    path("staff/cycles/<int:pk>/phases/", staff_views.cycle_phases, name="staff-phases"),
    path("staff/cycles/<int:pk>/rules/", staff_views.cycle_rules, name="staff-rules"),
    path("staff/cycles/<int:pk>/budgets/", staff_views.cycle_budgets, name="staff-budgets"),
    path("staff/cycles/<int:pk>/voters/", staff_views.cycle_voters, name="staff-voters"),
    # Review of proposals, merging duplicates, and paper ballots.
    path("staff/cycles/<int:pk>/proposals/", review_views.staff_proposals, name="staff-proposals"),
    path("staff/proposals/<str:reference>/", review_views.staff_proposal, name="staff-proposal"),
    path(
        "staff/proposals/<str:reference>/merge",
        review_views.proposal_merge,
        name="staff-proposal-merge",
    ),
    path("staff/cycles/<int:pk>/paper/", paper_views.staff_paper, name="staff-paper"),
    path(
        "staff/cycles/<int:pk>/paper/<int:entry>/resolve",
        paper_views.paper_resolve,
        name="staff-paper-resolve",
    ),
    # Results: computed as a job, compared, overridden, published; a pabulib file replayed.
    path("staff/budgets/<int:pk>/results/", result_views.staff_results, name="staff-results"),
    path(
        "staff/budgets/<int:pk>/results/run",
        result_views.staff_results_run,
        name="staff-results-run",
    ),
    path(
        "staff/runs/<int:pk>/progress", result_views.staff_run_progress, name="staff-run-progress"
    ),
    path(
        "staff/budgets/<int:pk>/override",
        result_views.staff_results_override,
        name="staff-results-override",
    ),
    path(
        "staff/budgets/<int:pk>/publish",
        result_views.staff_results_publish,
        name="staff-results-publish",
    ),
    path("staff/replay/", result_views.staff_replay, name="staff-replay"),
    # The delivery reports on a winner.
    path(
        "staff/proposals/<str:reference>/delivery",
        delivery_views.staff_delivery,
        name="staff-delivery",
    ),
]
