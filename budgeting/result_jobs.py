"""Background work of the results: computing a budget's results by both rules, with the
progress written to its run for the staff page's bar."""

from __future__ import annotations

from procrastinate.contrib.django import app

QUEUE = "results"


@app.task(queue=QUEUE, name="budgeting.compute_results")
def compute_results(run_id: int) -> None:
    """Compute a queued run (budgeting.results.run_compute)."""
    from budgeting.results import run_compute

    run_compute(run_id=run_id)
