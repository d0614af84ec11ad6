"""What `make bench` measures, gathered into one table (bench/table.py).

Sizes: BENCH_TERRITORIES territories (10 by default) plus a ten-times directory; BENCH_RUNS
renders per page (30), BENCH_PDF_RUNS prints per PDF case (3). BENCH_QUICK=1: few runs and
small sizes (2 territories, 3 fiches-actions, 20 recipients sent without a worker, 60 rows).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

from django.db import connection

from bench import bilan, deliveries, imports, meeting, pdfs, scale
from bench.table import Row, render


@dataclass(frozen=True)
class Sizes:
    quick: bool
    territories: int
    runs: int
    pdf_runs: int
    actions: int
    recipients: int
    rows: int

    @classmethod
    def from_env(cls) -> Sizes:
        quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
        env = os.environ.get
        return cls(
            quick=quick,
            territories=int(env("BENCH_TERRITORIES") or (2 if quick else 10)),
            runs=int(env("BENCH_RUNS") or (1 if quick else 30)),
            pdf_runs=int(env("BENCH_PDF_RUNS") or (1 if quick else 3)),
            actions=3 if quick else pdfs.ACTIONS,
            recipients=20 if quick else deliveries.RECIPIENTS,
            rows=60 if quick else imports.ROWS,
        )


QUIET = ("django.request", "axes", "axes.watch_login", "mail.log")


def collect(sizes: Sizes) -> tuple[list[Row], list[str]]:
    """Every row of the table, and notes (checks of the documents' text, details of the send)."""
    for name in QUIET:  # the viewer's refused pages, the sign-ins of the accounts, SMTP chatter
        logging.getLogger(name).setLevel(logging.ERROR)
    notes = [scale.prepare(sizes.territories, quick=sizes.quick)]
    steps = {
        "pages": lambda: (scale.run(sizes.runs), []),
        "réunion": lambda: (meeting.run(sizes.runs), []),
        "contrat": lambda: pdfs.run(sizes.actions, sizes.pdf_runs),
        "bilan": lambda: bilan.run(sizes.actions, sizes.pdf_runs),
        "envoi": lambda: deliveries.run(sizes.recipients, sizes.pdf_runs, worker=not sizes.quick),
        "import": lambda: imports.run(sizes.rows, sizes.pdf_runs),
    }
    rows: list[Row] = []
    spent = []
    for name, step in steps.items():
        started = time.perf_counter()
        more, lines = step()
        rows += more
        notes += lines
        spent.append(f"{name} {time.perf_counter() - started:.0f} s")
    notes.append("durées : " + ", ".join(spent))
    return rows, notes


def report(sizes: Sizes) -> str:
    started = time.perf_counter()
    rows, notes = collect(sizes)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    title = (
        f"Banc d'essai Trame{' (mode rapide)' if sizes.quick else ''} : base {connection.vendor}, "
        f"{os.cpu_count()} cœurs, charge {load:.1f} à la fin, {sizes.runs} rendus par page, "
        f"médianes ; plancher mesuré dans la même exécution"
    )
    return "\n".join(
        [render(rows, title=title), *notes, f"durée totale : {time.perf_counter() - started:.0f} s"]
    )
