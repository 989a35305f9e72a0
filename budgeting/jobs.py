"""Participatory budgeting's background work, which the worker loads from here
(PROCRASTINATE_AUTODISCOVER_MODULE_NAME): each part keeps its tasks in a module of its own,
imported below."""

from budgeting import (
    ballot_jobs,  # noqa: F401,E402
    result_jobs,  # noqa: F401,E402
)
