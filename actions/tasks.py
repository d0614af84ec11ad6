"""Background work of contracts: their printed PDF kept warm (actions.services.pdf_warm)."""

from __future__ import annotations

from celery import shared_task

from .models import Contract


# A contract of a hundred fiches on a cold cache, in one process, for two audiences, takes minutes
# on a loaded machine: more than the default limits; a warming cut short keeps what it made.
@shared_task(
    name="actions.tasks.warm_contract_pdf",
    ignore_result=True,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
)
def warm_contract_pdf(contract_id: int) -> list[int]:
    """Render the parts the contract's print lacks, for both audiences, into the part cache;
    returns the pages of each print (none when the contract is gone)."""
    from .services.pdf_warm import warming_started

    warming_started(contract_id)  # before reading: a later edit gets a task of its own
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        return []
    from .pdf import warm_contract_pdf as warm  # WeasyPrint loads where PDFs are made

    return warm(contract=contract)


@shared_task(name="actions.tasks.rewarm_contract_pdfs", ignore_result=True)
def rewarm_contract_pdfs() -> list[int]:
    """Beat's sweep: warm again, a few at a time, the contracts whose print is not kept for
    today's print layout (a cache emptied, a deploy that changed the layout)."""
    from .services.pdf_warm import rewarm

    return rewarm()
