"""The one table `make bench` prints: each figure beside its floor measured in the same run.

A row is a measure (median of n runs, with its SQL query count when it has one), the floor it is
compared with, their ratio, the issue's target ("cible") and whether this run meets it
("atteinte"). Targets are either a ratio to the floor (≤5×), a time (< 5 s) or a ratio to
another row of the run (1,3× its own time with a ten-times directory).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Figure:
    """Medians in seconds of n runs, with the SQL queries of one more run (None: not counted)."""

    median: float
    runs: int
    queries: int | None = None


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    figure: Figure
    floor_label: str
    floor: Figure
    target: str = "—"  # "≤5×", "< 5 s", "≤1,3× (own)"
    met: bool | None = None  # None: no target for this row

    @property
    def ratio(self) -> float:
        return self.figure.median / self.floor.median if self.floor.median else float("inf")


def ratio_row(section, label, figure, floor_label, floor, *, at_most: float | None) -> Row:
    """A row whose target is a ratio to its floor (None: informative only)."""
    if at_most is None:
        return Row(section, label, figure, floor_label, floor)
    met = figure.median <= at_most * floor.median
    return Row(section, label, figure, floor_label, floor, f"≤{number(at_most)}×", met)


def time_row(section, label, figure, floor_label, floor, *, under: float) -> Row:
    """A row whose target is a wall-clock time, the floor shown for its ratio."""
    met = figure.median < under
    return Row(section, label, figure, floor_label, floor, f"< {number(under)} s", met)


def timed(
    call: Callable[[], object], runs: int, *, count_queries: bool = True, warm_up: bool = True
) -> Figure:
    """Median wall time of `runs` calls after a warm-up one, whose queries are counted."""
    queries = None
    if count_queries:
        connection.queries_log.clear()  # a full log (9,000 queries) would count none
        with CaptureQueriesContext(connection) as ctx:
            call()
        queries = len(ctx.captured_queries)
    elif warm_up:
        call()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return Figure(statistics.median(timings), runs, queries)


def number(value: float) -> str:
    text = f"{value:.1f}" if value != int(value) else f"{value:.0f}"
    return text.replace(".", ",")


def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms".replace(".", ",")
    return f"{seconds:.2f} s".replace(".", ",")


def queries(figure: Figure) -> str:
    return "—" if figure.queries is None else str(figure.queries)


HEADERS = (
    "mesure",
    "médiane",
    "n",
    "req.",
    "plancher",
    "médiane",
    "req.",
    "rapport",
    "cible",
    "atteinte",
)


def render(rows: list[Row], *, title: str = "") -> str:
    """The table in plain text, one block per section, columns aligned."""
    lines: list[list[str]] = []
    sections: list[tuple[int, str]] = []
    for row in rows:
        if not sections or sections[-1][1] != row.section:
            sections.append((len(lines), row.section))
        lines.append(
            [
                row.label,
                duration(row.figure.median),
                str(row.figure.runs),
                queries(row.figure),
                row.floor_label,
                duration(row.floor.median),
                queries(row.floor),
                f"{number(round(row.ratio, 1 if row.ratio < 100 else None))}×",
                row.target,
                {True: "oui", False: "non", None: "—"}[row.met],
            ]
        )
    widths = [max(len(cells[i]) for cells in [list(HEADERS), *lines]) for i in range(len(HEADERS))]
    right = {1, 2, 3, 5, 6, 7}

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [title] if title else []
    out += [fmt(list(HEADERS)), "  ".join("-" * w for w in widths)]
    starts = dict(sections)
    for index, cells in enumerate(lines):
        if index in starts:
            out.append(f"· {starts[index]}")
        out.append(fmt(cells))
    met = [row.met for row in rows if row.met is not None]
    out.append(f"cibles atteintes : {sum(met)} sur {len(met)}")
    return "\n".join(out)
