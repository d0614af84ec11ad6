"""Contract PDFs kept warm: once a change that shows in a contract's print is committed (a
fiche-action, its indicators and measurements, partners, pilots, status; an axis; the contract
itself), a worker renders the parts that print lacks (actions.tasks.warm_contract_pdf, through the
part cache of cls_platform.pdf.parts), for coordinators and signatories alike, so that the next
print only joins parts already kept.

One queued task per contract at a time: a flag in the "pdf" cache (shared by the processes of
the host) says one is queued and has not started; the task lowers it as it starts, before it
reads anything, so that edits in a row share one task and an edit committed once it has started
gets a task of its own. Warming never stands in a save's way: when it cannot be queued (broker
away), it is logged and left out for a minute, and the print renders what it lacks, as always.

A contract once warmed is marked so for today's print layout (renderer, stylesheets, fonts,
templates: cls_platform.pdf.parts.layout_generation). Every PDF_REWARM_SECONDS, beat sends a sweep
(`rewarm`) that queues the warming of the contracts without that mark, REWARM_BATCH at a time,
current contracts first: after a deploy that changed the print layout, or a cache emptied, prints
find their parts again within minutes, with nobody running `manage.py warm_pdfs`; a print that
comes first renders what it lacks, as always.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F, QuerySet

logger = logging.getLogger(__name__)

# The part cache's alias (cls_platform.pdf.parts.CACHE_ALIAS, not imported: it loads WeasyPrint).
CACHE_ALIAS = "pdf"
# A flag outlives a task lost on the way (a worker killed before it started) this long at most.
FLAG_SECONDS = 10 * 60
# After a warming could not be queued (broker away), the contract's next try waits this long.
RETRY_SECONDS = 60


# Contracts whose warming one sweep queues at most: the e-mails the workers also send wait
# behind a few warmings, never behind a thousand.
REWARM_BATCH = 4
# A contract a sweep queued is not queued again by a sweep for this long, warmed or not.
REWARM_RETRY_SECONDS = 24 * 60 * 60


def warming_key(contract_id: int) -> str:
    return f"warming:contract:{contract_id}"


def warm_after_commit(*, contract_id: int | None) -> None:
    """Warm the contract's print once the current transaction commits (settings.PDF_WARM)."""
    if contract_id is None or not settings.PDF_WARM:
        return
    transaction.on_commit(functools.partial(schedule_warming, contract_id), robust=True)


def warm_fiche_after_commit(
    *, fiche_id: int | None = None, indicator_id: int | None = None
) -> None:
    """Warm the print of the contract of a fiche (or of an indicator's fiche) once the current
    transaction commits: for what hangs off a fiche (indicators, measurements), whose contract
    is read only then, and only when warming is on (no query in the request)."""
    if (fiche_id is None and indicator_id is None) or not settings.PDF_WARM:
        return

    def schedule() -> None:
        from actions.models import FicheAction

        if fiche_id is not None:
            fiches = FicheAction.objects.filter(pk=fiche_id)
        else:
            fiches = FicheAction.objects.filter(indicators=indicator_id)
        contract_id = fiches.values_list("contract_id", flat=True).first()
        if contract_id is not None:
            schedule_warming(contract_id)

    transaction.on_commit(schedule, robust=True)


def schedule_warming(contract_id: int) -> bool:
    """Queue the contract's warming unless one is queued already; whether this queued one."""
    from actions.tasks import warm_contract_pdf

    cache = caches[CACHE_ALIAS]
    key = warming_key(contract_id)
    try:
        if not cache.add(key, True, timeout=FLAG_SECONDS):
            return False
        warm_contract_pdf.apply_async((contract_id,), countdown=settings.PDF_WARM_DELAY)
    except Exception:  # the broker, the cache, or (eager Celery) the rendering itself
        logger.warning("Préparation du PDF du contrat %s impossible.", contract_id, exc_info=True)
        try:
            # Kept a little while: the saves that follow do not each wait for an absent broker.
            cache.set(key, True, timeout=RETRY_SECONDS)
        except Exception:  # pragma: no cover - the cache's folder unwritable
            logger.warning("Drapeau de préparation %s non posé.", key, exc_info=True)
        return False
    return True


def warming_started(contract_id: int) -> None:
    """Lower the contract's flag: a change committed from now on queues another warming."""
    caches[CACHE_ALIAS].delete(warming_key(contract_id))


def warmed_key(generation: str, contract_id: int) -> str:
    """Marks a contract warmed under a print layout's generation."""
    return f"warmed:{generation}:{contract_id}"


def tried_key(generation: str, contract_id: int) -> str:
    """Marks a contract whose warming a sweep queued, under a print layout's generation."""
    return f"rewarm-tried:{generation}:{contract_id}"


def cold_contracts(contracts: QuerySet | None = None, *, limit: int = REWARM_BATCH) -> list[int]:
    """Up to `limit` contracts (of `contracts`, all by default) not warmed under today's print
    layout, nor queued by a sweep in the last REWARM_RETRY_SECONDS (a warming that fails or runs
    out of time leaves its turn to the others): those still running first (not closed), the
    latest first. One query, one read of the cache."""
    from actions.models import Contract
    from cls_platform.pdf.parts import layout_generation  # loads WeasyPrint: a worker's import

    if contracts is None:
        contracts = Contract.objects.all()
    ids = list(
        contracts.order_by(F("closed_on").asc(nulls_first=True), "-start_year", "-pk").values_list(
            "pk", flat=True
        )
    )
    generation = layout_generation()
    marks = {pk: (warmed_key(generation, pk), tried_key(generation, pk)) for pk in ids}
    found = caches[CACHE_ALIAS].get_many([key for pair in marks.values() for key in pair])
    return [pk for pk, pair in marks.items() if not found.keys() & set(pair)][:limit]


def rewarm() -> list[int]:
    """The sweep (actions.tasks.rewarm_contract_pdfs): queue the warming of a few contracts not
    warmed under today's print layout; the contracts queued."""
    if not settings.PDF_WARM:
        return []
    from cls_platform.pdf.parts import layout_generation

    cache, generation = caches[CACHE_ALIAS], layout_generation()
    queued = []
    for pk in cold_contracts():
        cache.set(tried_key(generation, pk), True, timeout=REWARM_RETRY_SECONDS)
        if schedule_warming(pk):
            queued.append(pk)
    return queued
