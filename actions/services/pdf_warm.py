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

A contract once warmed is marked so for the current print layout (renderer, stylesheets, fonts,
templates, the code that writes the printed HTML: actions.pdf.contract_layout), and the parts its
warming finds kept are kept as long again as the mark. Every PDF_REWARM_SECONDS, beat sends a
sweep (`rewarm`) that queues the warming of REWARM_BATCH contracts without that mark, those not
closed first: after a deploy that changed the print layout, or a cache emptied, a city's
contracts find their parts again within minutes, with nobody running `manage.py warm_pdfs`; an
instance of a thousand territories takes a day (some fifty contracts an hour, the e-mails the
workers send never waiting behind more than four). A print that comes first renders what it
lacks, as always. A mark can outlive parts the cache culled at random when full (MAX_ENTRIES).
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


def cold_contracts(contracts: QuerySet | None = None, *, limit: int | None = None) -> list[int]:
    """Up to `limit` (REWARM_BATCH) contracts, of `contracts` (all by default), not warmed for
    the current print layout nor queued by a sweep in the last REWARM_RETRY_SECONDS (a warming
    that fails or runs out of time leaves its turn to the others): those not closed first, then
    by start year, the latest first. One query, and two small files of the cache read per
    contract."""
    from actions.models import Contract
    from actions.pdf import contract_layout  # loads WeasyPrint: a worker's import

    if contracts is None:
        contracts = Contract.objects.all()
    ids = list(
        contracts.order_by(F("closed_on").asc(nulls_first=True), "-start_year", "-pk").values_list(
            "pk", flat=True
        )
    )
    generation = contract_layout()
    marks = {pk: (warmed_key(generation, pk), tried_key(generation, pk)) for pk in ids}
    found = caches[CACHE_ALIAS].get_many([key for pair in marks.values() for key in pair])
    cold = [pk for pk, pair in marks.items() if not found.keys() & set(pair)]
    return cold[: REWARM_BATCH if limit is None else limit]


def rewarm() -> list[int]:
    """The sweep (actions.tasks.rewarm_contract_pdfs): queue the warming of a few contracts not
    warmed for the current print layout; the contracts queued, each marked tried for a day."""
    if not settings.PDF_WARM:
        return []
    from actions.pdf import contract_layout

    cache, generation = caches[CACHE_ALIAS], contract_layout()
    queued = [pk for pk in cold_contracts() if schedule_warming(pk)]
    for pk in queued:
        cache.set(tried_key(generation, pk), True, timeout=REWARM_RETRY_SECONDS)
    return queued
