"""python manage.py warm_pdfs: render the printed contracts' parts ahead of their first print.

Every part a contract's print needs (its front matter, each fiche-action, the page numbers), for
coordinators and signatories, goes into the part cache (cls_platform/pdf/parts.py), so that the
first print joins kept parts instead of laying out the whole contract (8 to 31 s for 60 fiches on
two processors). Parts already kept are not laid out again: a second run costs a few reads.
Run after `seed_demo`, after a deploy that changes the print layouts or empties the cache; made
for the background (`manage.py warm_pdfs &`): it lowers its own priority, and a print meanwhile
renders what it lacks itself. `--queue` hands each contract to the Celery workers instead.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from actions.models import Contract


class Command(BaseCommand):
    help = "Prépare à l'avance les PDF des contrats (parties gardées en cache)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--territory", action="append", default=[], help="Slug d'un territoire (répétable)"
        )
        parser.add_argument(
            "--contract", action="append", type=int, default=[], help="Id d'un contrat"
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Confier chaque contrat aux workers Celery au lieu de le préparer ici",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        contracts = Contract.objects.select_related("territory").order_by("territory__name", "pk")
        if options["territory"]:
            contracts = contracts.filter(territory__slug__in=options["territory"])
        if options["contract"]:
            contracts = contracts.filter(pk__in=options["contract"])
        if options["queue"]:
            from actions.services.pdf_warm import schedule_warming

            queued = sum(schedule_warming(pk) for pk in contracts.values_list("pk", flat=True))
            self.stdout.write(f"{queued} contrat(s) confié(s) aux workers.")
            return
        with contextlib.suppress(OSError):
            os.nice(10)  # background work: the web processes go first
        from actions.pdf import warm_contract_pdf  # WeasyPrint loads only here

        started = time.perf_counter()
        count = 0
        for contract in contracts.iterator():
            began = time.perf_counter()
            pages, pages_for_signatories = warm_contract_pdf(contract=contract, parallel=True)
            count += 1
            self.stdout.write(
                f"{contract.territory} · {contract.title} : {pages} pages "
                f"({pages_for_signatories} pour les signataires), "
                f"{time.perf_counter() - began:.1f} s"
            )
        self.stdout.write(
            f"{count} contrat(s) prêt(s) à imprimer en {time.perf_counter() - started:.1f} s."
        )
