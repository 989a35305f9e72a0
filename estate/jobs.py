"""The estate's background work, which the worker loads from here (PROCRASTINATE_AUTODISCOVER_
MODULE_NAME): each part keeps its tasks in a module of its own, imported below."""

from estate import (
    auction_jobs,  # noqa: F401
    contract_jobs,  # noqa: F401,E402
)
