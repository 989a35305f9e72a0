"""Background work of the contracts: the daily arrears and reminders, and the contract PDF."""

from __future__ import annotations

import logging

from django.utils import timezone
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

# Contract documents are drawn here, not in the request that makes the contract.
DOCUMENTS_QUEUE = "documents"
QUEUE = "notifications"


@app.task(queue=DOCUMENTS_QUEUE, name="estate.make_contract_document", retry=3)
def make_contract_document(contract_id: int) -> None:
    """Draw a contract's PDF (estate.contracts.contract_document_make)."""
    from estate.contracts import contract_document_make
    from estate.models import Contract

    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is not None:
        contract_document_make(contract=contract)


@app.periodic(cron="30 6 * * *", periodic_id="estate_contract_arrears")
@app.task(queue=QUEUE, name="estate.compute_arrears", queueing_lock="estate_compute_arrears")
def compute_arrears(timestamp: int) -> None:
    """Compute the arrears of every contract in force and send the reminders due today."""
    from estate.contracts import contracts_daily

    counts = contracts_daily(timezone.localdate())
    logger.info(
        "Checked %(checked)d contracts: %(in_arrears)d in arrears, %(reminders)d reminders.",
        counts,
    )
